import AurumCore
import Testing

/// The shipped kind of gates: a bank account needs two of finance, a new item engineering then
/// procurement, a description fixed by a trusted source goes straight through, and everything
/// else needs one steward.
private let gates = [
    ApprovalGate(name: "bank", when: GateCondition(changed: ["bank_account", "iban"]), approvers: .group("finance"), needs: 2),
    ApprovalGate(name: "credit", when: GateCondition(values: [ValueCondition(attribute: "credit_limit", test: .above(50_000))]),
                 approvers: .group("finance")),
    ApprovalGate(name: "engineering", when: GateCondition(kinds: [.create]), approvers: .group("engineering")),
    ApprovalGate(name: "procurement", when: GateCondition(kinds: [.create]), approvers: .group("procurement"), after: ["engineering"]),
    ApprovalGate(name: "portal", when: GateCondition(sources: ["portal"]), approvers: .group("procurement")),
    ApprovalGate(name: "trusted_description", when: GateCondition(onlyChanged: ["description"], minimumTrust: 90), approvers: nil),
    ApprovalGate(name: "steward", approvers: .role(.steward)),
]

private func plan(_ kind: ChangeKind = .update, changed: Set<String>, source: String? = "plm", trust: Int? = 90,
                  proposed: Attributes = [:]) -> GatePlan {
    GatePlan(gates, for: GateSubject(kind: kind, changed: changed, source: source, sourceTrust: trust, proposed: proposed))
}

private func steward(_ name: String, _ groups: Set<String> = []) -> Approver { Approver(name: name, role: .steward, groups: groups) }

@Suite struct ApprovalGateTests {
    @Test func anAttributeThatChangedCallsItsGate() {
        #expect(plan(changed: ["bank_account", "name"]).gates.map(\.name) == ["bank"])
        #expect(plan(changed: ["name"]).gates.map(\.name) == ["steward"])
    }

    @Test func theSourceCallsItsGate() {
        #expect(plan(changed: ["name"], source: "portal", trust: 40).gates.map(\.name) == ["portal"])
        #expect(plan(changed: ["name"], source: nil).gates.map(\.name) == ["steward"])
    }

    @Test func aValueAboveItsThresholdCallsItsGate() {
        #expect(plan(changed: ["credit_limit"], proposed: ["credit_limit": 80_000]).gates.map(\.name) == ["credit"])
        #expect(plan(changed: ["credit_limit"], proposed: ["credit_limit": 50_000]).gates.map(\.name) == ["steward"])
        // A value that is not a number never passes a number's test.
        #expect(plan(changed: ["credit_limit"], proposed: ["credit_limit": "a lot"]).gates.map(\.name) == ["steward"])
    }

    @Test func gatesInParallelEachNeedTheirOwnApprover() throws {
        let both = plan(changed: ["bank_account"], source: "portal", trust: 40)
        #expect(both.gates.map(\.name) == ["bank", "portal"])
        var approvals = [GateApproval]()
        let nina = steward("nina", ["finance", "procurement"])
        approvals.append(GateApproval(by: nina.name, gate: try both.gate(for: nina, given: approvals)))
        #expect(approvals.last?.gate == "bank")
        // A procurement steward may approve at the portal gate while finance is still open.
        let paul = steward("paul", ["procurement"])
        approvals.append(GateApproval(by: paul.name, gate: try both.gate(for: paul, given: approvals)))
        #expect(approvals.last?.gate == "portal")
        #expect(!both.isSatisfied(by: approvals))
        #expect(both.states(given: approvals).map(\.status) == [.pending, .satisfied])
    }

    @Test func aGateThatNeedsTwoNeedsTwoPeople() throws {
        let bank = plan(changed: ["iban"])
        let first = [GateApproval(by: "fiona", gate: try bank.gate(for: steward("fiona", ["finance"]), given: []))]
        #expect(!bank.isSatisfied(by: first))
        #expect(bank.states(given: first).first?.status == .pending)
        let both = first + [GateApproval(by: "frank", gate: try bank.gate(for: steward("frank", ["finance"]), given: first))]
        #expect(bank.isSatisfied(by: both))
        #expect(bank.states(given: both).first?.status == .satisfied)
    }

    @Test func sequentialGatesOpenInTurn() throws {
        let create = plan(.create, changed: ["code", "name", "uom"])
        #expect(create.gates.map(\.name) == ["engineering", "procurement"])
        #expect(create.states(given: []).map(\.status) == [.pending, .waiting])
        let paul = steward("paul", ["procurement"])
        #expect(throws: GateRefusal.waiting(actor: "paul", gate: "procurement", for: ["engineering"])) {
            try create.gate(for: paul, given: [])
        }
        let approvals = [GateApproval(by: "erin", gate: try create.gate(for: steward("erin", ["engineering"]), given: []))]
        #expect(try create.gate(for: paul, given: approvals) == "procurement")
        #expect(create.states(given: approvals).map(\.status) == [.satisfied, .pending])
    }

    @Test func oneApprovalCountsAtOneGateOnly() throws {
        let create = plan(.create, changed: ["code"])
        let both = steward("bea", ["engineering", "procurement"])
        let approvals = [GateApproval(by: "bea", gate: try create.gate(for: both, given: []))]
        #expect(approvals[0].gate == "engineering")
        // Recorded at engineering, bea's approval leaves procurement needing somebody else; the
        // lifecycle refuses bea a second approval of the same change.
        #expect(!create.isSatisfied(by: approvals))
    }

    @Test func aStewardOutsideTheGroupIsToldWhoMayApprove() {
        let bank = plan(changed: ["bank_account"])
        #expect(throws: GateRefusal.notAnApprover(actor: "sam", open: [.init("bank", 2, .group("finance"))])) {
            try bank.gate(for: steward("sam"), given: [])
        }
        #expect(GateRefusal.notAnApprover(actor: "sam", open: [.init("bank", 2, .group("finance"))]).message
                    == "sam is not among the approvers of the gates still open (bank needs 2 of group finance); ask one of them to approve")
    }

    @Test func adminsApproveAtStewardGatesButNotForAGroupTheyAreNotIn() throws {
        let admin = Approver(name: "root", role: .admin)
        #expect(try plan(changed: ["name"]).gate(for: admin, given: []) == "steward")
        #expect(throws: GateRefusal.self) { try plan(changed: ["iban"]).gate(for: admin, given: []) }
        // Sources and consumers never approve.
        #expect(throws: GateRefusal.self) { try plan(changed: ["name"]).gate(for: Approver(name: "plm", role: .source), given: []) }
    }

    @Test func aTrustedDescriptionFixIsReleasedAtOnce() {
        let fix = plan(changed: ["description"], source: "plm", trust: 95)
        #expect(fix.autoApprovedBy == "trusted_description")
        // Held back after all (flagged as a possible duplicate), it is approved at the default gate.
        #expect(fix.gates.map(\.name) == ["steward"])
    }

    @Test func autoApprovalNeedsEveryTestOfItsGate() {
        // Not trusted enough, or more than the description changed: the default gate asks a steward.
        #expect(plan(changed: ["description"], source: "portal2", trust: 60).autoApprovedBy == nil)
        #expect(plan(changed: ["description", "name"], trust: 95).gates.map(\.name) == ["steward"])
        #expect(plan(changed: [], trust: 95).autoApprovedBy == nil)
    }

    @Test func aGateThatNeedsPeopleOverridesAutoApproval() {
        // From the portal, whose gate applies too: the portal's steward is asked, nothing is auto-approved.
        let fix = plan(changed: ["description"], source: "portal", trust: 95)
        #expect(fix.autoApprovedBy == nil)
        #expect(fix.gates.map(\.name) == ["portal"])
    }

    @Test func withoutGatesOneStewardApproves() {
        let bare = GatePlan([], for: GateSubject(kind: .update, changed: ["name"]))
        #expect(bare.gates == [GatePlan.stewardGate])
        #expect(bare.autoApprovedBy == nil)
    }
}

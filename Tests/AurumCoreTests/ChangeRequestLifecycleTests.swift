import AurumCore
import Testing

@Suite struct ChangeRequestLifecycleTests {
    func open(required: Int = 1) -> ChangeRequestLifecycle {
        let gates = GatePlan([ApprovalGate(name: "stewards", approvers: .role(.steward), needs: required)],
                             for: GateSubject(kind: .update, changed: ["name"]))
        return ChangeRequestLifecycle(status: .open, submittedBy: "plm-sync", revision: 2, gates: gates)
    }

    @Test func anEditRaisesTheRevisionLapsesApprovalsAndBarsTheEditor() throws {
        var lifecycle = open(required: 2)
        _ = try lifecycle.approve(by: steward("alice"))
        #expect(throws: ChangeRequestError.staleRevision(seen: 1, current: 2)) { try lifecycle.edit(by: "bob", seenRevision: 1) }
        #expect(try lifecycle.edit(by: "bob", seenRevision: 2) == .recordRevision(3))
        #expect(lifecycle.revision == 3 && lifecycle.approvers.isEmpty && lifecycle.editedBy == ["bob"])
        #expect(throws: ChangeRequestError.editorApproval(actor: "bob")) { try lifecycle.approve(by: steward("bob")) }
        #expect(throws: ChangeRequestError.staleRevision(seen: 2, current: 3)) { try lifecycle.approve(by: steward("carol"), seenRevision: 2) }
        #expect(try lifecycle.approve(by: steward("alice"), seenRevision: 3) == .recordApproval(gate: "stewards"), "alice approves the new revision again")
    }

    @Test func singleApprovalReleases() throws {
        var lifecycle = open()
        #expect(try lifecycle.approve(by: steward("alice")) == .recordApprovalAndRelease(gate: "stewards"))
        #expect(lifecycle.status == .released)
        #expect(lifecycle.approvers == ["alice"])
    }

    @Test func rejectsSelfApproval() {
        var lifecycle = open()
        #expect(throws: ChangeRequestError.selfApproval(actor: "plm-sync")) { try lifecycle.approve(by: steward("plm-sync")) }
        #expect(lifecycle.status == .open)
    }

    @Test func twoApprovalsNeedTwoPeople() throws {
        var lifecycle = open(required: 2)
        #expect(try lifecycle.approve(by: steward("alice")) == .recordApproval(gate: "stewards"))
        #expect(lifecycle.status == .open)
        #expect(throws: ChangeRequestError.alreadyApproved(actor: "alice")) { try lifecycle.approve(by: steward("alice")) }
        #expect(try lifecycle.approve(by: steward("bob")) == .recordApprovalAndRelease(gate: "stewards"))
    }

    @Test func approvalOfAnOlderRevisionIsRefused() throws {
        var lifecycle = open()
        #expect(throws: ChangeRequestError.staleRevision(seen: 1, current: 2)) { try lifecycle.approve(by: steward("alice"), seenRevision: 1) }
        #expect(try lifecycle.approve(by: steward("alice"), seenRevision: 2) == .recordApprovalAndRelease(gate: "stewards"))
    }

    @Test func rejectionNeedsAReason() throws {
        var lifecycle = open()
        #expect(throws: ChangeRequestError.reasonRequired) { try lifecycle.reject(by: "alice", reason: "  ") }
        #expect(try lifecycle.reject(by: "alice", reason: "wrong unit") == .recordRejection)
        #expect(lifecycle.status == .rejected)
    }

    @Test(arguments: [ChangeRequestStatus.released, .rejected, .superseded, .withdrawn])
    func nothingIsDecidedOnAClosedRequest(_ status: ChangeRequestStatus) {
        var lifecycle = ChangeRequestLifecycle(status: status, submittedBy: "plm-sync")
        #expect(throws: ChangeRequestError.notOpen(status: status)) { try lifecycle.approve(by: steward("alice")) }
        #expect(throws: ChangeRequestError.notOpen(status: status)) { try lifecycle.reject(by: "alice", reason: "no") }
        #expect(throws: ChangeRequestError.notOpen(status: status)) { try lifecycle.supersede() }
    }

    @Test func anApproverOutsideEveryOpenGateIsRefusedAndNothingCounts() throws {
        let gates = GatePlan([ApprovalGate(name: "finance", approvers: .group("finance"))], for: GateSubject(kind: .update, changed: ["iban"]))
        var lifecycle = ChangeRequestLifecycle(status: .open, submittedBy: "portal", gates: gates)
        #expect(throws: ChangeRequestError.gate(.notAnApprover(actor: "sam", open: [.init("finance", 1, .group("finance"))]))) {
            try lifecycle.approve(by: steward("sam"))
        }
        #expect(lifecycle.approvals.isEmpty && lifecycle.status == .open)
        #expect(try lifecycle.approve(by: Approver(name: "fiona", role: .steward, groups: ["finance"])) == .recordApprovalAndRelease(gate: "finance"))
    }

    @Test func onlyAnAutoApproveGateReleasesWithoutAnyone() throws {
        let trusted = [ApprovalGate(name: "trusted", when: GateCondition(onlyChanged: ["description"]), approvers: nil),
                       ApprovalGate(name: "steward", approvers: .role(.steward))]
        var fix = ChangeRequestLifecycle(status: .open, submittedBy: "plm", gates: GatePlan(trusted, for: GateSubject(kind: .update, changed: ["description"])))
        #expect(try fix.autoApprove() == .recordAutoApproval(gate: "trusted") && fix.status == .released)
        #expect(throws: ChangeRequestError.notOpen(status: .released)) { try fix.autoApprove() }
        var other = ChangeRequestLifecycle(status: .open, submittedBy: "plm", gates: GatePlan(trusted, for: GateSubject(kind: .update, changed: ["name"])))
        #expect(try other.autoApprove() == nil && other.status == .open)
    }

    @Test func adminsAreBoundByFourEyesToo() {
        var lifecycle = ChangeRequestLifecycle(status: .open, submittedBy: "root")
        #expect(throws: ChangeRequestError.selfApproval(actor: "root")) { try lifecycle.approve(by: Approver(name: "root", role: .admin)) }
    }

    @Test func openRequestCanBeSuperseded() throws {
        var lifecycle = open()
        #expect(try lifecycle.supersede() == .recordSupersession)
        #expect(lifecycle.status == .superseded)
    }
}

private func steward(_ name: String) -> Approver { Approver(name: name, role: .steward) }

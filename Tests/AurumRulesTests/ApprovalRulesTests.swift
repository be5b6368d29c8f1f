import AurumCore
import AurumRules
import AurumTestSupport
import Foundation
import Testing

@Suite struct ApprovalRulesTests {
    let settings = "sources:\n  plm:\n    trust: 90\n    entities: [supplier]\n  portal:\n    trust: 40\n    entities: [supplier]\n"
    let supplier = """
        entity: supplier
        attributes:
          name:
            type: string
            required: true
          description:
            type: string
          bank_account:
            type: string
          credit_limit:
            type: decimal
        approve:
          - gate: finance
            when: {changed: [bank_account]}
            approvers: {group: finance}
            needs: 2
          - gate: credit
            when:
              values: [{attribute: credit_limit, above: 10000}]
            approvers: {group: finance}
          - gate: engineering
            when: {kind: create}
            approvers: {group: engineering}
          - gate: procurement
            when: {kind: [create]}
            approvers: {group: procurement}
            after: engineering
          - gate: trusted_description
            when: {only_changed: [description], source_trust_at_least: 90}
            auto_approve: true
          - gate: portal
            when: {source: portal}
            approvers: {role: steward}
          - gate: steward
            approvers: {role: steward}
        """

    func withRules(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-gates-\(UUID().uuidString)")
        let directory = root.appendingPathComponent("rules").path
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        try body(directory)
    }

    func problems(_ text: String) throws -> [String] {
        var result = [String]()
        try withRules(["aurum.yaml": settings, "supplier.yaml": text]) { directory in
            result = RulesLoader.check(directory: directory).1.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line): \($0.message)" }
        }
        return result
    }

    @Test func theShippedGatesAskWhatTheManufacturerNeeds() throws {
        let rules = try SampleRules.shipped()
        let item = try #require(rules.entities["item"]?.gates), supplier = try #require(rules.entities["supplier"]?.gates)
        let trust = rules.trust
        // A new item: engineering, then procurement.
        let create = GatePlan(item, for: GateSubject(kind: .create, changed: ["code", "name", "uom"], source: "plm", sourceTrust: trust["plm"]))
        #expect(create.gates.map(\.name) == ["engineering", "procurement"] && create.gates[1].after == ["engineering"])
        // A description alone from PLM (trust 90) is released at once; from the warehouse (70) a steward looks.
        #expect(GatePlan(item, for: GateSubject(kind: .update, changed: ["description"], source: "plm", sourceTrust: trust["plm"])).autoApprovedBy
                == "trusted_description")
        #expect(GatePlan(item, for: GateSubject(kind: .update, changed: ["description"], source: "wms", sourceTrust: trust["wms"])).gates.map(\.name)
                == ["steward"])
        // A supplier's bank account: two people of finance.
        let bank = GatePlan(supplier, for: GateSubject(kind: .update, changed: ["bank_account"], source: "procurement", sourceTrust: trust["procurement"]))
        #expect(bank.gates == [ApprovalGate(name: "finance", when: GateCondition(changed: ["bank_account", "bank_bic"]), approvers: .group("finance"), needs: 2)])
        #expect(GatePlan(supplier, for: GateSubject(kind: .update, changed: ["email"], source: "portal")).gates.map(\.name) == ["steward"])
    }

    @Test func gatesAreReadInTheirOrder() throws {
        try withRules(["aurum.yaml": settings, "supplier.yaml": supplier]) { directory in
            let gates = try #require(try RulesLoader.load(directory: directory).entities["supplier"]?.gates)
            #expect(gates == [
                ApprovalGate(name: "finance", when: GateCondition(changed: ["bank_account"]), approvers: .group("finance"), needs: 2),
                ApprovalGate(name: "credit", when: GateCondition(values: [ValueCondition(attribute: "credit_limit", test: .above(10_000))]),
                             approvers: .group("finance")),
                ApprovalGate(name: "engineering", when: GateCondition(kinds: [.create]), approvers: .group("engineering")),
                ApprovalGate(name: "procurement", when: GateCondition(kinds: [.create]), approvers: .group("procurement"), after: ["engineering"]),
                ApprovalGate(name: "trusted_description", when: GateCondition(onlyChanged: ["description"], minimumTrust: 90), approvers: nil),
                ApprovalGate(name: "portal", when: GateCondition(sources: ["portal"]), approvers: .role(.steward)),
                ApprovalGate(name: "steward", approvers: .role(.steward)),
            ])
        }
    }

    @Test func mistakesInGatesAreNamedWithFileAndLine() throws {
        let wrong = supplier
            .replacingOccurrences(of: "when: {changed: [bank_account]}", with: "when: {changed: [bank_acount]}")
            .replacingOccurrences(of: "after: engineering", with: "after: engineerng")
            .replacingOccurrences(of: "when: {source: portal}", with: "when: {source: portl}")
            .replacingOccurrences(of: "  - gate: steward\n    approvers: {role: steward}", with: "  - gate: steward\n    approvers: {role: consumer}")
            .replacingOccurrences(of: "above: 10000", with: "over: 10000")
        let found = try problems(wrong)
        #expect(found == [
            "supplier.yaml:14: gate finance: when.changed names unknown attribute \"bank_acount\" (did you mean \"bank_account\"?)",
            "supplier.yaml:19: unknown key \"over\" in each entry of gate credit: when.values; allowed: attribute, above, at_least, below, at_most, in",
            "supplier.yaml:19: gate credit: when.values for credit_limit needs exactly one test: above, at_least, below, at_most, in",
            "supplier.yaml:27: gate procurement comes after \"engineerng\", which is not a gate listed before it (did you mean \"engineering\"?); list the gate it waits for first",
            "supplier.yaml:32: gate portal: when.source names unknown source \"portl\" (did you mean \"portal\"?); aurum.yaml declares plm, portal",
            "supplier.yaml:35: gate steward: only stewards and admins approve; role consumer cannot",
        ], "\(found)")
    }

    @Test func aGateNeedsApproversOrAConditionalAutoApproval() throws {
        let text = """
            entity: supplier
            attributes:
              name:
                type: string
            approve:
              - gate: everything
                auto_approve: true
              - gate: nobody
                when: {kind: update}
              - gate: both
                when: {kind: update}
                approvers: {group: finance}
                auto_approve: true
              - gate: nobody
                approvers: {role: steward}
                needs: 0
            """
        #expect(try problems(text) == [
            "supplier.yaml:6: gate everything auto-approves every change; give it a when: (e.g. only_changed: [description]) so that it releases only low-risk changes",
            "supplier.yaml:8: gate nobody needs approvers: {group: NAME} or {role: steward}, or auto_approve: true",
            "supplier.yaml:10: gate both both auto-approves and names approvers; keep one of auto_approve: true and approvers:",
            "supplier.yaml:16: gate nobody: needs must be at least 1 (distinct approvers)",
        ])
    }
}

import AurumCore
import AurumStore
import AurumTestSupport
import Testing

/// The shipped rules with gates on items: a new item needs engineering, then procurement; a
/// changed code needs two people of finance.
func gatedRules() throws -> RuleSet {
    var rules = try SampleRules.shipped()
    rules.entities["item"]!.gates = [
        ApprovalGate(name: "engineering", when: GateCondition(kinds: [.create]), approvers: .group("engineering")),
        ApprovalGate(name: "procurement", when: GateCondition(kinds: [.create]), approvers: .group("procurement"), after: ["engineering"]),
        ApprovalGate(name: "finance", when: GateCondition(changed: ["list_price"]), approvers: .group("finance"), needs: 2),
        ApprovalGate(name: "trusted_description", when: GateCondition(onlyChanged: ["description"], minimumTrust: 90), approvers: nil),
        ApprovalGate(name: "steward", approvers: .role(.steward)),
    ]
    return rules
}

/// A hex bolt created by `source` and released through engineering and procurement; its record.
func releasedItem(_ key: String, in t: TestStore, from source: Principal) async throws -> Int64 {
    let erin = try await t.actor("erin-\(key)", .steward, groups: ["engineering"])
    let paul = try await t.actor("paul-\(key)", .steward, groups: ["procurement"])
    let id = try #require(try await t.store.ingest([SampleRules.item(key, SampleRules.hexBolt)], by: source, requestID: "r")[0].changeRequestID)
    _ = try await t.store.approve(changeRequest: id, by: erin.principal, comment: nil, revision: nil, requestID: "r")
    return try #require(try await t.store.approve(changeRequest: id, by: paul.principal, comment: nil, revision: nil, requestID: "r").recordID)
}

/// What a store call threw, or nil when it succeeded.
private func refusal(_ call: () async throws -> DecisionResult) async -> StoreError? {
    do { _ = try await call(); return nil } catch let error as StoreError { return error } catch { return .unavailable("\(error)") }
}

@Suite struct ApprovalGateFlowTests {
    @Test func aNewItemPassesEngineeringThenProcurement() async throws {
        try await TestStore.with(rules: try gatedRules()) { t in
            let plm = try await t.actor("plm-sync", .source)
            let erin = try await t.actor("erin", .steward, groups: ["engineering"])
            let paul = try await t.actor("paul", .steward, groups: ["procurement"])
            let sam = try await t.actor("sam", .steward)
            let id = try #require(try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0].changeRequestID)
            #expect(try await t.store.changeRequest(id: id)?.gates.map { "\($0.name):\($0.status)" } == ["engineering:pending", "procurement:waiting"])

            // Procurement waits for engineering; a steward in neither group is told who may approve.
            guard case .conflict(let waiting) = await refusal({ try await t.store.approve(changeRequest: id, by: paul.principal, comment: nil, revision: nil, requestID: "r") }) else {
                Issue.record("procurement approved before engineering"); return
            }
            #expect(waiting == "paul approves at gate procurement, which waits for engineering; those must approve first")
            guard case .forbidden(let outside) = await refusal({ try await t.store.approve(changeRequest: id, by: sam.principal, comment: nil, revision: nil, requestID: "r") }) else {
                Issue.record("a steward outside the gates approved"); return
            }
            #expect(outside.hasPrefix("sam is not among the approvers of the gates still open (engineering needs 1 of group engineering"))

            let first = try await t.store.approve(changeRequest: id, by: erin.principal, comment: "fits", revision: nil, requestID: "r")
            #expect(first.status == .open)
            let halfway = try #require(try await t.store.changeRequest(id: id))
            #expect(halfway.gates.map { "\($0.name):\($0.status)" } == ["engineering:satisfied", "procurement:pending"])
            #expect(halfway.gates[0].approvals.map(\.by) == ["erin"])
            #expect(halfway.approvals.map(\.gate) == ["engineering"])
            // Erin's one approval counts at one gate: she cannot approve procurement's too.
            #expect(await refusal({ try await t.store.approve(changeRequest: id, by: erin.principal, comment: nil, revision: nil, requestID: "r") })
                    == .conflict("erin has already approved this change; a second approval must come from someone else"))

            let released = try await t.store.approve(changeRequest: id, by: paul.principal, comment: nil, revision: nil, requestID: "r")
            #expect(released.status == .released && released.version == 1)
            #expect(try await t.auditActions(subject: "change_request:\(id)") == ["change_request.opened", "change_request.approved", "change_request.approved"])
        }
    }

    @Test func aGateThatNeedsTwoTakesTwoPeopleOfItsGroup() async throws {
        try await TestStore.with(rules: try gatedRules()) { t in
            let plm = try await t.actor("plm-sync", .source)
            let fiona = try await t.actor("fiona", .steward, groups: ["finance"])
            let frank = try await t.actor("frank", .admin, groups: ["finance"])
            _ = try await releasedItem("PLM-2", in: t, from: plm.principal)
            var priced = SampleRules.hexBolt
            priced["list_price"] = 0.42
            let update = try #require(try await t.store.ingest([SampleRules.item("PLM-2", priced)], by: plm.principal, requestID: "r")[0].changeRequestID)
            #expect(try await t.store.changeRequest(id: update)?.gates.map(\.name) == ["finance"])
            #expect(try await t.store.approve(changeRequest: update, by: fiona.principal, comment: nil, revision: nil, requestID: "r").status == .open)
            #expect(try await t.store.approve(changeRequest: update, by: frank.principal, comment: nil, revision: nil, requestID: "r").status == .released)
        }
    }

    @Test func aTrustedSourcesDescriptionIsReleasedAtOnceByItsGate() async throws {
        try await TestStore.with(rules: try gatedRules()) { t in
            let plm = try await t.actor("plm-sync", .source)
            let wms = try await t.actor("wms-sync", .source, sources: ["wms"])
            let recordID = try await releasedItem("PLM-4", in: t, from: plm.principal)
            var described = SampleRules.hexBolt
            described["description"] = "Hexagon head bolt, ISO 4017"
            let fix = try #require(try await t.store.ingest([SampleRules.item("PLM-4", described)], by: plm.principal, requestID: "r2")[0].changeRequestID)
            let released = try #require(try await t.store.changeRequest(id: fix))
            #expect(released.status == .released && released.autoApprovedBy == "trusted_description")
            #expect(try await t.store.record(entity: "item", id: recordID)?.version == 2)
            #expect(try await t.auditActions(subject: "change_request:\(fix)") == ["change_request.opened", "change_request.auto_approved"])
            let releasedBy = try await t.client.query("SELECT released_by FROM golden_version WHERE record_id = \(recordID) AND version = 2")
            #expect(try await releasedBy.decode(String.self).first(where: { _ in true }) == "gate:trusted_description")

            // The same fix from a source trusted less (wms, 70) waits for a steward at the default gate.
            described["description"] = "Hex bolt, ISO 4017, zinc plated"
            let other = try #require(try await t.store.ingest([SampleRules.item("WMS-4", described, source: "wms")], by: wms.principal, requestID: "r3")[0].changeRequestID)
            let waiting = try #require(try await t.store.changeRequest(id: other))
            #expect(waiting.status == .open && waiting.autoApprovedBy == nil)
        }
    }

    @Test func concurrentAutoApprovedFixesOfOneRecordEachBecomeAVersion() async throws {
        try await TestStore.with(rules: try gatedRules()) { t in
            let plm = try await t.actor("plm-sync", .source)
            let recordID = try await releasedItem("PLM-5", in: t, from: plm.principal)
            let outcomes = await withTaskGroup(of: String?.self) { group in
                for n in 0..<10 {
                    group.addTask {
                        var described = SampleRules.hexBolt
                        described["description"] = .string("Hex bolt, revision \(n)")
                        do {
                            _ = try await t.store.ingest([SampleRules.item("PLM-5", described)], by: plm.principal, requestID: "d\(n)")
                            return nil
                        } catch { return "\(error)" }
                    }
                }
                return await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(outcomes.compactMap { $0 }.isEmpty, "\(outcomes)")
            // Each fix met the version before it and was released by the gate: eleven versions, none open.
            let versions = try #require(try await t.store.versions(entity: "item", id: recordID))
            #expect(versions.map(\.version) == Array(1...11))
            #expect(try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10).isEmpty)
        }
    }

    @Test func twentyConcurrentDecisionsGiveExactlyOne() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            var stewards = [Principal]()
            for n in 0..<20 { stewards.append(try await t.actor("steward-\(n)", .steward).principal) }
            let id = try #require(try await t.store.ingest([SampleRules.item("PLM-3", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0].changeRequestID)
            let outcomes = await withTaskGroup(of: StoreError?.self) { group in
                for (n, steward) in stewards.enumerated() {
                    group.addTask {
                        await refusal {
                            n % 2 == 0
                                ? try await t.store.approve(changeRequest: id, by: steward, comment: nil, revision: nil, requestID: "r\(n)")
                                : try await t.store.reject(changeRequest: id, by: steward, reason: "not ours", requestID: "r\(n)")
                        }
                    }
                }
                return await group.reduce(into: [StoreError?]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1)
            #expect(outcomes.compactMap { $0 }.count == 19)
            #expect(outcomes.compactMap { $0 }.allSatisfy { if case .conflict = $0 { true } else { false } })
            let decided = try #require(try await t.store.changeRequest(id: id))
            #expect(decided.status == .released || decided.status == .rejected)
            // The audit holds the one decision and nothing of the nineteen refused.
            let actions = try await t.auditActions(subject: "change_request:\(id)")
            #expect(actions == ["change_request.opened", decided.status == .released ? "change_request.approved" : "change_request.rejected"])
        }
    }
}

/// The status board counts open change requests per gate by groups of alike requests; each
/// request still counts once, where it waits, by its own age, approvals and values.
@Suite struct StatusBoardGateCountTests {
    @Test func alikeRequestsAreCountedTogetherAndUnlikeOnesApart() async throws {
        var rules = try gatedRules()
        // A value test: an expensive item also needs finance.
        rules.entities["item"]!.gates.insert(ApprovalGate(name: "expensive", when: GateCondition(kinds: [.create], values: [
            ValueCondition(attribute: "list_price", test: .atLeast(1000))]), approvers: .group("finance")), at: 2)
        try await TestStore.with(rules: rules) { t in
            let plm = try await t.actor("plm-sync", .source)
            let erin = try await t.actor("erin", .steward, groups: ["engineering"])
            var cheap = SampleRules.hexBolt, dear = SampleRules.hexBolt
            cheap["list_price"] = 10
            dear["list_price"] = 2500
            let ids = try await t.store.ingest((1...5).map { SampleRules.item("C-\($0)", cheap) } + [SampleRules.item("D-1", dear)],
                                               by: plm.principal, requestID: "r").map { try #require($0.changeRequestID) }
            // One cheap one past engineering; another waiting for a week and a half.
            _ = try await t.store.approve(changeRequest: ids[0], by: erin.principal, comment: nil, revision: nil, requestID: "r")
            try await t.asOwner { client in
                try await client.query("UPDATE change_request SET created_at = now() - interval '10 days' WHERE id = \(ids[1])", logger: TestLogger.quiet)
            }
            let board = try await t.store.statusBoard(entities: ["item"])
            let gates = Dictionary(uniqueKeysWithValues: try #require(board.entities.first).gates.map { ($0.gate, $0) })
            #expect(gates["engineering"] == StatusBoard.Gate(gate: "engineering", pending: .init(underOneDay: 4, overSevenDays: 1)),
                    "five wait for engineering, one of them ten days: \(gates)")
            #expect(gates["procurement"] == StatusBoard.Gate(gate: "procurement", pending: .init(underOneDay: 1), waiting: 5),
                    "the approved one waits for procurement, the others behind engineering")
            #expect(gates["expensive"] == StatusBoard.Gate(gate: "expensive", pending: .init(underOneDay: 1)), "the dear one alone: \(gates)")
            #expect(board.entities.first?.open == .init(underOneDay: 5, overSevenDays: 1))
        }
    }
}

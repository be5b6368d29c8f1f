import AurumCore
import AurumStore
import AurumTestSupport
import Testing

@Suite struct QueueFilterTests {
    @Test func theQueueFiltersByGateByWhoMayApproveAndByWhatTheDatabaseHolds() async throws {
        try await TestStore.with(rules: try gatedRules()) { t in
            let plm = try await t.actor("plm-sync", .source)
            let erin = try await t.actor("erin", .steward, groups: ["engineering"])
            let paul = try await t.actor("paul", .steward, groups: ["procurement"])
            let first = try #require(try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0].changeRequestID)
            let second = try #require(try await t.store.ingest([SampleRules.item("PLM-2", ["code": "B-2002", "name": "Wing nut M6", "uom": "Units"])],
                                                               by: plm.principal, requestID: "r")[0].changeRequestID)
            _ = try await t.store.approve(changeRequest: first, by: erin.principal, comment: nil, revision: nil, requestID: "r")

            func ids(_ change: (inout QueueFilter) -> Void) async throws -> [Int64] {
                var filter = QueueFilter()
                filter.entities = t.allEntities
                change(&filter)
                return try await t.store.changeRequests(filter).map(\.id)
            }
            #expect(try await ids { $0.gate = "engineering" } == [second])
            #expect(try await ids { $0.gate = "procurement" } == [first])
            // Erin approved the first already; paul's gate is open on the first only.
            #expect(try await ids { $0.approvableBy = erin.principal.approver } == [second])
            #expect(try await ids { $0.approvableBy = paul.principal.approver } == [first])
            #expect(try await ids { $0.approvableBy = plm.principal.approver }.isEmpty)
            #expect(try await ids { $0.entity = "supplier" }.isEmpty)
            #expect(try await ids { $0.source = "plm" } == [first, second])
            #expect(try await ids { $0.source = "wms" }.isEmpty)
            #expect(try await ids { $0.olderThanSeconds = 3600 }.isEmpty)
            #expect(try await ids { $0.withDuplicates = true }.isEmpty)
            #expect(try await ids { $0.limit = 1 } == [first])
            // A steward scoped to suppliers sees no items, whatever entity is asked for.
            #expect(try await ids { ($0.entities, $0.entity) = (["supplier"], "item") }.isEmpty)
        }
    }
}

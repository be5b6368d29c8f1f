import AurumCore
import AurumStore
import AurumTestSupport
import Testing

/// Block, unblock and obsolete of golden records: change requests through approval, a new
/// version carrying the state, blocked records refused as references, and one state change open
/// per record however many stewards ask at once.
@Suite struct RecordStateTests {
    static func supplier(_ key: String) -> CandidateSubmission {
        CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: key, attributes: MergeTests.acme)
    }

    @Test func aBlockedSupplierStaysReadableButNoNewItemMayNameItAndUnblockingLiftsThat() async throws {
        try await TestStore.with { t in
            let alice = try await t.actor("alice", .steward)
            let bob = try await t.actor("bob", .steward)
            let plm = try await t.actor("plm-sync", .source)
            let supplier = try #require(try await t.release([Self.supplier("V-1")]).first)

            let block = try await t.store.changeState(.block, entity: "supplier", record: supplier, by: alice.principal,
                                                      reason: "bank details under review", requestID: "r")
            #expect(block.kind == .block && block.status == .open && block.recordID == supplier && block.diff.isEmpty)
            #expect(block.reason == "bank details under review" && block.gates.map(\.status) == [.pending])
            await #expect(throws: StoreError.self, "the proposer may not approve it") {
                _ = try await t.store.approve(changeRequest: block.id, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            }
            await #expect(throws: StoreError.conflict("change request \(block.id) is a block and changes no values; approve or withdraw it, and edit the values in a change of their own")) {
                _ = try await t.store.edit(changeRequest: block.id, by: bob.principal, set: ["city": "Ulm"], revision: nil, comment: nil, requestID: "r")
            }
            let released = try await t.store.approve(changeRequest: block.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            #expect(released.status == .released && released.version == 2)
            let blocked = try #require(try await t.store.record(entity: "supplier", id: supplier))
            let history = try #require(try await t.store.versions(entity: "supplier", id: supplier))
            #expect(blocked.state == .blocked && blocked.version == 2 && blocked.attributes == history[0].attributes)
            #expect(try await t.auditActions(subject: "record:\(supplier)").suffix(1) == ["record.blocked"])

            // A new item naming the blocked supplier is rejected, saying why.
            var item = SampleRules.hexBolt
            item["supplier"] = .number(Double(supplier))
            let rejected = try await t.store.ingest([SampleRules.item("PLM-7", item)], by: plm.principal, requestID: "r")[0]
            #expect(rejected.status == .rejected)
            #expect(rejected.errors.map(\.message) == ["supplier \(supplier) is blocked; only an active supplier may be referenced"])

            await #expect(throws: StoreError.conflict("supplier \(supplier) cannot be blocked: it is blocked already")) {
                _ = try await t.store.changeState(.block, entity: "supplier", record: supplier, by: alice.principal, reason: "again", requestID: "r")
            }
            let unblock = try await t.store.changeState(.unblock, entity: "supplier", record: supplier, by: bob.principal, reason: "confirmed", requestID: "r")
            #expect(try await t.store.approve(changeRequest: unblock.id, by: alice.principal, comment: nil, revision: nil, requestID: "r").version == 3)
            #expect(try await t.store.record(entity: "supplier", id: supplier)?.state == .active)
            let accepted = try await t.store.ingest([SampleRules.item("PLM-7", item)], by: plm.principal, requestID: "r")[0]
            #expect(accepted.status == .proposed)
        }
    }

    @Test func anUpdateWaitsBesideABlockIsNotSupersededByItAndKeepsTheRecordBlocked() async throws {
        try await TestStore.with { t in
            let alice = try await t.actor("alice", .steward)
            let bob = try await t.actor("bob", .steward)
            let sync = try await t.actor("sync", .source, sources: ["procurement"])
            let supplier = try #require(try await t.release([Self.supplier("V-2")]).first)
            let block = try await t.store.changeState(.block, entity: "supplier", record: supplier, by: alice.principal, reason: "audit", requestID: "r")
            var moved = MergeTests.acme
            moved["city"] = "Esslingen"
            let update = try await t.store.ingest([CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "V-2", attributes: moved)],
                                                  by: sync.principal, requestID: "r")[0]
            #expect(update.status == .proposed && update.changeRequestID != block.id)
            #expect(try await t.store.changeRequest(id: block.id)?.status == .open, "the candidate does not supersede the block")
            // The block is released first; the update, proposed against version 1, still applies
            // (the block changed no values) and leaves the record blocked.
            _ = try await t.store.approve(changeRequest: block.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            let updateID = try #require(update.changeRequestID)
            let decision = try await t.store.approve(changeRequest: updateID, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            #expect(decision.version == 3)
            let record = try #require(try await t.store.record(entity: "supplier", id: supplier))
            #expect(record.state == .blocked && record.attributes["city"] == "Esslingen")
        }
    }

    @Test func obsoleteIsForGoodAndRefusalsNameTheRecord() async throws {
        try await TestStore.with { t in
            let alice = try await t.actor("alice", .steward)
            let bob = try await t.actor("bob", .steward)
            let carol = try await t.actor("carol", .steward, entities: ["item"])
            let plm = try await t.actor("plm-sync", .source, sources: ["procurement"])
            let item = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
            let obsolete = try await t.store.changeState(.obsolete, entity: "item", record: item, by: alice.principal, reason: "discontinued", requestID: "r")
            _ = try await t.store.approve(changeRequest: obsolete.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            #expect(try await t.store.record(entity: "item", id: item)?.state == .obsolete)
            for change in RecordStateChange.allCases {
                await #expect(throws: StoreError.self, "\(change) of an obsolete record") {
                    _ = try await t.store.changeState(change, entity: "item", record: item, by: alice.principal, reason: "x", requestID: "r")
                }
            }
            await #expect(throws: StoreError.notFound("item 999 does not exist")) {
                _ = try await t.store.changeState(.block, entity: "item", record: 999, by: alice.principal, reason: "x", requestID: "r")
            }
            await #expect(throws: StoreError.notFound("supplier 1 does not exist"), "outside the token's entities: not found") {
                _ = try await t.store.changeState(.block, entity: "supplier", record: 1, by: carol.principal, reason: "x", requestID: "r")
            }
            await #expect(throws: StoreError.self, "a source may not block") {
                _ = try await t.store.changeState(.block, entity: "item", record: item, by: plm.principal, reason: "x", requestID: "r")
            }
            await #expect(throws: StoreError.invalid("a block needs a reason (--reason), kept in the audit trail and shown to the approvers")) {
                _ = try await t.store.changeState(.block, entity: "item", record: item, by: alice.principal, reason: " ", requestID: "r")
            }
        }
    }

    @Test func twentyStewardsBlockingOneRecordAtOnceOpenOneChangeRequest() async throws {
        try await TestStore.with { t in
            var stewards = [Principal]()
            for n in 0..<20 { stewards.append(try await t.actor("steward-\(n)", .steward).principal) }
            let supplier = try #require(try await t.release([Self.supplier("V-3")]).first)
            let outcomes = await withTaskGroup(of: Result<Int64, StoreError>.self) { group in
                for (n, steward) in stewards.enumerated() {
                    group.addTask {
                        do {
                            return .success(try await t.store.changeState(n % 2 == 0 ? .block : .obsolete, entity: "supplier", record: supplier,
                                                                          by: steward, reason: "r\(n)", requestID: "r\(n)").id)
                        } catch let error as StoreError { return .failure(error) } catch { return .failure(.unavailable("\(error)")) }
                    }
                }
                return await group.reduce(into: [Result<Int64, StoreError>]()) { $0.append($1) }
            }
            let opened = outcomes.compactMap { try? $0.get() }
            #expect(opened.count == 1)
            #expect(outcomes.filter { if case .failure(.conflict) = $0 { true } else { false } }.count == 19)
            let open = try await t.client.query("""
                SELECT count(*) FROM change_request WHERE record_id = \(supplier) AND status = 'open'
                """, logger: TestLogger.quiet)
            #expect(try await open.decode(Int.self).first(where: { _ in true }) == 1)
        }
    }
}

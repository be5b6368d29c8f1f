import AurumCore
import AurumStore
import AurumTestSupport
import Testing

@Suite struct WithdrawAndCommentTests {
    @Test func aWithdrawnChangeRequestIsClosedItsKeysGoneAndTheReasonAudited() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let id = try #require(try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0].changeRequestID)
            await #expect(throws: StoreError.self) { _ = try await t.store.withdraw(changeRequest: id, by: plm.principal, reason: nil, requestID: "r") }
            let result = try await t.store.withdraw(changeRequest: id, by: alice.principal, reason: "sent twice", requestID: "r")
            #expect(result.status == .withdrawn)
            let closed = try #require(try await t.store.changeRequest(id: id))
            #expect(closed.status == .withdrawn && closed.reason == "sent twice" && closed.decidedAt != nil)
            await #expect(throws: StoreError.conflict("the change request is withdrawn, not open; nothing can be decided on it any more")) {
                _ = try await t.store.approve(changeRequest: id, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            }
            let keys = try await t.client.query("SELECT count(*) FROM match_key WHERE change_request_id = \(id)", logger: TestLogger.quiet)
            #expect(try await keys.decode(Int.self).first(where: { _ in true }) == 0)
            #expect(try await t.auditActions(subject: "change_request:\(id)") == ["change_request.opened", "change_request.withdrawn"])
            // The same candidate again opens a new proposal: nothing is left open to meet.
            let again = try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            #expect(again.status == .proposed && again.changeRequestID != id)
        }
    }

    @Test func concurrentWithdrawalsAndApprovalsEndInExactlyOneDecision() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            var stewards = [Principal]()
            for n in 0..<12 { stewards.append(try await t.actor("steward-\(n)", .steward).principal) }
            let id = try #require(try await t.store.ingest([SampleRules.item("PLM-9", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0].changeRequestID)
            let failures = await withTaskGroup(of: StoreError?.self) { group in
                for (n, steward) in stewards.enumerated() {
                    group.addTask {
                        do {
                            _ = n % 2 == 0
                                ? try await t.store.withdraw(changeRequest: id, by: steward, reason: "moot", requestID: "w\(n)")
                                : try await t.store.approve(changeRequest: id, by: steward, comment: nil, revision: nil, requestID: "a\(n)")
                            return nil
                        } catch let error as StoreError { return error } catch { return .unavailable("\(error)") }
                    }
                }
                return await group.reduce(into: [StoreError?]()) { $0.append($1) }
            }
            #expect(failures.filter { $0 == nil }.count == 1)
            #expect(failures.compactMap { $0 }.allSatisfy { if case .conflict = $0 { true } else { false } })
            let decided = try #require(try await t.store.changeRequest(id: id)).status
            #expect(try await t.auditActions(subject: "change_request:\(id)")
                    == ["change_request.opened", decided == .withdrawn ? "change_request.withdrawn" : "change_request.approved"])
        }
    }

    @Test func commentsAreKeptInOrderAndShownWithTheChangeRequest() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let bob = try await t.actor("bob", .steward, entities: ["supplier"])
            let id = try #require(try await t.store.ingest([SampleRules.item("PLM-2", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0].changeRequestID)
            _ = try await t.store.comment(changeRequest: id, by: alice.principal, text: "asked engineering for the drawing", requestID: "r")
            let shown = try await t.store.comment(changeRequest: id, by: alice.principal, text: "drawing received", requestID: "r")
            #expect(shown.comments.map(\.text) == ["asked engineering for the drawing", "drawing received"])
            #expect(shown.comments.allSatisfy { $0.by == "alice" })
            // Outside the steward's entities the change request does not exist; a source may not comment.
            await #expect(throws: StoreError.notFound("change request \(id) does not exist")) {
                _ = try await t.store.comment(changeRequest: id, by: bob.principal, text: "hm", requestID: "r")
            }
            await #expect(throws: StoreError.self) { _ = try await t.store.comment(changeRequest: id, by: plm.principal, text: "hm", requestID: "r") }
            await #expect(throws: StoreError.invalid("a comment needs some text")) {
                _ = try await t.store.comment(changeRequest: id, by: alice.principal, text: "  ", requestID: "r")
            }
        }
    }
}

import AurumCore
import AurumServer
import AurumStore
import AurumTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Many requests at once on a real PostgreSQL, on every path that locks or checks uniqueness:
/// each ends in one consistent state, and no request ever answers 500.
@Suite struct ConcurrencyTests {
    static func candidate(_ key: String, _ attributes: String) -> String {
        #"{"entity":"item","source":"plm","source_key":"\#(key)","attributes":{\#(attributes)}}"#
    }

    static func stewards(_ count: Int, _ t: TestStore) async throws -> [String] {
        var tokens = [String]()
        for index in 0..<count { tokens.append(try await t.actor("steward-\(index)", .steward).token) }
        return tokens
    }

    @Test func twentyConcurrentDecisionsOnOneChangeRequestEndInOneDecision() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let proposed = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let id = try #require(proposed.json["change_request_id"]?.integerValue)
            let stewards = try await Self.stewards(20, t)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for (index, token) in stewards.enumerated() {
                    group.addTask {
                        index.isMultiple(of: 2)
                            ? try await client.call(.post, "/v1/change-requests/\(id)/approve", token: token).status
                            : try await client.call(.post, "/v1/change-requests/\(id)/reject", token: token, body: #"{"reason":"no"}"#).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses.map(\.code))")
            #expect(statuses.filter { $0 == .conflict }.count == 19, "\(statuses.map(\.code))")
            let decisions = try await t.auditActions(subject: "change_request:\(id)").filter { $0 == "change_request.approved" || $0 == "change_request.rejected" }
            #expect(decisions.count == 1, "\(decisions)")
            let request = try #require(try await t.store.changeRequest(id: Int64(id)))
            #expect(request.status == .released ? request.approvals.count == 1 : request.status == .rejected && request.approvals.isEmpty)
        }
    }

    /// Resends of one source key while a steward approves its update: locks are taken in one order
    /// (no deadlock), and a resend that meets a release in flight sees the released record.
    @Test func fiftyResendsWhileAStewardApprovesEndInOneOpenOrReleasedState() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let created = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let first = Int(try #require(created.json["change_request_id"]?.integerValue))
            let released = try await client.call(.post, "/v1/change-requests/\(first)/approve", token: tokens.steward)
            let recordID = try #require(released.json["record_id"]?.integerValue)
            let update = try await client.call(.post, "/v1/candidates", token: tokens.plm,
                                               body: Self.candidate("PLM-4711", #""weight":0.5"#))
            let updateID = Int(try #require(update.json["change_request_id"]?.integerValue))
            try await Self.race(client, approve: updateID, steward: tokens.admin, plm: tokens.plm, key: "PLM-4711")
            try await Self.expectOneState(t, key: "PLM-4711", recordID: Int64(recordID))
        }
    }

    /// The same while the record does not exist yet: a resend that meets the release of the create
    /// becomes an update of the new record, never a second create for the same source key.
    @Test func fiftyResendsWhileAStewardApprovesTheCreateNeverMakeASecondCreate() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let created = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let first = Int(try #require(created.json["change_request_id"]?.integerValue))
            try await Self.race(client, approve: first, steward: tokens.steward, plm: tokens.plm, key: "PLM-4711")
            let recordIDs = try await t.client.query(
                "SELECT record_id FROM record_source WHERE source_key = 'PLM-4711'", logger: TestLogger.quiet).decode(Int64.self).rows()
            if let recordID = recordIDs.first {
                try await Self.expectOneState(t, key: "PLM-4711", recordID: recordID)
            } else {
                let open = try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 100)
                #expect(open.count == 1 && open[0].kind == .create, "the approval lost to a resend: one open create remains")
            }
        }
    }

    /// Approves `id` while 50 candidates for `key` arrive; no answer may be a 500.
    static func race(_ client: any TestClientProtocol, approve id: Int, steward: String, plm: String, key: String) async throws {
        let statuses = try await withThrowingTaskGroup(of: (String, HTTPResponse.Status).self) { group in
            group.addTask { ("approve", try await client.call(.post, "/v1/change-requests/\(id)/approve", token: steward).status) }
            for index in 0..<50 {
                group.addTask {
                    let body = candidate(key, #""code":"B-1001","name":"Hex bolt M8x40","uom":"Units","weight":\#(Double(index + 1) / 1000)"#)
                    return ("resend", try await client.call(.post, "/v1/candidates", token: plm, body: body).status)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(!statuses.contains { $0.1.code >= 500 }, "\(statuses.filter { $0.1.code >= 500 })")
        #expect(statuses.filter { $0.0 == "resend" }.allSatisfy { $0.1 == .ok }, "\(statuses)")
        #expect(statuses.first { $0.0 == "approve" }.map { [.ok, .conflict].contains($0.1) } == true)
    }

    /// At most one open change request for the record; every one made for `key` after the record
    /// existed is an update of it; and the open one can be released.
    static func expectOneState(_ t: TestStore, key: String, recordID: Int64) async throws {
        let all = try await t.store.changeRequests(status: nil, entities: t.allEntities, limit: 1000).filter { $0.sourceKey == key }
        let open = all.filter { $0.status == .open }
        #expect(open.count <= 1, "\(open.map(\.id))")
        #expect(all.filter { $0.kind == .create }.count == 1, "one create for the source key, the first")
        #expect(all.filter { $0.kind == .update }.allSatisfy { $0.recordID == recordID })
        if let last = open.first {
            let closer = try await t.actor("closer", .steward)
            let decision = try await t.store.approve(changeRequest: last.id, by: closer.principal, comment: nil, revision: nil, requestID: "r")
            #expect(decision.status == .released && decision.recordID == recordID)
        }
    }

    @Test func twoChangeRequestsCarryingOneUniqueCodeApprovedAtOnceReleaseExactlyOne() async throws {
        try await withAPI { (client, tokens, t) async throws in
            var ids = [Int]()
            for key in ["PLM-A", "PLM-B"] {
                let proposed = try await client.call(.post, "/v1/candidates", token: tokens.plm,
                                                     body: Self.candidate(key, #""code":"B-7","name":"Nut M8 \#(key)","uom":"Units""#))
                ids.append(Int(try #require(proposed.json["change_request_id"]?.integerValue)))
            }
            let stewards = try await Self.stewards(2, t)
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, JSONValue).self) { group in
                for (id, token) in zip(ids, stewards) {
                    group.addTask {
                        let answer = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: token)
                        return (answer.status, answer.json)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.map(\.0.code).sorted() == [200, 409], "\(answers)")
            let refusal = try #require(answers.first { $0.0 == .conflict }?.1)
            #expect(refusal["detail"]?.stringValue?.contains("code") == true, "the conflict names the attribute: \(refusal)")
            let holders = try await t.client.query("""
                SELECT count(*)::int FROM golden_version gv JOIN golden_record gr ON gr.id = gv.record_id AND gv.version = gr.current_version
                WHERE gv.attributes ->> 'code' = 'B-7'
                """, logger: TestLogger.quiet).decode(Int.self).rows()
            #expect(holders == [1])
        }
    }

    /// Edits take the same locks as decisions: ten stewards editing revision 1 at once give one new
    /// revision and nine conflicts; an approval racing them is either of the old revision (409) or
    /// of the new one, never a 500.
    @Test func tenConcurrentEditsOfOneRevisionGiveOneNewRevision() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let proposed = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let id = try #require(proposed.json["change_request_id"]?.integerValue)
            let stewards = try await Self.stewards(10, t)
            let statuses = try await withThrowingTaskGroup(of: (String, HTTPResponse.Status).self) { group in
                for (index, token) in stewards.enumerated() {
                    group.addTask {
                        let body = #"{"set":{"weight":"0.0\#(index + 1)"},"revision":1}"#
                        return ("edit", try await client.call(.post, "/v1/change-requests/\(id)/edit", token: token, body: body).status)
                    }
                }
                group.addTask { ("approve", try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.admin,
                                                                   body: #"{"revision":1}"#).status) }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(!statuses.contains { $0.1.code >= 500 }, "\(statuses)")
            let edits = statuses.filter { $0.0 == "edit" }.map(\.1)
            let approved = statuses.filter { $0.0 == "approve" }.map(\.1.code) == [200]
            // Either the approval came first (every edit then meets a released request: 409), or one edit won.
            #expect(edits.filter { $0 == .ok }.count == (approved ? 0 : 1), "\(statuses)")
            #expect(edits.filter { $0 == .conflict }.count == (approved ? 10 : 9), "\(statuses)")
            let request = try #require(try await t.store.changeRequest(id: Int64(id)))
            #expect(approved ? request.status == .released && request.revision == 1 : request.status == .open && request.revision == 2)
        }
    }
}

import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// `Idempotency-Key` on the POSTs that change the store: a retry answers what the first call
/// answered and does nothing twice; the key reused for another request is 422; a duplicate sent
/// while the first is being worked is 409; keys are the caller's own.
@Suite struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    static func candidate(_ key: String, name: String = "Hex bolt") -> String {
        #"{"entity":"item","source":"plm","source_key":"\#(key)","attributes":{"code":"C-\#(key)","name":"\#(name)","uom":"Units"}}"#
    }

    static func count(_ t: TestStore, _ table: String) async throws -> Int {
        try await t.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestLogger.quiet).decode(Int.self).rows()[0]
    }

    @Test func aRetryAnswersTheFirstAnswerAndStoresNothingTwice() async throws {
        try await withAPI { client, tokens, t in
            let body = Self.candidate("K-1")
            let first = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body, headers: [Self.key: "\"3f6c0d1e-1\""])
            #expect(first.status == .ok && first.headers[Self.replayed] == nil)
            let audited = try await Self.count(t, "audit_entry")
            let again = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body, headers: [Self.key: "3f6c0d1e-1"])
            #expect(again.status == .ok && again.json == first.json && again.headers[Self.replayed] == "true", "quoted or not, the same key")
            let (candidates, requests) = (try await Self.count(t, "candidate"), try await Self.count(t, "change_request"))
            #expect(candidates == 1 && requests == 1)
            #expect(try await Self.count(t, "audit_entry") == audited, "a replay does no work and writes no entry")

            // A decision retried after its answer was lost: the same answer, not "decided already".
            let request = try #require(first.json["change_request_id"]?.integerValue)
            let approve = try await client.call(.post, "/v1/change-requests/\(request)/approve", token: tokens.steward, body: "{}",
                                                headers: [Self.key: "approve-\(request)"])
            let retried = try await client.call(.post, "/v1/change-requests/\(request)/approve", token: tokens.steward, body: "{}",
                                                 headers: [Self.key: "approve-\(request)"])
            #expect(approve.status == .ok && retried.status == .ok && retried.json == approve.json, "\(retried.json)")
            let plain = try await client.call(.post, "/v1/change-requests/\(request)/approve", token: tokens.steward, body: "{}")
            #expect(plain.status == .conflict, "without the key, a second approval is what it is")
        }
    }

    @Test func theSameKeyWithAnotherBodyIsRefusedAndKeysAreTheCallersOwn() async throws {
        try await withAPI { client, tokens, t in
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-1"), headers: [Self.key: "k"]).status == .ok)
            let other = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-1", name: "Hex bolt M8"),
                                              headers: [Self.key: "k"])
            #expect(other.status == .unprocessableContent && other.headers[.contentType] == "application/problem+json")
            #expect(other.json["detail"]?.stringValue?.contains("Idempotency-Key k was used before for another request") == true, "\(other.json)")
            let path = try await client.call(.post, "/v1/change-requests/1/withdraw", token: tokens.admin, body: "{}", headers: [Self.key: "k"])
            #expect(path.status == .ok, "another caller's key of the same name is another key: \(path.json)")
            #expect(try await Self.count(t, "candidate") == 1)
            for bad in ["", "\"\"", String(repeating: "x", count: 256), "a b", "caf\u{e9}"] {
                let refused = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-2"), headers: [Self.key: bad])
                #expect(refused.status == .badRequest, "\(bad): \(refused.status)")
            }
            #expect(try await Self.count(t, "candidate") == 1)
        }
    }

    /// While another request holds the key (its transaction runs), a duplicate is 409; once it
    /// is answered, the duplicate gets its answer.
    @Test func aDuplicateWhileTheFirstIsWorkedIs409() async throws {
        try await withAPI { client, tokens, t in
            let plm = try #require(try await t.store.principal(forToken: tokens.plm))
            try await t.client.withConnection { holder in
                try await holder.query("BEGIN", logger: TestLogger.quiet)
                try await holder.query("SELECT pg_advisory_xact_lock(hashtextextended('idempotency:' || \(plm.tokenID) || ':' || 'busy', 0))",
                                       logger: TestLogger.quiet)
                let duplicate = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-1"), headers: [Self.key: "busy"])
                #expect(duplicate.status == .conflict && duplicate.json["detail"]?.stringValue?.contains("is being worked on now") == true)
                try await holder.query("ROLLBACK", logger: TestLogger.quiet)
            }
            #expect(try await Self.count(t, "candidate") == 0)
            // Sixteen at once: one does the work; each other gets its answer or a 409, never a second candidate.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-2"), headers: [Self.key: "race"]).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .conflict } && statuses.contains(.ok), "\(statuses)")
            #expect(try await Self.count(t, "candidate") == 1)
        }
    }

    @Test func anExpiredKeyIsFreeAgain() async throws {
        var limits = ServerLimits()
        limits.idempotencyKeptSeconds = 0
        try await withAPI(limits: limits) { client, tokens, t in
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-1"), headers: [Self.key: "k"]).status == .ok)
            let later = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-1", name: "Hex bolt M8"),
                                              headers: [Self.key: "k"])
            #expect(later.status == .ok && later.headers[Self.replayed] == nil)
            #expect(try await Self.count(t, "idempotency_key") == 1, "the expired answer was removed, the new one kept")
        }
    }
}

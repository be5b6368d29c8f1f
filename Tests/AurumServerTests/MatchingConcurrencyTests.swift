import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Matching, linking and merging under concurrency on a real PostgreSQL: many requests at once,
/// one consistent state, never a 500.
@Suite struct MatchingConcurrencyTests {
    /// Ten sources' keys for one supplier arrive at once: each links to the released record, the
    /// record has one open change request at the end, and releasing it links all ten keys.
    @Test func tenKeysOfOneSupplierAtOnceEndInOneOpenUpdateCarryingAllOfThem() async throws {
        try await withAPI { (client, _, t) async throws in
            let procurement = try await t.actor("procurement-sync", .source, sources: ["procurement"]).token
            let steward = try await t.actor("erin", .steward).token
            let proposed = try await client.call(.post, "/v1/candidates", token: procurement, body: MatchingFlowAPITests.acme)
            let created = try #require(proposed.json["change_request_id"]?.integerValue)
            let record = try #require(try await client.call(.post, "/v1/change-requests/\(created)/approve", token: steward).json["record_id"]?.integerValue)
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, JSONValue).self) { group in
                for index in 0..<10 {
                    let body = MatchingFlowAPITests.supplier("procurement", "V-9\(index)", name: "ACME Industrial Supplies GmbH",
                                                             street: "Hauptstraße 5", vat: "DE129273398", email: "info@acme-industrial.de")
                    group.addTask { let r = try await client.call(.post, "/v1/candidates", token: procurement, body: body); return (r.status, r.json) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0.0 == .ok && $0.1["match"]?["band"] == "auto_link" }, "\(statuses.map(\.0.code))")
            let open = try await t.store.changeRequests(status: .open, entities: ["supplier"], limit: 100)
            #expect(open.count == 1 && open.first?.recordID == Int64(record))
            let pending = Set(open.first?.contributions.map(\.sourceKey) ?? [])
            #expect(pending == Set((0..<10).map { "V-9\($0)" }), "every key waits in the one open update: \(pending.sorted())")
            let other = try await t.actor("bob", .steward).token
            _ = try await client.call(.post, "/v1/change-requests/\(open[0].id)/approve", token: other)
            let golden = try await client.call(.get, "/v1/records/supplier/\(record)", token: steward)
            #expect(golden.json["sources"]?.arrayValue?.count == 11)
        }
    }

    /// Two stewards merge two records into each other at the same moment: one merge opens, the
    /// other is refused (409), and no record is left half merged.
    @Test func crossedMergesAtOnceOpenExactlyOne() async throws {
        try await withAPI { (client, _, t) async throws in
            let ids = try await t.release([
                CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "V-1001",
                                    attributes: ["name": "ACME Industrial Supplies GmbH", "country": "DE", "city": "Stuttgart", "vat": "DE129273398"]),
                CandidateSubmission(entity: "supplier", source: "portal", sourceKey: "acme-42",
                                    attributes: ["name": "Acme Supply", "country": "DE", "city": "Ulm", "phone": "+49 731 123456"]),
            ])
            let (a, b) = (ids[0], ids[1])
            let stewards = [try await t.actor("erin", .steward).token, try await t.actor("bob", .steward).token]
            let answers = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for round in 0..<10 {
                    let (from, into) = round.isMultiple(of: 2) ? (a, b) : (b, a)
                    let token = stewards[round % 2]
                    group.addTask {
                        try await client.call(.post, "/v1/records/supplier/\(from)/merge", token: token,
                                              body: #"{"into": \#(into), "reason": "race"}"#).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0 == .created }.count == 1, "\(answers.map(\.code))")
            #expect(answers.filter { $0 == .conflict }.count == 9, "\(answers.map(\.code))")
            let open = try await t.store.changeRequests(status: .open, entities: ["supplier"], limit: 100).filter { $0.kind == .merge }
            #expect(open.count == 1)
        }
    }
}

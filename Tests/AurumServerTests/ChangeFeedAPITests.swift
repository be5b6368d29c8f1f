import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/changes` over HTTP: CloudEvents in pages, a consumer token's entities only, limits
/// clamped, `wait` answering soon after a release; `?as_of=` on a record.
@Suite struct ChangeFeedAPITests {
    @Test func theFeedPagesCloudEventsForTheTokensEntities() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let ids = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt),
                                           SampleRules.item("PLM-2", ["code": "B-2", "name": "Washer M8"])])
            _ = try await t.release([CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "V-1",
                                                         attributes: ["name": "Acme GmbH", "country": "DE"])])
            let page = try await client.call(.get, "/v1/changes?after=0&limit=1", token: tokens.reader)
            #expect(page.status == .ok && page.json["has_more"] == true && page.json["next_cursor"] == 1)
            let event = try #require(page.json["items"]?[0])
            #expect(event["specversion"] == "1.0" && event["id"] == .string("item-\(ids[0])-v1") && event["type"] == "aurum.item.released")
            #expect(event["data"]?["attributes"]?["code"] == "B-1001" && event["data"]?["position"] == 1)
            // The reader's token covers items only: the supplier's release is not in its feed.
            let rest = try await client.call(.get, "/v1/changes?after=1&limit=100000", token: tokens.reader)
            #expect(rest.json["items"]?.arrayValue?.count == 1 && rest.json["has_more"] == false && rest.json["next_cursor"] == 2)
            let all = try await client.call(.get, "/v1/changes?after=0", token: tokens.admin)
            #expect(all.json["items"]?.arrayValue?.count == 3)
            #expect(try await client.call(.get, "/v1/changes?after=0&entity=supplier", token: tokens.reader).status == .notFound)
            #expect(try await client.call(.get, "/v1/changes?after=-1", token: tokens.reader).status == .unprocessableContent)
            #expect(try await client.call(.get, "/v1/changes?after=0", token: tokens.plm).status == .forbidden)
        }
    }

    @Test func aWaitingReaderIsAnsweredSoonAfterARelease() async throws {
        try await withAPI { (client, tokens, t) async throws in
            // The wait is 60 s; the release comes after half a second. An answer holding the
            // release before the wait is over is the long-poll returning on it.
            let asked = ContinuousClock.now
            async let waited = client.call(.get, "/v1/changes?after=0&wait=60", token: tokens.reader)
            try await Task.sleep(for: .milliseconds(500))
            _ = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)])
            let answer = try await waited
            #expect(answer.json["items"]?.arrayValue?.count == 1)
            #expect(ContinuousClock.now - asked < .seconds(50), "answered on the release, not at the end of the wait")
        }
    }

    @Test func asOfAnswersTheVersionCurrentThenOverHTTP() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let id = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
            let now = ISO8601DateFormatter().string(from: Date().addingTimeInterval(1))
            let current = try await client.call(.get, "/v1/records/item/\(id)?as_of=\(now)", token: tokens.reader)
            #expect(current.status == .ok && current.json["version"] == 1)
            #expect(try await client.call(.get, "/v1/records/item/\(id)?as_of=2000-01-01T00:00:00Z", token: tokens.reader).status == .notFound)
            #expect(try await client.call(.get, "/v1/records/item/\(id)?as_of=yesterday", token: tokens.reader).status == .unprocessableContent)
        }
    }
}

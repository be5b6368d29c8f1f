import AurumCore
import AurumServer
import AurumTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct StewardshipAPITests {
    @Test func candidateToVersionOneToVersionTwoOverHTTP() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let proposed = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let first = try #require(proposed.json["change_request_id"]?.integerValue)
            let queue = try await client.call(.get, "/v1/change-requests?status=open", token: tokens.steward)
            #expect(queue.json[0]?["id"]?.integerValue == first && queue.json[0]?["kind"] == "create" && queue.json[0]?["record_id"] == .null)

            let approved = try await client.call(.post, "/v1/change-requests/\(first)/approve", token: tokens.steward, body: #"{"comment":"checked"}"#)
            #expect(approved.status == .ok)
            #expect(approved.json["status"] == "released" && approved.json["version"] == 1)
            let recordID = try #require(approved.json["record_id"]?.integerValue)

            let record = try await client.call(.get, "/v1/records/item/\(recordID)", token: tokens.reader)
            #expect(record.json == [
                "id": .number(Double(recordID)), "entity": "item", "version": 1, "state": "active",
                "attributes": ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units"],
                "sources": [["source": "plm", "source_key": "PLM-4711"]], "updated_at": record.json["updated_at"]!,
                "lineage": ["code": ["source": "plm", "source_key": "PLM-4711", "strategy": "trust"],
                            "name": ["source": "plm", "source_key": "PLM-4711", "strategy": "trust"],
                            "uom": ["source": "plm", "source_key": "PLM-4711", "strategy": "trust"]],
                "superseded_by": .null, "deliveries": [],
            ])

            let update = hexBolt.replacingOccurrences(of: #""uom":"Units""#, with: #""uom":"Units","weight":0.021"#)
            let second = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: update)
            let secondID = try #require(second.json["change_request_id"]?.integerValue)
            let shown = try await client.call(.get, "/v1/change-requests/\(secondID)", token: tokens.steward)
            #expect(shown.json["kind"] == "update" && shown.json["record_id"]?.integerValue == recordID)
            #expect(shown.json["diff"] == [["attribute": "weight", "after": 0.021]])
            let released = try await client.call(.post, "/v1/change-requests/\(secondID)/approve", token: tokens.admin)
            #expect(released.json["version"] == 2)

            let versions = try await client.call(.get, "/v1/records/item/\(recordID)/versions", token: tokens.steward)
            #expect(versions.json["versions"]?[0]?["version"] == 1 && versions.json["versions"]?[1]?["version"] == 2)
            #expect(versions.json["versions"]?[1]?["released_by"] == "root")
            #expect(try await t.auditActions().filter { $0 == "record.released" }.count == 2)
        }
    }

    @Test func submitterApprovingItsOwnChangeGets403() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let proposed = try await client.call(.post, "/v1/candidates", token: tokens.admin, body: hexBolt)
            let id = try #require(proposed.json["change_request_id"]?.integerValue)
            let refused = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.admin)
            #expect(refused.status == .forbidden && refused.headers[.contentType] == "application/problem+json")
            #expect(refused.json["detail"] == "root submitted this change and cannot approve it (four-eyes); another steward must approve")
            #expect(try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.steward).status == .ok)
        }
    }

    @Test func rejectionNeedsAReasonAndKeepsTheRecordOut() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let proposed = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let id = try #require(proposed.json["change_request_id"]?.integerValue)
            #expect(try await client.call(.post, "/v1/change-requests/\(id)/reject", token: tokens.steward, body: "{}").status == .unprocessableContent)
            #expect(try await client.call(.post, "/v1/change-requests/\(id)/reject", token: tokens.steward, body: #"{"reason":"x","why":"y"}"#).status == .unprocessableContent)
            let rejected = try await client.call(.post, "/v1/change-requests/\(id)/reject", token: tokens.steward, body: #"{"reason":"duplicate of B-1000"}"#)
            #expect(rejected.json["status"] == "rejected" && rejected.json["record_id"] == .null)
            let again = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.steward)
            #expect(again.status == .conflict)
            #expect(try await client.call(.get, "/v1/change-requests?status=open", token: tokens.steward).json == [])
        }
    }

    @Test func staleRevisionIsAConflict() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let proposed = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let id = try #require(proposed.json["change_request_id"]?.integerValue)
            let stale = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.steward, body: #"{"revision":7}"#)
            #expect(stale.status == .conflict)
        }
    }

    @Test func rolesAndScopesGuardTheQueueAndRecords() async throws {
        try await withAPI { (client, tokens, _) async throws in
            #expect(try await client.call(.get, "/v1/change-requests", token: tokens.plm).status == .forbidden)
            #expect(try await client.call(.get, "/v1/change-requests?status=pending", token: tokens.steward).status == .unprocessableContent)
            // Every queue filter's mistake is named, never ignored.
            for query in ["limit=0", "limit=1001", "entity=itme", "source=plmm", "older_than=soon", "mine=yes", "duplicates=1"] {
                #expect(try await client.call(.get, "/v1/change-requests?\(query)", token: tokens.steward).status == .unprocessableContent, "\(query)")
            }
            #expect(try await client.call(.get, "/v1/change-requests?entity=item&source=plm&mine=true&duplicates=false&older_than=2d&limit=5",
                                          token: tokens.steward).json == [])
            #expect(try await client.call(.get, "/v1/change-requests/999", token: tokens.steward).status == .notFound)
            #expect(try await client.call(.get, "/v1/records/item/1", token: tokens.plm).status == .forbidden)
            #expect(try await client.call(.get, "/v1/records/customer/1", token: tokens.reader).status == .notFound)
            #expect(try await client.call(.get, "/v1/records/widget/1", token: tokens.steward).status == .notFound)
            #expect(try await client.call(.get, "/v1/records/item/abc", token: tokens.steward).status == .notFound)
        }
    }

    /// The revision has a writer: a steward's edit. An approval of the revision before it is a 409,
    /// the editor cannot approve, and the edit is validated and audited.
    @Test func anEditRaisesTheRevisionAndAStaleApprovalIs409() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let proposed = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            let id = try #require(proposed.json["change_request_id"]?.integerValue)
            let edited = try await client.call(.post, "/v1/change-requests/\(id)/edit", token: tokens.steward,
                                               body: #"{"set":{"name":"Hex bolt M8x40 DIN 933","weight":"0.021"},"revision":1,"comment":"per drawing"}"#)
            #expect(edited.status == .ok && edited.json["revision"] == 2 && edited.json["edited_by"] == ["alice"])
            #expect(edited.json["proposed"]?["weight"] == 0.021, "validated and coerced like a candidate")
            #expect(edited.json["diff"]?[3] == ["attribute": "weight", "after": 0.021], "the diff is recomputed: \(edited.json["diff"] ?? .null)")

            let stale = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.admin, body: #"{"revision":1}"#)
            #expect(stale.status == .conflict && stale.json["detail"]?.stringValue?.contains("now at revision 2") == true)
            let byEditor = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.steward)
            #expect(byEditor.status == .forbidden && byEditor.json["detail"]?.stringValue?.contains("edited this change") == true)
            let invalid = try await client.call(.post, "/v1/change-requests/\(id)/edit", token: tokens.admin, body: #"{"set":{"name":"x"}}"#)
            #expect(invalid.status == .unprocessableContent && invalid.json["detail"]?.stringValue?.contains("name") == true)
            let unknown = try await client.call(.post, "/v1/change-requests/\(id)/edit", token: tokens.admin, body: #"{"set":{"colour":"red"}}"#)
            #expect(unknown.status == .unprocessableContent && unknown.json["detail"]?.stringValue?.hasPrefix("body.set") == true)
            #expect(try await client.call(.post, "/v1/change-requests/\(id)/edit", token: tokens.plm, body: #"{"set":{"name":"Bolt"}}"#).status == .forbidden)

            let released = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.admin, body: #"{"revision":2}"#)
            #expect(released.status == .ok && released.json["status"] == "released")
            let recordID = try #require(released.json["record_id"]?.integerValue)
            #expect(try await t.store.record(entity: "item", id: recordID)?.attributes["name"] == "Hex bolt M8x40 DIN 933")
            #expect(try await t.auditActions(subject: "change_request:\(id)").contains("change_request.edited"))
        }
    }
}

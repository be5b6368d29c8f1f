import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /v1/records/{entity}`: words of the name, attributes, states, sources and change times,
/// keyset paging; within the token's scope, sensitive values masked and not searchable by those
/// who may not see them.
@Suite struct RecordSearchTests {
    static func ids(_ json: JSONValue) -> [Int64] {
        (json["records"]?.arrayValue ?? []).compactMap { record in record["id"]?.integerValue.map { Int64($0) } }
    }

    @Test func findsByNameWordsAttributesStatesSourcesAndTimeAPageAtATime() async throws {
        try await withAPI { client, tokens, t in
            let ids = try await t.release([
                SampleRules.item("P-1", ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units"]),
                SampleRules.item("P-2", ["code": "N-2001", "name": "Hex nut M8", "uom": "Units"]),
                SampleRules.item("P-3", ["code": "W-3001", "name": "Washer M8, zinc plated", "uom": "Units"]),
                SampleRules.item("W-4", ["code": "S-4001", "name": "Spring washer M10", "uom": "Units"], source: "wms"),
            ])
            func search(_ query: String, token: String? = nil) async throws -> (status: HTTPResponse.Status, json: JSONValue) {
                let answer = try await client.call(.get, "/v1/records/item" + query, token: token ?? tokens.steward)
                return (answer.status, answer.json)
            }
            #expect(Self.ids(try await search("").json) == ids, "every record, in id order")
            #expect(Self.ids(try await search("?q=hex").json) == [ids[0], ids[1]])
            #expect(Self.ids(try await search("?q=hex%20bo").json) == [ids[0]], "each word, or the start of one")
            #expect(Self.ids(try await search("?q=WASHER").json) == [ids[2], ids[3]], "case does not matter")
            #expect(Self.ids(try await search("?attr.code=b-1001").json) == [ids[0]], "the value normalized as the rules say (upper)")
            #expect(Self.ids(try await search("?attr.uom=Units&q=m8").json) == [ids[0], ids[1], ids[2]])
            #expect(Self.ids(try await search("?source=wms").json) == [ids[3]])
            #expect(Self.ids(try await search("?source=crm").json) == [])
            #expect(Self.ids(try await search("?state=blocked,obsolete").json) == [])
            #expect(Self.ids(try await search("?state=active&changed_since=1d").json) == ids)
            #expect(Self.ids(try await search("?changed_before=2000-01-01T00:00:00Z").json) == [])
            // Keyset paging: the page's last id is where the next begins.
            let first = try await search("?limit=3")
            #expect(Self.ids(first.json) == Array(ids.prefix(3)) && first.json["next_after"]?.integerValue.map { Int64($0) } == ids[2])
            let rest = try await search("?limit=3&after=\(ids[2])")
            #expect(Self.ids(rest.json) == [ids[3]] && rest.json["next_after"] == .null)
            // What a search refuses, each naming the parameter.
            let typo = try await search("?attr.nmae=x")
            #expect(typo.status == .unprocessableContent && typo.json.text.contains("did you mean \\\"name\\\""), "\(typo.json)")
            let unknown = try await search("?qq=hex")
            #expect(unknown.status == .unprocessableContent && unknown.json.text.contains("did you mean \\\"q\\\""), "\(unknown.json)")
            #expect(try await search("?state=gone").status == .unprocessableContent)
            #expect(try await search("?limit=0").status == .unprocessableContent)
            #expect(try await search("?limit=1001").status == .unprocessableContent)
            #expect(try await search("?attr.weight=heavy").status == .unprocessableContent, "a decimal attribute takes a number")
            #expect(try await search("?q=" + Array(repeating: "a", count: 11).joined(separator: "%20")).status == .unprocessableContent)
            // Scope: the consumer of items reads them; a source token reads no records; no one reads an entity outside the rules.
            #expect(Self.ids(try await search("?q=hex", token: tokens.reader).json) == [ids[0], ids[1]])
            #expect(try await search("", token: tokens.plm).status == .forbidden)
            #expect(try await client.call(.get, "/v1/records/gadget", token: tokens.steward).status == .notFound)
            #expect(try await client.call(.get, "/v1/records/supplier", token: tokens.reader).status == .notFound, "outside the token's entities")
        }
    }

    @Test func sensitiveValuesAreMaskedAndSearchableOnlyByThoseWhoSeeThem() async throws {
        try await MaskingTests.withAPI { client, actors, t in
            let created = try await client.call(.post, "/v1/candidates", token: actors.procurement, body: MaskingTests.supplier("S-1"))
            let request = try #require(created.json["change_request_id"]?.integerValue)
            #expect(try await client.call(.post, "/v1/change-requests/\(request)/approve", token: actors.finance, body: "{}").status == .ok)
            let masked = try await client.call(.get, "/v1/records/supplier?q=acme", token: actors.steward)
            #expect(masked.status == .ok && masked.json["records"]?[0]?["attributes"]?["bank_account"] == "****3000", "\(masked.json)")
            let clear = try await client.call(.get, "/v1/records/supplier?attr.bank_account=\(MaskingTests.iban)", token: actors.finance)
            #expect(clear.json["records"]?[0]?["attributes"]?["bank_account"] == .string(MaskingTests.iban), "\(clear.json)")
            let oracle = try await client.call(.get, "/v1/records/supplier?attr.bank_account=\(MaskingTests.iban)", token: actors.steward)
            #expect(oracle.status == .forbidden, "searching by a value one may not see would reveal it: \(oracle.json)")
            #expect(!oracle.json.text.contains(MaskingTests.iban))
        }
    }
}

import AurumCore
import AurumTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// Duplicates caught at the door, over HTTP: a supplier that procurement created, submitted again
/// by the supplier portal in its own words.
@Suite struct MatchingFlowAPITests {
    static func supplier(_ source: String, _ key: String, name: String, street: String, vat: String?, email: String) -> String {
        var attributes: [String: JSONValue] = ["name": .string(name), "street": .string(street), "zip": "70173", "city": "Stuttgart",
                                               "country": "DE", "is_company": true, "email": .string(email)]
        if let vat { attributes["vat"] = .string(vat) }
        let body: JSONValue = ["entity": "supplier", "source": .string(source), "source_key": .string(key), "attributes": .object(attributes)]
        return String(decoding: try! JSONEncoder().encode(body), as: UTF8.self)
    }

    static let acme = supplier("procurement", "V-1001", name: "ACME Industrial Supplies GmbH", street: "Hauptstr. 5",
                               vat: "DE129273398", email: "info@acme-industrial.de")

    /// Procurement's supplier, released: the golden record the portal's candidates meet.
    func released(_ client: any TestClientProtocol, procurement: String, steward: String) async throws -> Int64 {
        let proposed = try await client.call(.post, "/v1/candidates", token: procurement, body: Self.acme)
        #expect(proposed.json["match"]?["band"] == "distinct" && proposed.json["match"]?["record_id"] == .null)
        let id = try #require(proposed.json["change_request_id"]?.integerValue)
        let approved = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: steward)
        return try #require(approved.json["record_id"]?.integerValue)
    }

    func tokens(_ t: TestStore) async throws -> (procurement: String, portal: String, steward: String, other: String) {
        (try await t.actor("procurement-sync", .source, sources: ["procurement"]).token,
         try await t.actor("portal-sync", .source, sources: ["portal"]).token,
         try await t.actor("erin", .steward).token, try await t.actor("bob", .steward).token)
    }

    @Test func theSameVATLinksAutomaticallyAsAnUpdateWithItsExplanation() async throws {
        try await withAPI { (client, _, t) async throws in
            let tokens = try await tokens(t)
            let record = try await released(client, procurement: tokens.procurement, steward: tokens.steward)
            let portal = Self.supplier("portal", "acme-42", name: "Acme Industrial Supply GmbH", street: "Hauptstrasse 5",
                                       vat: "DE129273398", email: "info@acme-industrial.de")
            let result = try await client.call(.post, "/v1/candidates", token: tokens.portal, body: portal)
            #expect(result.json["status"] == "proposed")
            #expect(result.json["match"]?["band"] == "auto_link" && result.json["match"]?["record_id"]?.integerValue == record)
            // The portal learns the record it was linked to, never procurement's values behind the match.
            #expect(result.json["match"]?["score"] == .null && result.json["match"]?["explanation"] == .null)

            let id = try #require(result.json["change_request_id"]?.integerValue)
            let shown = try await client.call(.get, "/v1/change-requests/\(id)", token: tokens.steward)
            #expect((shown.json["match"]?["score"]?.numberValue ?? 0) >= 10)
            let text = try #require(shown.json["match"]?["explanation"]?["text"]?.stringValue)
            #expect(text.contains("vat \"DE129273398\" = exact"), "the steward sees the evidence: \(text)")
            #expect(shown.json["kind"] == "update" && shown.json["record_id"]?.integerValue == record)
            #expect(shown.json["possible_duplicates"] == [])
            // Procurement (trust 80) keeps its name over the portal's (trust 60); nothing else differs but the street's spelling.
            #expect(shown.json["proposed"]?["name"] == "ACME Industrial Supplies GmbH")
            #expect(shown.json["lineage"]?["name"] == ["source": "procurement", "source_key": "V-1001", "strategy": "trust"])
            #expect(shown.json["lineage"]?["email"]?["strategy"] == "most_recent")

            _ = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.other)
            let golden = try await client.call(.get, "/v1/records/supplier/\(record)", token: tokens.steward)
            #expect(golden.json["sources"] == [["source": "portal", "source_key": "acme-42"], ["source": "procurement", "source_key": "V-1001"]])
            #expect(golden.json["version"] == 2)
        }
    }

    /// Procurement's supplier released, then the portal's without the VAT and with another e-mail:
    /// a possible duplicate under review. Returns the tokens, the record, the portal's body and the change request.
    func reviewed(_ client: any TestClientProtocol, _ t: TestStore) async throws
        -> (tokens: (procurement: String, portal: String, steward: String, other: String), record: Int64, portal: String, id: Int64) {
        let tokens = try await tokens(t)
        let record = try await released(client, procurement: tokens.procurement, steward: tokens.steward)
        let portal = Self.supplier("portal", "acme-42", name: "Acme Industrial Supply GmbH", street: "Hauptstrasse 5",
                                   vat: nil, email: "vertrieb@acme-supply.de")
        let result = try await client.call(.post, "/v1/candidates", token: tokens.portal, body: portal)
        // The portal learns only that its candidate is reviewed: not which record it resembles, nor that record's values.
        #expect(result.json["match"] == ["band": "review", "record_id": .null, "score": .null, "explanation": .null])
        #expect(!result.json.text.contains("DE129273398"), "procurement's VAT is not shown to the portal: \(result.json.text)")
        let id = try #require(result.json["change_request_id"]?.integerValue)
        let shown = try await client.call(.get, "/v1/change-requests/\(id)", token: tokens.steward)
        #expect(shown.json["match"]?["band"] == "review" && shown.json["match"]?["record_id"]?.integerValue == record)
        let text = shown.json["match"]?["explanation"]?["text"]?.stringValue ?? ""
        #expect(text.contains("an automatic link needs vat"), "the explanation says why it is not linked: \(text)")
        return (tokens, record, portal, id)
    }

    @Test func withoutTheVATItIsReviewedAndLinkedByASteward() async throws {
        try await withAPI { (client, _, t) async throws in
            let (tokens, record, _, id) = try await reviewed(client, t)
            let shown = try await client.call(.get, "/v1/change-requests/\(id)", token: tokens.steward)
            #expect(shown.json["kind"] == "create")
            let duplicate = try #require(shown.json["possible_duplicates"]?[0])
            #expect(duplicate["record_id"]?.integerValue == record && duplicate["band"] == "review" && duplicate["resolution"] == .null)
            #expect(duplicate["explanation"]?["comparisons"]?[0]?["attribute"] != nil)

            let linked = try await client.call(.post, "/v1/change-requests/\(id)/link", token: tokens.steward,
                                               body: #"{"record_id": \#(record), "comment": "same street, same company"}"#)
            #expect(linked.status == .ok)
            #expect(linked.json["kind"] == "update" && linked.json["record_id"]?.integerValue == record && linked.json["revision"] == 2)
            #expect(linked.json["possible_duplicates"]?[0]?["resolution"] == "linked")
            let own = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.steward)
            #expect(own.status == .forbidden, "who linked it may not approve it")
            let approved = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.other)
            #expect(approved.json["record_id"]?.integerValue == record && approved.json["version"] == 2)
            let golden = try await client.call(.get, "/v1/records/supplier/\(record)", token: tokens.steward)
            #expect(golden.json["attributes"]?["email"] == "vertrieb@acme-supply.de", "e-mail survives as the most recent")
            #expect(golden.json["attributes"]?["vat"] == "DE129273398", "the portal's missing VAT takes nothing away")
            #expect(try await t.auditActions(subject: "change_request:\(id)").contains("change_request.linked"))
        }
    }

    @Test func withoutTheVATItIsReviewedAndSettledAsDistinctNeverToBeAskedAgain() async throws {
        try await withAPI { (client, _, t) async throws in
            let (tokens, record, portal, id) = try await reviewed(client, t)
            let settled = try await client.call(.post, "/v1/change-requests/\(id)/distinct", token: tokens.steward, body: "{}")
            #expect(settled.status == .ok && settled.json["possible_duplicates"]?[0]?["resolution"] == "distinct")
            let again = try await client.call(.post, "/v1/change-requests/\(id)/distinct", token: tokens.steward, body: "{}")
            #expect(again.status == .conflict)

            // The same key sent again, changed: still not asked about that record.
            let resend = portal.replacingOccurrences(of: "vertrieb@", with: "einkauf@")
            let changed = try await client.call(.post, "/v1/candidates", token: tokens.portal, body: resend)
            #expect(changed.json["status"] == "proposed" && changed.json["match"]?["band"] == "distinct")
            let next = try #require(changed.json["change_request_id"]?.integerValue)
            #expect(try await client.call(.get, "/v1/change-requests/\(next)", token: tokens.steward).json["possible_duplicates"] == [])
            let approved = try await client.call(.post, "/v1/change-requests/\(next)/approve", token: tokens.steward)
            #expect(approved.json["record_id"]?.integerValue != record, "a second golden record, as the steward decided")
            #expect(try await t.auditActions(subject: "change_request:\(id)").contains("change_request.distinct"))
        }
    }

    @Test func mergeOverHTTPSupersedesTheRecordAndXrefFollowsIt() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let mine = try await self.tokens(t)
            let kept = try await released(client, procurement: mine.procurement, steward: mine.steward)
            let other = Self.supplier("procurement", "V-2002", name: "Acme Industrial Supplies", street: "Königstr. 12",
                                      vat: nil, email: "sales@acme-supply.de")
            let proposed = try await client.call(.post, "/v1/candidates", token: mine.procurement, body: other)
            let second = try #require(proposed.json["change_request_id"]?.integerValue)
            let merged = try #require(try await client.call(.post, "/v1/change-requests/\(second)/approve", token: mine.steward).json["record_id"]?.integerValue)

            let refused = try await client.call(.post, "/v1/records/supplier/\(merged)/merge", token: mine.steward, body: #"{"into": \#(kept)}"#)
            #expect(refused.status == .unprocessableContent, "a merge needs a reason")
            let opened = try await client.call(.post, "/v1/records/supplier/\(merged)/merge", token: mine.steward,
                                               body: #"{"into": \#(kept), "reason": "registered twice"}"#)
            #expect(opened.status == .created && opened.json["kind"] == "merge" && opened.json["merge_record_id"]?.integerValue == merged)
            let id = try #require(opened.json["id"]?.integerValue)
            #expect(try await client.call(.post, "/v1/change-requests/\(id)/approve", token: mine.other).json["status"] == "released")

            let gone = try await client.call(.get, "/v1/records/supplier/\(merged)", token: mine.steward)
            #expect(gone.json["state"] == "superseded" && gone.json["superseded_by"]?.integerValue == kept)
            let xref = try await client.call(.get, "/v1/xref/procurement/V-2002", token: mine.steward)
            #expect(xref.json == ["entity": "supplier", "record_id": .number(Double(kept)), "state": "active"])
            #expect(try await client.call(.get, "/v1/xref/procurement/nope", token: mine.steward).status == .notFound)
            #expect(try await client.call(.get, "/v1/xref/procurement/V-2002", token: tokens.reader).status == .notFound,
                    "a token for items sees no supplier keys")
        }
    }
}

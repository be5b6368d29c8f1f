import AurumCore
import AurumServer
@testable import AurumStore
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Bank details in clear only for the finance group and admins: every API answer masks them for
/// the rest (records, versions, history, change requests, the feed), no validation message quotes
/// them, a match explanation shows them masked, and the audit trail holds a keyed hash.
@Suite struct MaskingTests {
    static let iban = "DE89370400440532013000"
    static let bic = "COBADEFFXXX"
    static let key = AuditKey(bytes: Array(repeating: 7, count: 32))

    struct Actors {
        var procurement: String, steward: String, finance: String, admin: String, consumer: String
    }

    /// The shipped rules with one steward per change (the gates have suites of their own) and,
    /// when asked, `vat` sensitive too (it is compared by matching, so explanations carry it).
    static func rules(vatSensitive: Bool = false) throws -> RuleSet {
        var rules = try SampleRules.oneSteward()
        if vatSensitive, let index = rules.entities["supplier"]!.attributes.firstIndex(where: { $0.name == "vat" }) {
            rules.entities["supplier"]!.attributes[index].sensitive = Sensitivity(clearForRoles: [.admin], clearForGroups: ["finance"])
        }
        return rules
    }

    static func withAPI(vatSensitive: Bool = false, _ body: @escaping @Sendable (any TestClientProtocol, Actors, TestStore) async throws -> Void) async throws {
        let rules = try Self.rules(vatSensitive: vatSensitive)
        try await TestStore.with(rules: rules) { plain in
            let t = TestStore(client: plain.client, settings: plain.settings, rules: rules, auditKey: Self.key)
            let actors = Actors(procurement: try await t.actor("purchasing", .source, sources: ["procurement"]).token,
                                steward: try await t.actor("sam", .steward).token,
                                finance: try await t.actor("fiona", .steward, groups: ["finance"]).token,
                                admin: try await t.actor("root", .admin).token,
                                consumer: try await t.actor("erp", .consumer, entities: ["supplier"]).token)
            let app = Application(router: AurumHTTPServer.router(store: t.store, rules: t.rules))
            try await app.test(.router) { client in try await body(client, actors, t) }
        }
    }

    static func supplier(_ key: String, name: String = "Acme Fasteners GmbH", iban: String = iban, vat: String? = nil) -> String {
        let vatMember = vat.map { #","vat":"\#($0)""# } ?? ""
        return #"{"entity":"supplier","source":"procurement","source_key":"\#(key)","attributes":{"name":"\#(name)","country":"DE","city":"Köln","bank_account":"\#(iban)","bank_bic":"\#(bic)"\#(vatMember)}}"#
    }

    @Test func everyAnswerMasksBankDetailsForThoseNotEntitled() async throws {
        try await Self.withAPI { client, actors, t in
            let submitted = try await client.call(.post, "/v1/candidates", token: actors.procurement, body: Self.supplier("P-1"))
            #expect(submitted.status == .ok)
            let request = try #require(submitted.json["change_request_id"]?.integerValue)
            let path = "/v1/change-requests/\(request)"
            let shown = try await client.call(.get, path, token: actors.steward)
            #expect(shown.json["proposed"]?["bank_account"] == "****3000" && shown.json["proposed"]?["bank_bic"] == "****XXX", "\(shown.json)")
            #expect(!shown.json.text.contains(Self.iban) && !shown.json.text.contains(Self.bic), "nowhere in the answer: \(shown.json.text)")
            #expect(shown.json["proposed"]?["name"] == "Acme Fasteners GmbH", "what is not sensitive stays as it is")
            for entitled in [actors.finance, actors.admin] {
                let clear = try await client.call(.get, path, token: entitled)
                #expect(clear.json["proposed"]?["bank_account"] == .string(Self.iban))
            }
            let queue = try await client.call(.get, "/v1/change-requests?entity=supplier", token: actors.steward)
            #expect(queue.status == .ok && !queue.json.text.contains(Self.iban) && queue.json.text.contains("****3000"))

            let approved = try await client.call(.post, "\(path)/approve", token: actors.steward, body: "{}")
            let record = try #require(approved.json["record_id"]?.integerValue, "\(approved.json)")
            for (token, clear) in [(actors.steward, false), (actors.consumer, false), (actors.finance, true), (actors.admin, true)] {
                // History is the stewards' (a consumer reads records and versions only).
                for suffix in token == actors.consumer ? ["", "/versions"] : ["", "/versions", "/history"] {
                    let answer = try await client.call(.get, "/v1/records/supplier/\(record)\(suffix)", token: token)
                    #expect(answer.status == .ok, "\(suffix): \(answer.json)")
                    let text = answer.json.text
                    #expect(text.contains(Self.iban) == (clear && suffix != "/history"), "\(suffix) for \(clear ? "" : "un")entitled: \(text)")
                }
            }
            let masked = try await client.call(.get, "/v1/records/supplier/\(record)", token: actors.steward)
            #expect(masked.json["lineage"]?["bank_account"]?["strategy"] == "source_order", "where a value came from is not the value: \(masked.json)")
            let payables = try await t.actor("payables", .consumer, entities: ["supplier"], groups: ["finance"]).token
            let entitledReader = try await client.call(.get, "/v1/records/supplier/\(record)", token: payables)
            #expect(entitledReader.json["attributes"]?["bank_account"] == .string(Self.iban), "a consumer of the finance group reads it in clear")
            let feed = try await client.call(.get, "/v1/changes?entity=supplier", token: actors.consumer)
            #expect(feed.status == .ok && !feed.json.text.contains(Self.iban) && feed.json.text.contains("****3000"), "\(feed.json.text)")
            let xref = try await client.call(.get, "/v1/xref/procurement/P-1", token: actors.steward)
            #expect(!xref.json.text.contains(Self.iban))

            // An idempotent replay is masked as the first answer was.
            let edit = #"{"set":{"bank_bic":"DEUTDEFFXXX"}}"#
            let update = try await client.call(.post, "/v1/candidates", token: actors.procurement, body: Self.supplier("P-1", iban: "DE02120300000000202051"))
            let updateRequest = try #require(update.json["change_request_id"]?.integerValue)
            let first = try await client.call(.post, "/v1/change-requests/\(updateRequest)/edit", token: actors.steward, body: edit,
                                              headers: [IdempotencyTests.key: "edit-1"])
            let again = try await client.call(.post, "/v1/change-requests/\(updateRequest)/edit", token: actors.steward, body: edit,
                                              headers: [IdempotencyTests.key: "edit-1"])
            #expect(first.status == .ok && again.json == first.json && !again.json.text.contains("DE02120300000000202051"), "\(again.json)")
            #expect(again.json["proposed"]?["bank_account"] == "****2051")
        }
    }

    @Test func aValidationErrorNeverQuotesTheValue() async throws {
        try await Self.withAPI { client, actors, _ in
            let wrong = "DE89370400440532013001"
            let answer = try await client.call(.post, "/v1/candidates", token: actors.procurement, body: Self.supplier("P-2", iban: wrong))
            #expect(answer.json["status"] == "rejected")
            let message = answer.json["errors"]?[0]?["message"]?.stringValue ?? ""
            #expect(message.contains("\"****3001\" is not a valid IBAN") && !answer.json.text.contains(wrong), "\(answer.json)")
        }
    }

    @Test func aMatchExplanationShowsASensitiveValueMasked() async throws {
        try await Self.withAPI(vatSensitive: true) { client, actors, _ in
            for (key, name) in [("P-1", "Acme Fasteners GmbH"), ("P-2", "ACME Fasteners")] {
                #expect(try await client.call(.post, "/v1/candidates", token: actors.procurement,
                                              body: Self.supplier(key, name: name, vat: "DE129273398")).status == .ok)
            }
            let queue = try await client.call(.get, "/v1/change-requests?entity=supplier&duplicates=true", token: actors.steward)
            let second = try #require(queue.json.arrayValue?.last?["id"]?.integerValue, "\(queue.json)")
            let shown = try await client.call(.get, "/v1/change-requests/\(second)", token: actors.steward)
            let text = shown.json.text
            #expect(text.contains("\"vat\"") && !text.contains("DE129273398") && text.contains("****398"), "\(text)")
            let clear = try await client.call(.get, "/v1/change-requests/\(second)", token: actors.finance)
            #expect(clear.json.text.contains("DE129273398"))
        }
    }

    /// The audit trail keeps a keyed hash: never the value, the same hash for the same value.
    @Test func theAuditTrailKeepsAKeyedHashNotTheValue() async throws {
        try await Self.withAPI { client, actors, t in
            let submitted = try await client.call(.post, "/v1/candidates", token: actors.procurement, body: Self.supplier("P-1"))
            let request = try #require(submitted.json["change_request_id"]?.integerValue)
            #expect(try await client.call(.post, "/v1/change-requests/\(request)/approve", token: actors.steward, body: "{}").status == .ok)
            let entries = try await t.client.query("SELECT action, coalesce(after::text, '') FROM audit_entry ORDER BY seq", logger: TestLogger.quiet)
                .decode((String, String).self).rows()
            #expect(!entries.contains { $0.1.contains(Self.iban) || $0.1.contains(Self.bic) })
            let sealed = Self.key.seal(Self.iban)
            #expect(sealed.hasPrefix("hmac-sha256:\(Self.key.id):"))
            let released = try #require(entries.first { $0.0 == "record.released" })
            #expect(released.1.contains(sealed), "the released values name the account by its keyed hash: \(released.1)")
            #expect(entries.filter { $0.1.contains(sealed) }.count >= 3, "candidate, proposal and release: the same hash each time")
            #expect(try await AuditTrail(client: t.client, logger: TestLogger.quiet).verify().problem == nil)
        }
    }
}

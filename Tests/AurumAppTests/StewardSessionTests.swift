@testable import AurumApp
import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Testing

/// A steward's day through the CLI against a live server with the shipped gates: bulk approval
/// with its dry run, diff, history, block, and the status board.
@Suite struct StewardSessionTests {
    static func url(_ port: Int) -> String { "http://127.0.0.1:\(port)" }

    /// One supplier as procurement and the portal each describe it: a possible duplicate, not an automatic link.
    static let acme: Attributes = ["name": "ACME Industrial Supplies GmbH", "street": "Hauptstr. 5", "zip": "70173", "city": "Stuttgart",
                                   "country": "DE", "is_company": true, "vat": "DE129273398", "email": "info@acme-industrial.de"]
    static let acmeTwice: Attributes = ["name": "Acme Industrial Supply GmbH", "street": "Hauptstrasse 5", "zip": "70173", "city": "Stuttgart",
                                        "country": "DE", "is_company": true, "email": "sales@acme.example"]

    @Test func bulkApprovalPreviewsThenDecidesWhatTheFilterTakes() async throws {
        try await TestStore.with(rules: try SampleRules.shipped()) { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let plm = try await t.actor("plm-sync", .source)
                let erin = try await t.actor("erin", .steward, groups: ["engineering"]).token
                let items = (1...3).map { SampleRules.item("PLM-\($0)", ["code": .string("B-\($0)"), "name": .string("Bolt \($0)"), "uom": "Units"]) }
                _ = try await t.store.ingest(items, by: plm.principal, requestID: "r")
                let common = ["--filter", "entity=item", "--filter", "gate=engineering", "--url", Self.url(port), "--token-file", tokenFile(erin)]

                let preview = try await runAurumCapturingAll(["approve"] + common + ["--dry-run"])
                #expect(preview.code == 0, "\(preview.errors)")
                #expect(preview.output.contains("dry run: 3 change requests would be approved (0 released), 0 refused, 0 skipped; nothing was written"),
                        "\(preview.output)")
                #expect(try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10).allSatisfy { $0.approvals.isEmpty }, "nothing written")
                #expect(try await t.auditActions().filter { $0 == "change_request.approved" }.isEmpty)

                let decided = try await runAurumCapturingAll(["approve"] + common + ["--comment", "weekly", "--json"])
                #expect(decided.code == 0, "\(decided.errors)")
                let open = try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10)
                #expect(open.count == 3 && open.allSatisfy { $0.approvals.map(\.approver) == ["erin"] })
                #expect(open.allSatisfy { $0.gates.first { $0.name == "procurement" }?.status == .pending })
                // The same filter again finds nothing erin may approve: the engineering gate is satisfied.
                let again = try await runAurumCapturingAll(["approve"] + common)
                #expect(again.output.contains("no open change request the filter takes is yours to approve now"), "\(again.output)")
            }
        }
    }

    @Test func bulkApprovalSkipsAPossibleDuplicateAndApprovesAtTheRevisionItLists() async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let sources = try await t.actor("sync", .source, sources: ["procurement", "portal", "plm"])
                let alice = try await t.actor("alice", .steward)
                let bob = try await t.actor("bob", .steward).token
                _ = try await t.release([CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "V-1", attributes: Self.acme)])
                let flagged = try await t.store.ingest([CandidateSubmission(entity: "supplier", source: "portal", sourceKey: "acme-42",
                                                                            attributes: Self.acmeTwice)], by: sources.principal, requestID: "r")[0]
                try #require(flagged.match?.band == .review)
                let item = try #require(try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: sources.principal,
                                                                 requestID: "r")[0].changeRequestID)
                _ = try await t.store.edit(changeRequest: item, by: alice.principal, set: ["weight": "0.5"], revision: nil, comment: nil, requestID: "r")

                let preview = try await runAurumCapturingAll(["approve", "--filter", "entity=supplier", "--dry-run", "--url", Self.url(port), "--token-file", tokenFile(bob)])
                #expect(preview.code == 0)
                #expect(preview.output.contains("0 change requests would be approved (0 released), 0 refused, 1 skipped"), "\(preview.output)")
                let run = try await runAurumCapturingAll(["approve", "--filter", "kind=create", "--json", "--url", Self.url(port), "--token-file", tokenFile(bob)])
                #expect(run.code == 0, "\(run.errors)")
                let outcomes = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(run.output.utf8))
                #expect(outcomes.count == 2)
                #expect(outcomes.first { $0["change_request_id"]?.integerValue == item }?["decision"]?.objectValue?["status"] == "released",
                        "the edited item is approved at revision 2, the one listed")
                #expect(outcomes.first { $0["change_request_id"]?.integerValue == flagged.changeRequestID }?["skipped"]?.stringValue?
                    .contains("aurum distinct") == true)
            }
        }
    }

    @Test func diffHistoryAndStatusTellTheRecordsStory() async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let plm = try await t.actor("plm-sync", .source)
                let alice = try await t.actor("alice", .steward)
                let bob = try await t.actor("bob", .steward)
                let url = Self.url(port)
                let item = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
                var heavier = SampleRules.hexBolt
                heavier["weight"] = "0.021"
                heavier["name"] = "Hex bolt M8x40 DIN 933"
                let update = try #require(try await t.store.ingest([SampleRules.item("PLM-1", heavier)], by: plm.principal, requestID: "r")[0].changeRequestID)

                let diff = try await runAurumCapturingAll(["diff", String(update), "--url", url, "--token-file", tokenFile(alice.token)])
                #expect(diff.code == 0)
                #expect(diff.output.contains("~ name    Hex bolt M8x40 → Hex bolt M8x40 DIN 933"), "\(diff.output)")
                #expect(diff.output.contains("+ weight  0.021"), "\(diff.output)")
                #expect(!diff.output.contains("\u{1b}["), "no colour when not a terminal")
                let json = try await runAurumCapturingAll(["diff", String(update), "--json", "--url", url, "--token-file", tokenFile(alice.token)])
                let answer = try JSONDecoder().decode([String: JSONValue].self, from: Data(json.output.utf8))
                #expect(answer["change_request_id"]?.integerValue == update && answer["diff"]?.arrayValue?.count == 2)

                _ = try await t.store.reject(changeRequest: update, by: alice.principal, reason: "weight unconfirmed", requestID: "r")
                let block = try await t.store.changeState(.block, entity: "item", record: item, by: alice.principal, reason: "recalled", requestID: "r")
                _ = try await t.store.approve(changeRequest: block.id, by: bob.principal, comment: "agreed", revision: nil, requestID: "r")

                let history = try await runAurumCapturingAll(["history", "item", String(item), "--json", "--url", url, "--token-file", tokenFile(alice.token)])
                #expect(history.code == 0, "\(history.errors)")
                let view = try JSONDecoder().decode(HistoryView.self, from: Data(history.output.utf8))
                let actions = view.events.map(\.action)
                #expect(actions.first == "change_request.opened" && actions.contains("record.released"), "\(actions)")
                #expect(view.events.contains { $0.action == "change_request.rejected" && $0.actor == "alice" && $0.reason == "weight unconfirmed" })
                #expect(view.events.contains { $0.action == "change_request.approved" && $0.actor == "bob" && $0.reason == "agreed" && $0.gate == "steward" })
                #expect(view.events.last?.action == "record.blocked" && view.events.last?.state == .init(from: "active", to: "blocked"))
                let table = try await runAurumCapturingAll(["history", "item", String(item), "--url", url, "--token-file", tokenFile(alice.token)])
                #expect(table.output.contains("active → blocked · recalled"), "\(table.output)")
                #expect(try await runAurum(["history", "item", "999", "--url", url, "--token-file", tokenFile(alice.token)]) == 3)
                #expect(try await runAurum(["history", "item", String(item), "--url", url, "--token-file", tokenFile(plm.token)]) == 4)

                // One rejected candidate and one open create with a warning.
                _ = try await t.store.ingest([SampleRules.item("PLM-2", ["code": "bad code", "name": "x"]),
                                              SampleRules.item("PLM-3", ["code": "B-3", "name": "Nut M8"])], by: plm.principal, requestID: "r")
                let status = try await runAurumCapturingAll(["status", "--json", "--url", url, "--token-file", tokenFile(alice.token)])
                #expect(status.code == 0, "\(status.errors)")
                let board = try JSONDecoder().decode(StatusBoard.self, from: Data(status.output.utf8))
                let items = try #require(board.entities.first { $0.entity == "item" })
                #expect(items.blocked == 1 && items.rejectedLast24h == 1 && items.open.underOneDay == 1 && items.open.total == 1)
                #expect(items.gates == [StatusBoard.Gate(gate: "steward", pending: { var a = StatusBoard.Ages(); a.underOneDay = 1; return a }())])
                #expect(board.entities.map(\.entity) == ["customer", "item", "supplier", "warehouse"])
                let text = try await runAurumCapturingAll(["status", "--url", url, "--token-file", tokenFile(alice.token)])
                #expect(text.output.contains("ENTITY") && text.output.contains("steward"), "\(text.output)")
            }
        }
    }
}

import ArgumentParser
@testable import AurumApp
import AurumCore
import AurumPublish
import AurumRules
import AurumStore
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OdooDouble
import Synchronization
import Testing

/// `aurum odoo check|sync` and `aurum reconcile odoo` on a real database against the double.
@Suite struct OdooCommandTests {
    func aurum(_ arguments: [String]) async throws -> Int32 { try await runAurum(arguments) }

    static let candidates: [CandidateSubmission] = [
        CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "S-1",
                            attributes: ["name": "Schrauben Lieferant GmbH", "country": "DE", "vat": "DE123456788", "city": "Stuttgart",
                                         "bank_account": "DE89370400440532013000", "bank_bic": "COBADEFFXXX"]),
        CandidateSubmission(entity: "warehouse", source: "wms", sourceKey: "W-1", attributes: ["code": "NORD", "name": "Aurum Nord", "company": "My Company"]),
        CandidateSubmission(entity: "item", source: "plm", sourceKey: "I-1",
                            attributes: ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units", "barcode": "4006381333931"]),
    ]

    /// Every test uses the same key, read from ODOO_API_KEY_FILE (the environment is the process's, shared by parallel tests).
    static func useKeyFile() throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-test-odoo-key").path
        try "cli-test-key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        setenv("ODOO_API_KEY_FILE", keyFile, 1)
    }

    func withDoubleAndRecords(_ version: OdooVersion, _ body: @escaping @Sendable (_ common: [String], _ server: OdooDoubleServer, _ t: TestStore) async throws -> Void) async throws {
        try await TestStore.with { t in
            _ = try await t.release(Self.candidates)
            let server = OdooDoubleServer(.init(version: version, database: "odoo_test", apiKey: "cli-test-key"))
            try await LiveServer.with(server.router()) { port in
                try Self.useKeyFile()
                let common = ["--odoo-url", "http://\(LiveServer.host):\(port)", "--odoo-database", "odoo_test", "--database-url", t.settings.url,
                              "--rules", ProjectPaths.rules, "--migrations", ProjectPaths.migrations]
                try await body(common, server, t)
            }
        }
    }

    @Test(arguments: [OdooVersion.v17, .v19])
    func syncTwiceCreatesNothingTheSecondTimeAndReconcileSeesAHandEdit(_ version: OdooVersion) async throws {
        try await withDoubleAndRecords(version) { common, server, _ in
            #expect(try await aurum(["odoo", "check"] + common) == 0)
            let dry = try await runAurumCapturing(["odoo", "sync", "--dry-run"] + common)
            #expect(dry.code == 0)
            #expect(dry.output.contains("would be created") && !dry.output.contains("  created"), "a dry run says what it would do: \(dry.output)")
            #expect(dry.output.contains("dry run, nothing written: 3 would be created") && dry.output.contains("bank: would create res.partner.bank"),
                    "\(dry.output)")
            #expect(!server.database.records("ir.model.data").contains { $0["module"] == "aurum" }, "a dry run writes nothing")
            #expect(try await aurum(["odoo", "sync"] + common) == 0)
            let partners = server.database.records("res.partner").count, products = server.database.records("product.template").count
            #expect(server.database.records("ir.model.data").filter { $0["module"] == "aurum" }.count == 4, "supplier, its bank, warehouse, item")
            #expect(try await aurum(["odoo", "sync", "--json"] + common) == 0)
            #expect(server.database.records("res.partner").count == partners && server.database.records("product.template").count == products)
            #expect(try await aurum(["reconcile", "odoo"] + common) == 0, "no drift after a sync")
            let product = try #require(server.database.records("product.template").first { $0["default_code"] == "B-1001" })
            server.database.edit("product.template", id: product["id"]!.int!, "name", "Renamed by hand")
            #expect(try await aurum(["reconcile", "odoo", "--json"] + common) == 1, "a hand edit is drift")
            #expect(try await aurum(["odoo", "sync", "--entity", "item"] + common) == 0)
            #expect(try await aurum(["reconcile", "odoo"] + common) == 0, "sync puts the golden value back")
        }
    }

    /// Odoo keeps a weight to the 2 decimals its digits declare: check --values names the
    /// rounding before publication; after a sync reconcile finds no drift, and a second sync
    /// writes nothing (it compares as Odoo keeps the value).
    @Test(arguments: [OdooVersion.v17, .v18, .v19])
    func aValueOdooRoundsIsNamedBeforehandAndNeverDriftsAfter(_ version: OdooVersion) async throws {
        try await TestStore.with { t in
            _ = try await t.release([CandidateSubmission(entity: "item", source: "plm", sourceKey: "I-7",
                                                         attributes: ["code": "B-7", "name": "Washer M8", "uom": "Units", "weight": 0.021, "list_price": 1.23456])])
            let server = OdooDoubleServer(.init(version: version, database: "odoo_test", apiKey: "cli-test-key"))
            try await LiveServer.with(server.router()) { port in
                try Self.useKeyFile()
                let common = ["--odoo-url", "http://\(LiveServer.host):\(port)", "--odoo-database", "odoo_test", "--database-url", t.settings.url,
                              "--rules", ProjectPaths.rules, "--migrations", ProjectPaths.migrations]
                let check = try await runAurumCapturing(["odoo", "check", "--values"] + common)
                #expect(check.code == 1 && check.output.contains("weight 0.021 would be kept by Odoo as 0.02 (product.template.weight keeps 2 decimals"),
                        "\(check.output)")
                #expect(check.output.contains("list_price 1.23456 would be kept") == (version < .v19), "19 declares no digits for the price: \(check.output)")
                #expect(try await aurum(["odoo", "sync"] + common) == 0)
                let product = try #require(server.database.records("product.template").first { $0["default_code"] == "B-7" })
                #expect(product["weight"] == .double(0.02), "the double keeps the weight as Odoo does: \(product["weight"] ?? false)")
                #expect(product["list_price"] == .double(version < .v19 ? 1.23 : 1.23456))
                #expect(try await aurum(["reconcile", "odoo"] + common) == 0, "no drift right after a sync")
                let again = try await runAurumCapturing(["odoo", "sync", "--json"] + common)
                #expect(again.code == 0 && !again.output.contains("\"updated\""), "a second sync writes nothing: \(again.output)")
            }
        }
    }

    /// What `fields_get` says of a field decides whether Odoo keeps a value as it is: a float's
    /// digits, a selection's values, a text's size (as the double declares them, from real Odoo).
    @Test func fieldsGetNamesWhatOdooWouldRoundRefuseOrCut() async throws {
        let server = OdooDoubleServer(.init(version: .v17, database: "odoo_test", apiKey: "cli-test-key"))
        try await LiveServer.with(server.router()) { port in
            let odoo = OdooClient(settings: OdooSettings(url: "http://\(LiveServer.host):\(port)", database: "odoo_test", login: "admin", secret: "cli-test-key"))
            func describe(_ model: String) async throws -> [String: OdooValue] {
                try await odoo.call(OdooCall(model, "fields_get", ["attributes": ["type", "digits", "selection", "size"]])).members ?? [:]
            }
            let product = try await describe("product.template"), warehouse = try await describe("stock.warehouse")
            let weight = try #require(product["weight"]), tracking = try #require(product["tracking"]), code = try #require(warehouse["code"])
            #expect(OdooPreflight.keptAsIs(0.02, weight, field: "product.template.weight") == nil)
            #expect(OdooPreflight.keptAsIs(0.021, weight, field: "product.template.weight")?.hasPrefix("0.021 would be kept by Odoo as 0.02") == true)
            #expect(OdooPreflight.keptAsIs("lot", tracking, field: "product.template.tracking") == nil)
            #expect(OdooPreflight.keptAsIs("batch", tracking, field: "product.template.tracking")
                    == "\"batch\" is not a value Odoo offers for product.template.tracking (serial, lot, none); Odoo refuses it: correct the value, or map it in rules/consumers/odoo.yaml")
            #expect(OdooPreflight.keptAsIs("NORD", code, field: "stock.warehouse.code") == nil)
            #expect(OdooPreflight.keptAsIs("CENTRAL", code, field: "stock.warehouse.code")?.contains("stock.warehouse.code keeps 5: Odoo would cut it") == true)
        }
    }

    /// Golden records published to Odoo read back as candidates with their mapped attributes; a
    /// product made by hand in Odoo reads back as one too, keyed by its Odoo id.
    @Test(arguments: [OdooVersion.v17, .v19])
    func publishedRecordsReadBackAsTheCandidatesTheyCameFrom(_ version: OdooVersion) async throws {
        try await withDoubleAndRecords(version) { common, server, t in
            #expect(try await aurum(["odoo", "sync"] + common) == 0)
            let odoo = OdooClient(settings: OdooSettings(url: common[1], database: "odoo_test", login: "admin", secret: "cli-test-key"))
            let hand = try await odoo.call(OdooCall("product.template", "create", ["vals_list": [["name": "Made by hand", "default_code": "H-1", "weight": 0.5]]]))
            let handID = try #require(hand.array?.first?.int ?? hand.int)
            let mapping = try #require(t.rules.odoo)
            let page = OdooImportPage(reader: OdooReader(client: odoo), mapping: mapping, version: try await odoo.connect().major)
            for entity in ["supplier", "warehouse", "item"] {
                let entityMapping = try #require(mapping.entities[entity]), schema = try #require(t.rules.entities[entity])
                let collected = Mutex([OdooImportedRecord]())
                try await page.reader.forEachPage(entityMapping.model, fields: page.fields(entityMapping)) { records in
                    let read = try await page.candidates(records, entity: entityMapping, schema: schema)
                    collected.withLock { $0 += read }
                    return true
                }
                let read = collected.withLock { $0 }
                let golden = try #require(try await t.store.records(entity: entity, limit: 10).first)
                let plain = Set(entityMapping.fields(for: page.version).compactMap(\.readsBackInto))
                let expected = golden.attributes.filter { plain.contains($0.key) }
                let match = read.first { candidate in expected.allSatisfy { candidate.candidate.attributes[$0.key] == $0.value } }
                #expect(match != nil, "\(entity): \(expected) among \(read.map(\.candidate.attributes))")
                #expect(match?.candidate.source == "odoo" && match?.unresolved == [])
                if entity == "item" {
                    let made = read.first { $0.candidate.sourceKey == String(handID) }
                    #expect(made?.candidate.attributes["name"] == "Made by hand" && made?.candidate.attributes["code"] == "H-1"
                            && made?.candidate.attributes["weight"] == 0.5, "\(String(describing: made))")
                }
            }
        }
    }

    @Test func reconcileRepairQueuesTheDriftedRecordAndThePublisherPutsItRight() async throws {
        try await withDoubleAndRecords(.v18) { common, server, t in
            #expect(try await aurum(["odoo", "sync"] + common) == 0)
            let product = try #require(server.database.records("product.template").first { $0["default_code"] == "B-1001" })
            server.database.edit("product.template", id: product["id"]!.int!, "name", "Renamed by hand")
            let repair = try await runAurumCapturing(["reconcile", "odoo", "--repair"] + common)
            #expect(repair.code == 0 && repair.output.contains("1 record queued again in the outbox for Odoo"), "\(repair.output)")
            let drained = try await runAurumCapturing(["publish", "--drain"] + common.filter { $0 != "--entity" })
            #expect(drained.code == 0 && drained.output.contains("1 delivery worked"), "\(drained.output)")
            #expect(server.database.records("product.template").first { $0["default_code"] == "B-1001" }?["name"] == "Hex bolt M8x40")
            #expect(try await aurum(["reconcile", "odoo"] + common) == 0, "no drift once the outbox delivered")
            #expect(try await t.auditActions().contains("delivery.replayed"))
        }
    }

    @Test func checkNamesAMissingLookupValueAndAFieldThisVersionLacks() async throws {
        try await TestStore.with { t in
            _ = try await t.release([CandidateSubmission(entity: "item", source: "plm", sourceKey: "I-9", attributes: ["code": "B-9", "name": "Nut", "uom": "Pcs"])])
            let rules = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-rules-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: rules) }
            try FileManager.default.copyItem(atPath: ProjectPaths.rules, toPath: rules)
            let mapping = try String(contentsOfFile: rules + "/consumers/odoo.yaml", encoding: .utf8)
            try mapping.replacingOccurrences(of: "      uom_po_id: {from: [purchase_uom, uom], lookup: {model: uom.uom, by: name}, versions: 16-18}",
                                             with: "      uom_po_id: {from: [purchase_uom, uom], lookup: {model: uom.uom, by: name}}")
                .write(toFile: rules + "/consumers/odoo.yaml", atomically: true, encoding: .utf8)
            let server = OdooDoubleServer(.init(version: .v19, database: "odoo_test", apiKey: "cli-test-key"))
            try await LiveServer.with(server.router()) { port in
                try Self.useKeyFile()
                let common = ["--odoo-url", "http://\(LiveServer.host):\(port)", "--odoo-database", "odoo_test", "--database-url", t.settings.url,
                              "--migrations", ProjectPaths.migrations]
                #expect(try await aurum(["odoo", "check", "--rules", ProjectPaths.rules] + common) == 0)
                #expect(try await aurum(["odoo", "check", "--rules", rules] + common) == 1, "uom_po_id does not exist in 19")
                #expect(try await aurum(["odoo", "check", "--values", "--rules", ProjectPaths.rules] + common) == 1, "uom Pcs does not exist")
                let mapping = try #require(try RulesLoader.load(directory: rules).odoo)
                let odoo = OdooClient(settings: OdooSettings(url: "http://\(LiveServer.host):\(port)", database: "odoo_test", login: "admin", secret: "cli-test-key"))
                let preflight = OdooPreflight(client: odoo, mapping: mapping, version: try await odoo.connect().major)
                let problems = await preflight.check() + preflight.checkValues(store: t.store)
                #expect(problems.contains { $0.contains("product.template has no field uom_po_id in Odoo 19") }, "\(problems)")
                #expect(problems.contains { $0.contains("uom.uom 'Pcs' (used by 1 golden records") }, "\(problems)")
            }
        }
    }
}

@testable import AurumApp
import AurumCore
import AurumPublish
import AurumStore
import AurumTestSupport
import Foundation
import OdooDouble
import Testing

/// `aurum odoo import` against the double filled as a company's Odoo is: the first import into an
/// empty store binds golden records to Odoo's, the first publication creates nothing, Odoo's own
/// duplicates are listed, later imports bring only what changed.
@Suite struct OdooImportTests {
    struct Report: Decodable {
        var entities: [Entity]
        struct Entity: Decodable {
            var entity: String
            var mode: String
            var read: Int
            var new: Int
            var updates: Int
            var unchanged: Int
            var linked: Int
            var possible_duplicates: Int
            var put_back: Int
            var invalid: [Problem]
            var review: [Pair]
            var watermark: String?
            var resumed: Bool
        }
        struct Problem: Decodable { var odoo_id: String; var message: String }
        struct Pair: Decodable {
            var a: Side
            var b: Side
            struct Side: Decodable { var odoo_id: String; var record: Int64? }
        }
        subscript(_ entity: String) -> Entity? { entities.first { $0.entity == entity } }
    }

    static func importing(_ arguments: [String]) async throws -> Report {
        let run = try await runAurumCapturing(["odoo", "import", "--json"] + arguments)
        #expect(run.code == 0, "\(run.output)")
        return try JSONDecoder().decode(Report.self, from: Data(run.output.utf8))
    }

    static func withPopulatedDouble(_ version: OdooVersion, _ population: Population,
                                    _ body: @escaping @Sendable (_ common: [String], _ server: OdooDoubleServer, _ made: Population.Made, _ t: TestStore) async throws -> Void)
        async throws {
        try await TestStore.with { t in
            let server = OdooDoubleServer(.init(version: version, database: "odoo_test", apiKey: "cli-test-key"))
            let made = try server.database.populate(population)
            try await LiveServer.with(server.router()) { port in
                try OdooCommandTests.useKeyFile()
                try Self.useAuditKeyFile()
                let common = ["--odoo-url", "http://\(LiveServer.host):\(port)", "--odoo-database", "odoo_test", "--database-url", t.settings.url,
                              "--rules", ProjectPaths.rules, "--migrations", ProjectPaths.migrations]
                try await body(common, server, made, t)
            }
        }
    }

    /// Suppliers carry bank accounts, sealed in the audit trail with a key every test shares.
    static func useAuditKeyFile() throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-test-audit-key").path
        try (WorkerProcess.auditKey + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        setenv("AURUM_AUDIT_KEY_FILE", keyFile, 1)
    }

    static func counts(_ server: OdooDoubleServer) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: ["product.template", "product.product", "res.partner", "res.partner.bank", "product.supplierinfo", "stock.warehouse"]
            .map { ($0, server.database.records($0).count) })
    }

    @Test func firstImportBindsGoldenRecordsToOdoosAndThePublicationCreatesNothing() async throws {
        let population = Population(products: 2000, duplicates: 40, partners: 500, warehouses: 3, seed: 7)
        try await Self.withPopulatedDouble(.v19, population) { common, server, made, t in
            let before = Self.counts(server)
            let first = try await Self.importing(common)
            let item = try #require(first["item"]), supplier = try #require(first["supplier"])
            #expect(item.mode == "first" && item.read == 2000, "\(item)")
            #expect(item.new + item.invalid.count == 2000, "every product is a golden record or named as invalid: \(item.invalid.prefix(5))")
            print(first.entities.map { "\($0.entity): read \($0.read) new \($0.new) linked \($0.linked) pairs \($0.possible_duplicates) invalid \($0.invalid.count)" })
            print(item.invalid.prefix(5).map(\.message))
            // Each of the 40 products typed in twice is among the pairs for review.
            let pairs = Set(item.review.map { Set([$0.a.odoo_id, $0.b.odoo_id]) })
            let missed = made.duplicates.filter { !pairs.contains(Set([String($0.original), String($0.duplicate)])) }
            #expect(missed.isEmpty, "duplicates not listed: \(missed)")
            #expect(supplier.read == made.suppliers.count)
            // Every golden item is bound to its Odoo product by Aurum's external id.
            let bound = server.database.records("ir.model.data").filter { $0["module"] == "aurum" && $0["model"] == "product.template" }
            #expect(bound.count == item.new)
            // The first publication updates Odoo's records, and creates none.
            let drained = try await runAurumCapturing(["publish", "--drain"] + common)
            #expect(drained.code == 0, "\(drained.output)")
            #expect(Self.counts(server) == before, "publication created records: \(Self.counts(server)) vs \(before)")
            #expect(try await runAurum(["reconcile", "odoo"] + common) == 0)
            // A second import reads nothing new.
            let second = try await Self.importing(common)
            for report in second.entities { #expect(report.mode == "incremental" && report.new == 0 && report.updates == 0, "\(report)") }
            print(second.entities.map { "\($0.entity): read \($0.read) unchanged \($0.unchanged) linked \($0.linked)" })
        }
    }
}

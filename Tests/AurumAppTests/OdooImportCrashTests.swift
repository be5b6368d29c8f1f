@testable import AurumApp
import AurumCore
import AurumPublish
import AurumStore
import AurumTestSupport
import Foundation
import OdooDouble
import PostgresNIO
import Testing

/// `aurum odoo import` killed (SIGKILL) halfway, and run again: the first import into an empty
/// store (2,000 products with 40 typed in twice, 500 partners, 3 warehouses) and a later import
/// of 1,000 edits of active products, each interrupted in the middle. Nothing is imported twice, nothing is lost, and
/// the first publication afterwards creates no record in Odoo.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the other tests of processes"))
struct OdooImportCrashTests {
    @Test func anImportKilledHalfwayAndRunAgainImportsNothingTwice() async throws {
        let population = Population(products: 2000, duplicates: 40, partners: 500, warehouses: 3, seed: 7)
        try await OdooImportTests.withPopulatedDouble(.v19, population) { common, server, made, t in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-import-crash-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let environment = ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": t.settings.url, "AURUM_RULES": ProjectPaths.rules,
                               "AURUM_LOG_LEVEL": "error", "ODOO_URL": common[1], "ODOO_DATABASE": "odoo_test", "ODOO_API_KEY": "cli-test-key",
                               "AURUM_AUDIT_KEY_FILE": ""]
            let before = OdooImportTests.counts(server)
            let golden = { try await Self.count(t, "SELECT count(*)::int FROM golden_record") }

            // The first import, killed once the first thousand items are loaded.
            let doomed = try WorkerProcess("odoo import, killed", ["odoo", "import", "--migrations", ProjectPaths.migrations],
                                           environment: environment, log: directory + "/first.log")
            #expect(try await Self.until(doomed, { try await golden() >= 1554 }), "the import got halfway before it ended")
            #expect(await doomed.crash())
            let cut = try await golden()
            let running = try await t.store.importCursor(entity: "item")?.running
            #expect(running == true, "killed in the middle of the items (\(cut) golden records)")
            let again = try await Self.runToTheEnd(["odoo", "import", "--json", "--migrations", ProjectPaths.migrations], environment, log: directory + "/again.log")
            let report = try JSONDecoder().decode(OdooImportTests.Report.self, from: Data(again.utf8))
            let item = try #require(report["item"])
            #expect(item.resumed && item.mode == "first" && item.new + item.unchanged == 2000, "\(item)")
            let pairs = Set(item.review.map { Set([$0.a.odoo_id, $0.b.odoo_id]) })
            #expect(made.duplicates.allSatisfy { pairs.contains(Set([String($0.original), String($0.duplicate)])) }, "the 40 products typed in twice are listed")
            #expect(item.review.allSatisfy { $0.a.record != nil && $0.b.record != nil }, "each side of a pair names its golden record")
            #expect(try await golden() == 2554, "350 suppliers, 200 customers, 4 warehouses, 2,000 items, each once")
            #expect(try await Self.count(t, "SELECT count(*)::int FROM (SELECT 1 FROM record_source WHERE source = 'odoo' GROUP BY entity, source_key HAVING count(*) > 1) x") == 0)
            let bound = server.database.records("ir.model.data").filter { $0["module"] == "aurum" }
            let names = Set(bound.compactMap { $0["name"]?.string })
            #expect(names.count == bound.count, "each external id once")
            let products = bound.filter { $0["model"] == "product.template" }
            #expect(products.count == 2000 && Set(products.compactMap { $0["res_id"]?.int }).count == 2000, "each product bound once")
            // The first publication afterwards creates nothing.
            #expect(try await runAurum(["publish", "--drain"] + common) == 0)
            #expect(OdooImportTests.counts(server) == before)
            #expect(made.duplicates.count == 40)

            // 1,000 products renamed in Odoo; the import of the edits killed after its first pages.
            let archivedProducts = Set(made.archived.filter { $0.model == "product.template" }.map(\.id))
            let archivedPartners = Set(made.archived.filter { $0.model == "res.partner" }.map(\.id))
            let renamed = made.products.filter { !archivedProducts.contains($0) }.prefix(1000)
            for id in renamed { server.database.edit("product.template", id: id, "name", .string("Renamed \(id)")) }
            let edits = try WorkerProcess("odoo import of edits, killed", ["odoo", "import", "--entity", "item", "--page-size", "50", "--migrations", ProjectPaths.migrations],
                                          environment: environment, log: directory + "/edits.log")
            #expect(try await Self.until(edits, { try await t.store.importCursor(entity: "item").map { $0.running && $0.lastID > 0 } ?? false }))
            #expect(await edits.crash())
            let cursor = try await t.store.importCursor(entity: "item")
            #expect(cursor?.running == true, "killed mid-pass, after id \(cursor?.lastID ?? 0)")
            let rerun = try await Self.runToTheEnd(["odoo", "import", "--entity", "item", "--page-size", "50", "--migrations", ProjectPaths.migrations],
                                                   environment, log: directory + "/edits-again.log")
            #expect(rerun.contains("resumed"), "\(rerun.prefix(300))")
            let twice = try await Self.count(t, "SELECT count(*)::int FROM (SELECT 1 FROM candidate WHERE source = 'odoo' GROUP BY entity, source_key HAVING count(*) > 1) x")
            #expect(twice == 0, "no Odoo record came in twice")
            let proposed = try await Self.count(t, "SELECT count(*)::int FROM change_request WHERE source = 'odoo' AND status = 'open' AND kind = 'update'")
            // A product whose vendor Odoo keeps archived names an obsolete supplier: its edit is invalid, with that reason.
            let vendorOf = Dictionary(server.database.records("product.supplierinfo").sorted { ($0["id"]?.int ?? 0) > ($1["id"]?.int ?? 0) }
                .compactMap { line in line["product_tmpl_id"]?.int.map { ($0, line["partner_id"]?.int ?? 0) } }, uniquingKeysWith: { _, first in first })
            let held = renamed.filter { vendorOf[$0].map(archivedPartners.contains) ?? false }
            #expect(proposed == renamed.count - held.count, "each edit is one change for the steward (\(held.count) name an archived vendor)")
        }
    }

    /// Polls `condition` every 20 ms while `process` runs; true once it holds.
    static func until(_ process: WorkerProcess, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline, !process.reap() {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Runs `aurum arguments…` to its end and returns what it printed.
    @discardableResult
    static func runToTheEnd(_ arguments: [String], _ environment: [String: String], log: String) async throws -> String {
        let process = try WorkerProcess(arguments.joined(separator: " "), arguments, environment: environment, log: log)
        #expect(await process.reaped(within: .seconds(300)), "it finishes")
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(process.exitCode == 0, "\(output.suffix(2000))")
        return output
    }

    static func count(_ t: TestStore, _ sql: String) async throws -> Int {
        try await t.client.query(PostgresQuery(unsafeSQL: sql), logger: TestLogger.quiet).decode(Int.self).rows()[0]
    }
}

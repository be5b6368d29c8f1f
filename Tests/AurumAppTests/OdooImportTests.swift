@testable import AurumApp
import AurumCore
import AurumPublish
import AurumRules
import AurumStore
import AurumTestSupport
import Foundation
import OdooDouble
import PostgresNIO
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
            var archived: Int
            var archived_in_odoo: [Int64]
            var invalid: [Problem]
            var review: [Pair]
            var read_from: String?
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

    /// (At full size, 2,000 products, 500 partners, and killed halfway: OdooImportCrashTests.)
    @Test func firstImportBindsGoldenRecordsToOdoosAndThePublicationCreatesNothing() async throws {
        let population = Population(products: 400, duplicates: 10, partners: 100, warehouses: 3, seed: 11)
        try await Self.withPopulatedDouble(.v19, population) { common, server, made, t in
            let before = Self.counts(server)
            // A dry run says what would come in and writes nothing.
            let dry = try #require(try await Self.importing(common + ["--dry-run", "--entity", "item"])["item"])
            #expect(dry.mode == "first" && dry.read == 400 && dry.new + dry.invalid.count == 400 && dry.possible_duplicates >= 10, "\(dry)")
            let (items, cursor) = (try await t.store.recordCount(entity: "item"), try await t.store.importCursor(entity: "item"))
            #expect(items == 0 && cursor == nil)
            #expect(!server.database.records("ir.model.data").contains { $0["module"] == "aurum" })
            let first = try await Self.importing(common)
            let item = try #require(first["item"]), supplier = try #require(first["supplier"])
            #expect(item.mode == "first" && item.read == 400, "\(item)")
            #expect(item.new + item.invalid.count == 400, "every product is a golden record or named as invalid: \(item.invalid.prefix(5))")
            // Each of the 40 products typed in twice is among the pairs for review.
            let pairs = Set(item.review.map { Set([$0.a.odoo_id, $0.b.odoo_id]) })
            let missed = made.duplicates.filter { !pairs.contains(Set([String($0.original), String($0.duplicate)])) }
            #expect(missed.isEmpty, "duplicates not listed: \(missed)")
            #expect(supplier.read == made.suppliers.count)
            // Products Odoo keeps archived are obsolete golden records, and stay archived in Odoo.
            let archived = made.archived.filter { $0.model == "product.template" }.map(\.id)
            #expect(item.archived == archived.count && !archived.isEmpty)
            let obsolete = try await t.client.query("SELECT count(*)::int FROM golden_record WHERE entity = 'item' AND state = 'obsolete'",
                                                    logger: TestLogger.quiet).decode(Int.self).rows()
            #expect(obsolete == [archived.count])
            // Every golden item is bound to its Odoo product by Aurum's external id.
            let bound = server.database.records("ir.model.data").filter { $0["module"] == "aurum" && $0["model"] == "product.template" }
            #expect(bound.count == item.new)
            // The first publication updates Odoo's records, and creates none.
            let drained = try await runAurumCapturing(["publish", "--drain"] + common)
            #expect(drained.code == 0, "\(drained.output)")
            #expect(Self.counts(server) == before, "publication created records: \(Self.counts(server)) vs \(before)")
            #expect(try await runAurum(["reconcile", "odoo"] + common) == 0)
            let active = Set(server.database.records("product.template", activeOnly: true).compactMap { $0["id"]?.int })
            #expect(active.isDisjoint(with: archived), "the publication re-activated no archived product")
            // A second import reads nothing new.
            let second = try await Self.importing(common)
            for report in second.entities { #expect(report.mode == "incremental" && report.new == 0 && report.updates == 0, "\(report)") }
        }
    }

    /// After the first import, each import brings what changed in Odoo to the steward: a product
    /// made by hand as a new record, one typed in again as a possible duplicate, an edit of a
    /// field Odoo alone describes as a change to decide (rejected, Aurum's value is put back), an
    /// edit of a field a more trusted source owns put back at once.
    @Test func laterImportsBringWhatChangedInOdooToTheSteward() async throws {
        let population = Population(products: 40, duplicates: 2, partners: 20, warehouses: 1, seed: 3)
        try await Self.withPopulatedDouble(.v18, population) { common, server, made, t in
            let drain = ["publish", "--drain"] + common
            _ = try await Self.importing(common)
            #expect(try await runAurum(drain) == 0)
            // An item PLM owns, published by Aurum, then read back once: linked, not a new record.
            let plm = try #require(try await t.release([SampleRules.item("PLM-7", ["code": "PLM-7", "name": "Titanium shaft collar 30 mm", "uom": "Units"])]).first)
            #expect(try await runAurum(drain) == 0)
            let linking = try await Self.importing(common + ["--entity", "item"])
            #expect(linking["item"]?.linked == 1 && linking["item"]?.new == 0, "\(String(describing: linking["item"]))")

            let odoo = OdooClient(settings: OdooSettings(url: common[1], database: "odoo_test", login: "admin", secret: "cli-test-key"))
            func create(_ vals: OdooValue) async throws -> Int {
                let made = try await odoo.call(OdooCall("product.template", "create", ["vals_list": [vals]]))
                return try #require(made.array?.first?.int ?? made.int)
            }
            let hand = try await create(["name": "Copper cable lug 35 mm2", "default_code": "CU-3535", "weight": 0.03])
            let template = try #require(server.database.records("product.template").first { $0["id"]?.int == made.products[0] })
            let again = try await create(["name": .string(template["name"]!.string!.lowercased()),
                                          "default_code": .string(template["default_code"]!.string!.replacingOccurrences(of: "-", with: ""))])
            let edited = made.products[5]
            let before = try #require(server.database.records("product.template").first { $0["id"]?.int == edited }?["name"])
            server.database.edit("product.template", id: edited, "name", "Renamed in Odoo")
            let plmProduct = try #require(server.database.records("ir.model.data").first { $0["name"] == .string("item_\(plm)") }?["res_id"]?.int)
            server.database.edit("product.template", id: plmProduct, "name", "Renamed in Odoo too")
            let retired = made.products[7]
            server.database.edit("product.template", id: retired, "active", false)

            let preview = try #require(try await Self.importing(common + ["--entity", "item", "--dry-run"])["item"])
            #expect(preview.read == 5 && preview.new == 2 && preview.updates == 3, "unknown Odoo ids would be new, known ones changes: \(preview)")
            let report = try #require(try await Self.importing(common + ["--entity", "item"])["item"])
            #expect(report.read == 5 && report.new == 1 && report.put_back == 1, "\(report)")
            let retiredGolden = try #require(try await t.store.records(entity: "item", source: "odoo", keys: [String(retired)])[String(retired)])
            #expect(report.archived == 1 && report.archived_in_odoo == [retiredGolden], "an archive made in Odoo is named for a steward, not put back")
            #expect(report.updates + report.possible_duplicates >= 2, "the retyped product and the edit reach the steward: \(report)")
            var filter = QueueFilter()
            filter.entities = ["item"]
            let open = try await t.store.changeRequests(filter).filter { $0.source == "odoo" }
            let byKey = Dictionary(open.map { ($0.sourceKey, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(byKey[String(hand)]?.kind == .create, "the hand-made product is a new record for the steward")
            let retyped = try #require(byKey[String(again)], "the retyped product reaches the steward")
            #expect(retyped.kind == .update || !retyped.possibleDuplicates.isEmpty || retyped.match?.band == .review,
                    "it is linked to, or flagged as a duplicate of, the product it repeats: \(retyped)")
            let edit = try #require(byKey[String(edited)])
            #expect(edit.kind == .update && edit.diff.map(\.attribute) == ["name"], "\(edit.diff)")
            // The PLM item's edit did not survive (PLM is trusted more): its name is put back.
            #expect(try await runAurum(drain) == 0)
            #expect(server.database.records("product.template").first { $0["id"]?.int == plmProduct }?["name"] == "Titanium shaft collar 30 mm")
            // The steward rejects the edit made in Odoo: Aurum's value goes back to Odoo.
            let steward = try await t.actor("steward-odoo-edit", .steward)
            _ = try await t.store.reject(changeRequest: edit.id, by: steward.principal, reason: "the name is PLM's to change", requestID: "test")
            #expect(try await runAurum(drain) == 0)
            #expect(server.database.records("product.template").first { $0["id"]?.int == edited }?["name"] == before)
            // What Aurum wrote back is read again and changes nothing.
            let after = try #require(try await Self.importing(common + ["--entity", "item"])["item"])
            #expect(after.new == 0 && after.updates == 0 && after.put_back == 0, "\(after)")
            // --since reads again from then, for one run; the watermark stays where it was.
            let kept = try await t.store.importCursor(entity: "item")?.watermark
            let since = try #require(try await Self.importing(common + ["--entity", "item", "--since", "2025-01-01"])["item"])
            #expect(since.read_from == "2025-01-01 00:00:00" && since.read >= 40 && since.new == 0 && since.updates == 0, "\(since)")
            #expect(try await t.store.importCursor(entity: "item")?.watermark == kept)
        }
    }

    /// One process imports at a time: a second `aurum odoo import` while one runs is refused,
    /// saying why; `aurum serve`'s watcher (import_every) skips its round, and imports once free.
    @Test func oneProcessImportsAtATimeAndServeWatchesOdooEveryRound() async throws {
        let population = Population(products: 12, duplicates: 1, partners: 6, warehouses: 1, seed: 5)
        try await Self.withPopulatedDouble(.v17, population) { common, server, made, t in
            let rules = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-watch-rules-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: rules) }
            try FileManager.default.copyItem(atPath: ProjectPaths.rules, toPath: rules)
            let mapping = try String(contentsOfFile: rules + "/consumers/odoo.yaml", encoding: .utf8)
            try mapping.replacingOccurrences(of: "# import_every: 5m", with: "import_every: 1m").write(toFile: rules + "/consumers/odoo.yaml", atomically: true, encoding: .utf8)
            let ruleSet = try RulesLoader.load(directory: rules)
            #expect(ruleSet.odoo?.importEvery == 60)
            let key = try DatabaseOptions.auditKey(WorkerProcess.auditKey, from: "test")
            let store = PostgresStewardshipStore(client: t.client, rules: ruleSet, auditKey: key, logger: TestLogger.quiet)
            let odoo = try OdooOptions.parse(["--odoo-url", common[1], "--odoo-database", "odoo_test"])
            let watcher = try #require(try OdooWatching.watcher(rules: ruleSet, odoo: odoo, store: store, auditKey: key, logger: TestLogger.quiet))
            #expect(watcher.every == .seconds(60))
            let (held, release) = AsyncStream.makeStream(of: Void.self)
            let (taken, signal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await store.whileImportingAlone {
                    signal.yield()
                    for await _ in held { break }
                }
            }
            for await _ in taken { break }
            let refused = try await runAurumCapturingAll(["odoo", "import", "--rules", rules] + common.filter { $0 != ProjectPaths.rules && $0 != "--rules" })
            #expect(refused.code == 1 && refused.errors.contains("another process is importing from Odoo"), "\(refused)")
            await watcher.once()
            #expect(try await t.store.recordCount(entity: "item") == 0, "the watcher skips the round while another imports")
            release.yield()
            _ = try await holder.value
            await watcher.once()
            #expect(try await t.store.recordCount(entity: "item") == 12, "a round imports once no one else does")
            _ = made
        }
    }

    @Test func sinceTakesADurationADayOrOdoosForm() throws {
        let now = try #require(OdooInstant.date("2026-12-06 10:00:00"))
        #expect(OdooCommand.Import.instant("2d", now: now) == "2026-12-04 10:00:00")
        #expect(OdooCommand.Import.instant("2026-12-01", now: now) == "2026-12-01 00:00:00")
        #expect(OdooCommand.Import.instant("2026-12-01 08:30:00", now: now) == "2026-12-01 08:30:00")
        for bad in ["", "0d", "yesterday", "2026-12-01T08:30:00Z", "2026-02-30x", String(repeating: "9", count: 40) + "d"] {
            #expect(OdooCommand.Import.instant(bad, now: now) == nil, "\(bad)")
        }
    }
}

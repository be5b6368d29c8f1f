import AurumCore
import AurumPublish
import AurumRules
import AurumTestSupport
import OdooDouble
import Testing

/// Publishing golden records with the shipped mapping into the double: idempotent upserts by
/// external id, archive and re-activation, adoption, children, look-ups and refusals.
@Suite struct OdooPublisherTests {
    static let mapping: OdooMapping = try! RulesLoader.load(directory: ProjectPaths.rules).odoo!

    static func record(_ entity: String, _ id: Int64, _ attributes: Attributes, state: RecordState = .active, version: Int = 1) -> RecordView {
        RecordView(id: id, entity: entity, version: version, state: state, attributes: attributes, sources: [], updatedAt: "2026-11-23T00:00:00Z")
    }

    static let supplier: Attributes = ["name": "Schrauben Lieferant GmbH", "is_company": true, "vat": "DE123456788", "country": "DE", "state": "DE-BW",
                                       "city": "Stuttgart", "zip": "70173", "street": "Industriestr. 5", "ref": "MDM-SUP-000001",
                                       "bank_account": "DE89370400440532013000", "bank_bic": "COBADEFFXXX"]

    @Test(arguments: [OdooVersion.v17, .v19])
    func upsertIsIdempotentAndArchivesAndReactivates(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { server, settings in
            let publisher = OdooPublisher(client: OdooClient(settings: settings), mapping: Self.mapping)
            let first = await publisher.publish(Self.record("supplier", 1, Self.supplier))
            #expect(first.action == .created && first.failure == nil, "\(first)")
            #expect(first.notes == ["bank: created res.partner.bank"])
            let again = await publisher.publish(Self.record("supplier", 1, Self.supplier))
            #expect(again.action == .unchanged && again.changedFields.isEmpty && again.notes.isEmpty, "\(again)")
            var renamed = Self.supplier
            renamed["name"] = "Schrauben Lieferant AG"
            let update = await publisher.publish(Self.record("supplier", 1, renamed, version: 2))
            #expect(update.action == .updated && update.changedFields == ["name"], "\(update)")
            let partner = try #require(server.database.records("res.partner").first { $0["id"]?.int == first.odooID })
            #expect(partner["name"] == "Schrauben Lieferant AG" && partner["supplier_rank"] == 1 && partner["country_id"] == 57)
            #expect(server.database.records("res.partner.bank").count == 1)
            let blocked = await publisher.publish(Self.record("supplier", 1, renamed, state: .blocked, version: 3))
            #expect(blocked.action == .archived && blocked.changedFields == ["active"])
            #expect(server.database.records("res.partner", activeOnly: true).allSatisfy { $0["id"]?.int != first.odooID })
            let back = await publisher.publish(Self.record("supplier", 1, renamed, state: .active, version: 4))
            #expect(back.action == .reactivated && back.odooID == first.odooID)
            #expect(server.database.records("res.partner").filter { $0["name"] == "Schrauben Lieferant AG" }.count == 1, "never duplicated")
            #expect(server.database.records("ir.model.data").contains { $0["module"] == "aurum" && $0["name"] == "supplier_1" })
        }
    }

    @Test(arguments: [OdooVersion.v17, .v18, .v19])
    func itemsLandWithTheirVendorAndTheVersionsProductType(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { server, settings in
            let publisher = OdooPublisher(client: OdooClient(settings: settings), mapping: Self.mapping)
            let item = Self.record("item", 10, ["code": "B-1001", "name": "Bolt M8 x 40", "type": "consu", "is_storable": true, "uom": "Units",
                                               "barcode": "4006381333931", "supplier": 1, "purchase_ok": true, "sale_ok": false, "list_price": 0.35])
            let early = await publisher.publish(item)
            #expect(early.action == .failed && early.failureKind == "mapping" && early.failure?.contains("supplier 1 is not in Odoo yet") == true, "\(early)")
            #expect(server.database.records("product.template").isEmpty, "nothing is half-published")
            _ = await publisher.publish(Self.record("supplier", 1, Self.supplier))
            let published = await publisher.publish(item)
            #expect(published.action == .created && published.notes == ["vendor: created product.supplierinfo"], "\(published)")
            let product = try #require(server.database.records("product.template").first)
            if version <= .v17 { #expect(product["detailed_type"] == "product") } else { #expect(product["type"] == "consu" && product["is_storable"] == true) }
            #expect(product["sale_ok"] == false && product["purchase_ok"] == true && product["uom_id"] == 1)
            let vendor = try #require(server.database.records("product.supplierinfo").first)
            #expect(vendor["product_tmpl_id"]?.int == product["id"]?.int)
            let again = await publisher.publish(item)
            #expect(again.action == .unchanged && again.notes.isEmpty, "\(again)")
        }
    }

    @Test func aRecordMadeByHandIsAdoptedNotDuplicated() async throws {
        try await DoubleHarness.with(.v18) { server, settings in
            let client = OdooClient(settings: settings)
            let manual = try await client.call(OdooCall("product.template", "create", ["vals_list": [["name": "Washer (typed in Odoo)", "default_code": "W-8"]]]))
            let manualID = try #require(manual.array?.first?.int)
            _ = try await client.call(OdooCall("product.template", "write", ids: [manualID], ["vals": ["active": false]]))
            let publisher = OdooPublisher(client: client, mapping: Self.mapping)
            let outcome = await publisher.publish(Self.record("item", 5, ["code": "W-8", "name": "Washer M8", "type": "consu"]))
            #expect(outcome.action == .adopted && outcome.odooID == manualID && outcome.changedFields.contains("active"), "\(outcome)")
            #expect(outcome.notes.first?.contains("adopted product.template") == true)
            #expect(server.database.records("product.template").count == 1)
            #expect(server.database.records("product.template", activeOnly: true).first?["name"] == "Washer M8")
        }
    }

    @Test func valuesOdooCannotTakeAreRefusedWithTheirReason() async throws {
        try await DoubleHarness.with(.v19) { server, settings in
            let publisher = OdooPublisher(client: OdooClient(settings: settings), mapping: Self.mapping)
            let unit = await publisher.publish(Self.record("item", 1, ["code": "X-1", "name": "X", "uom": "Pcs"]))
            #expect(unit.action == .failed && unit.transient == false)
            #expect(unit.failure?.contains("uom.uom 'Pcs' not found in Odoo") == true, "\(unit)")
            let warehouse = await publisher.publish(Self.record("warehouse", 2, ["code": "WHSEVEN", "name": "Seven"]))
            #expect(warehouse.failure?.contains("longer than the 5 characters") == true, "\(warehouse)")
            #expect(server.database.records("stock.warehouse").count == 1, "only the seeded warehouse")
            let ok = await publisher.publish(Self.record("warehouse", 3, ["code": "NORD", "name": "Aurum Nord"]))
            #expect(ok.action == .created)
            server.faults.inject(.rateLimited(retryAfter: 0), times: 1)
            #expect(await publisher.publish(Self.record("warehouse", 3, ["code": "NORD", "name": "Aurum Nord"])).action == .unchanged, "a transient fault is retried")
        }
    }

    /// Odoo's own defaults (a sales price of 1.0) must not make the second sync differ from the first.
    @Test(arguments: [OdooVersion.v16, .v18])
    func missingValuesAreEmptyInOdooFromTheStart(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { server, settings in
            let publisher = OdooPublisher(client: OdooClient(settings: settings), mapping: Self.mapping)
            let item = Self.record("item", 4, ["code": "S-2001", "name": "Assembly service", "type": "service", "uom": "Hours"])
            #expect(await publisher.publish(item).action == .created)
            let product = try #require(server.database.records("product.template").first)
            #expect(product["list_price"] == 0.0 && product["sale_ok"] == true && product["categ_id"] == 1, "empty, mapped default, Odoo's default")
            let again = await publisher.publish(item)
            #expect(again.action == .unchanged, "\(again)")
        }
    }

    /// New records go to Odoo in one create per model; a batch Odoo refuses is retried record by
    /// record, so only the record at fault fails.
    @Test(arguments: [OdooVersion.v17, .v19])
    func newRecordsAreCreatedInBatchesAndARefusedBatchRecordByRecord(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { server, settings in
            let publisher = OdooPublisher(client: OdooClient(settings: settings), mapping: Self.mapping)
            var items = (1...30).map { Self.record("item", Int64($0), ["code": .string("B-\($0)"), "name": .string("Bolt \($0)"), "uom": "Units"]) }
            items[7].attributes["barcode"] = "4006381333931"
            items[20].attributes["barcode"] = "4006381333931"
            let client = OdooClient(settings: settings)
            let handMade = try await client.call(OdooCall("product.template", "create", ["vals_list": [["name": "typed in Odoo", "default_code": "B-5"]]]))
            let outcomes = await publisher.publish(items, batchSize: 25)
            #expect(outcomes.count == 30)
            #expect(outcomes.filter { $0.action == .created }.count == 28)
            #expect(outcomes[4].action == .adopted && outcomes[4].odooID == handMade.array?.first?.int, "\(outcomes[4])")
            let failed = try #require(outcomes.first { $0.action == .failed })
            #expect(failed.recordID == 21 && failed.failureKind == "validation", "the second holder of the barcode fails: \(failed)")
            #expect(server.database.records("product.template").count == 29)
            #expect(server.database.records("ir.model.data").filter { $0["module"] == "aurum" }.count == 29, "28 created and 1 adopted")
            let again = await publisher.publish(items)
            #expect(again.filter { $0.action == .unchanged }.count == 29)
        }
    }

    @Test func aDryRunWritesNothing() async throws {
        try await DoubleHarness.with(.v17) { server, settings in
            let publisher = OdooPublisher(client: OdooClient(settings: settings), mapping: Self.mapping)
            let outcome = await publisher.publish(Self.record("supplier", 1, Self.supplier), dryRun: true)
            #expect(outcome.action == .created && outcome.changedFields.contains("name"))
            #expect(server.database.records("res.partner").allSatisfy { $0["name"] != "Schrauben Lieferant GmbH" })
            #expect(!server.database.records("ir.model.data").contains { $0["module"] == "aurum" })
        }
    }
}

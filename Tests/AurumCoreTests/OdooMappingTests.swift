import AurumCore
import Testing

@Suite struct OdooMappingTests {
    static let item = EntityMapping(entity: "item", model: "product.template", adoptBy: "default_code", fields: [
        FieldMapping(odooField: "name", source: .attributes(["name"])),
        FieldMapping(odooField: "default_code", source: .attributes(["code"])),
        FieldMapping(odooField: "uom_id", source: .attributes(["uom"]), lookup: .init(model: "uom.uom", by: "name")),
        FieldMapping(odooField: "uom_po_id", source: .attributes(["purchase_uom", "uom"]), versions: VersionRange("16-18")!,
                     lookup: .init(model: "uom.uom", by: "name")),
        FieldMapping(odooField: "detailed_type", source: .cases([.init(when: ["is_storable": true], source: .constant("product")),
                                                                 .init(when: ["type": "service"], source: .constant("service")),
                                                                 .init(when: [:], source: .constant("consu"))]), versions: VersionRange("-17")!),
        FieldMapping(odooField: "type", source: .attributes(["type"]), versions: VersionRange("18-")!, defaultValue: "consu"),
        FieldMapping(odooField: "tracking", source: .attributes(["tracking"]), map: ["serial_number": "serial"], defaultValue: "none"),
    ])

    @Test func versionRangesParseAndContain() {
        #expect(VersionRange("16-18")?.contains(17) == true && VersionRange("16-18")?.contains(19) == false)
        #expect(VersionRange("18-")?.contains(25) == true && VersionRange("-17")?.contains(16) == true && VersionRange("19")?.contains(18) == false)
        #expect(VersionRange("18-16") == nil && VersionRange("x") == nil && VersionRange("1-2-3") == nil)
    }

    @Test func valuesFollowTheVersionAndTheCases() throws {
        let attributes: Attributes = ["name": "Bolt", "code": "B-1", "uom": "Units", "is_storable": true, "type": "consu", "tracking": "serial_number"]
        let v17 = try Self.item.values(for: attributes, version: 17)
        #expect(v17["detailed_type"] == .value("product") && v17["type"] == nil)
        #expect(v17["uom_po_id"] == .lookup(.init(model: "uom.uom", by: "name"), "Units"), "purchase_uom falls back to uom")
        #expect(v17["tracking"] == .value("serial"), "values are renamed by map")
        let v19 = try Self.item.values(for: ["name": "Service", "type": "service"], version: 19)
        #expect(v19["type"] == .value("service") && v19["detailed_type"] == nil && v19.keys.contains("uom_po_id") == false)
        #expect(v19["tracking"] == .value("none"), "the default stands in for a missing value")
        #expect(v19["uom_id"] == .some(nil), "a missing value is empty in Odoo")
    }

    @Test func referencesAndOdoosLimitsAreChecked() throws {
        let vendor = FieldMapping(odooField: "partner_id", source: .attributes(["supplier"]), reference: "supplier")
        #expect(try vendor.value(for: ["supplier": 7]) == .reference(entity: "supplier", id: 7))
        #expect(throws: MappingProblem.self) { try vendor.value(for: ["supplier": "ACME"]) }
        let code = FieldMapping(odooField: "code", source: .attributes(["code"]), maxLength: 5)
        #expect(try code.value(for: ["code": "WH2"]) == .value("WH2"))
        #expect(throws: MappingProblem(field: "code", message: "\"WHSEVEN\" is longer than the 5 characters Odoo keeps (Odoo would cut it silently and two records could collide); shorten it in Aurum")) {
            try code.value(for: ["code": "WHSEVEN"])
        }
    }

    @Test func externalIDsNameEntityAndGoldenRecord() {
        let mapping = OdooMapping(module: "aurum")
        #expect(mapping.externalID(entity: "item", id: 42) == "aurum.item_42")
        #expect(mapping.externalID(entity: "supplier", id: 7, child: "bank") == "aurum.supplier_7_bank")
    }
}

import AurumCore
import AurumRules
import AurumTestSupport
import Testing

/// The shipped Odoo mapping read both ways: what a golden record publishes, read back from Odoo's
/// values, gives the record's mapped attributes again, in every supported version.
@Suite struct OdooReadBackTests {
    /// What Odoo holds after a publication of `attributes`: plain values as sent, look-ups as
    /// their key (the reader reads the related record's `by` field), references as golden ids.
    static func held(_ mapping: EntityMapping, _ attributes: Attributes, version: Int) throws -> [String: OdooReadValue] {
        var read = [String: OdooReadValue]()
        for (field, value) in try mapping.values(for: attributes, version: version) {
            switch value {
            case nil: read[field] = .plain(false)
            case .value(let plain)?: read[field] = .plain(plain)
            case .lookup(_, let key)?: read[field] = .lookedUp(key)
            case .reference(_, let id)?: read[field] = .golden(id)
            }
        }
        return read
    }

    static let records: [String: Attributes] = [
        "item": ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units", "barcode": "4006381333931", "weight": 0.02, "type": "consu",
                 "is_storable": true, "sale_ok": true, "purchase_ok": false, "tracking": "lot", "list_price": 1.5, "supplier": 7],
        "supplier": ["name": "Würth Industrie Service GmbH", "is_company": true, "vat": "DE812345678", "ref": "V-1", "street": "Industriepark 1",
                     "city": "Bad Mergentheim", "zip": "97980", "country": "DE", "email": "info@wuerth.example", "phone": "+49 7931 910"],
        "customer": ["name": "Anna Keller", "is_company": false, "city": "Zürich", "zip": "8004", "country": "CH", "email": "anna@example.ch"],
        "warehouse": ["code": "NORD", "name": "Aurum Nord"],
    ]

    @Test(arguments: [16, 17, 18, 19])
    func whatIsPublishedReadsBackAsItWas(version: Int) throws {
        let rules = try SampleRules.shipped()
        let mapping = try #require(rules.odoo)
        for (entity, attributes) in Self.records {
            let entityMapping = try #require(mapping.entities[entity]), schema = try #require(rules.entities[entity])
            let (back, unresolved) = entityMapping.attributes(fromOdoo: try Self.held(entityMapping, attributes, version: version), version: version, schema: schema)
            #expect(unresolved.isEmpty)
            // Every attribute a plain field of this version publishes comes back as it was; a
            // field of cases gives back the attributes its matching case names.
            let plain = Set(entityMapping.fields(for: version).compactMap(\.readsBackInto))
            let expected = attributes.filter { plain.contains($0.key) }
            #expect(back.filter { expected[$0.key] != nil } == expected, "\(entity) on \(version): \(back)")
            let published = Set(entityMapping.fields(for: version).flatMap(\.attributes))
            #expect(Set(back.keys).isSubset(of: published), "\(entity) on \(version): nothing but what Odoo holds: \(back.keys.sorted())")
            if entity == "item" { #expect(back["is_storable"] == true, "on \(version) from detailed_type product, on 18+ as itself") }
        }
    }

    @Test func falseIsNoValueExceptForABooleanAndAnUnknownReferenceIsNamed() throws {
        let rules = try SampleRules.shipped()
        let item = try #require(rules.odoo?.entities["item"]), schema = try #require(rules.entities["item"])
        let (back, unresolved) = item.attributes(fromOdoo: ["name": .plain("Nut"), "barcode": .plain(false), "sale_ok": .plain(false),
                                                            "default_code": .plain("N-1")], version: 18, schema: schema)
        #expect(back == ["name": "Nut", "code": "N-1", "sale_ok": false] && unresolved.isEmpty, "\(back)")
        let vendor = try #require(item.children.first { $0.name == "vendor" })
        #expect(vendor.fields.contains { $0.reference == "supplier" })
    }
}

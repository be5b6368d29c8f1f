import AurumCore
import AurumTestSupport

/// A small item schema exercising every rule kind, independent of the shipped rules.
enum Fixtures {
    static var item: EntitySchema {
        var code = AttributeSpec(name: "code", type: .string)
        code.required = true
        code.normalize = [.trim, .upper]
        code.pattern = "[A-Z0-9][A-Z0-9-]{0,19}"
        code.unique = true
        var name = AttributeSpec(name: "name", type: .string)
        name.required = true
        name.normalize = [.trim, .collapseSpaces]
        name.length = NumericRange(min: 2, max: 20)
        var kind = AttributeSpec(name: "type", type: .enum)
        kind.values = ["consu", "service"]
        var weight = AttributeSpec(name: "weight", type: .decimal)
        weight.range = NumericRange(min: 0, max: 1000)
        var barcode = AttributeSpec(name: "barcode", type: .string)
        barcode.check = .gtin
        var uom = AttributeSpec(name: "uom", type: .string)
        uom.recommended = true
        var supplier = AttributeSpec(name: "supplier", type: .reference)
        supplier.referencedEntity = "supplier"
        var storable = AttributeSpec(name: "is_storable", type: .boolean)
        storable.description = "keeps stock"
        var email = AttributeSpec(name: "email", type: .email)
        email.normalize = [.trim, .lower]
        let country = AttributeSpec(name: "country", type: .country)
        let since = AttributeSpec(name: "since", type: .date)
        let pieces = AttributeSpec(name: "pieces", type: .integer)
        var iban = AttributeSpec(name: "bank_account", type: .string)
        iban.normalize = [.stripSeparators, .upper]
        iban.check = .iban
        var serviceRule = CrossFieldRule(name: "services_have_no_weight", when: ["type": .oneOf(["service"])])
        serviceRule.forbid = ["weight"]
        var storableRule = CrossFieldRule(name: "storable_needs_weight", when: ["is_storable": .oneOf([true])])
        storableRule.require = ["weight"]
        storableRule.severity = .warning
        return EntitySchema(name: "item", attributes: [code, name, kind, weight, barcode, uom, supplier, storable, email,
                                                       country, since, pieces, iban],
                            rules: [serviceRule, storableRule])
    }

    static let validItem: Attributes = ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units"]

    static func validate(_ attributes: Attributes, answers: [Lookup: LookupAnswer] = [:], recordID: Int64? = nil) -> Verdict {
        SampleRules.validateWithEmptyStore(item, attributes, recordID: recordID, answers: answers)
    }

    static func errors(_ attributes: Attributes) -> [String] {
        validate(attributes).errors.map { "\($0.attribute):\($0.rule)" }
    }
}

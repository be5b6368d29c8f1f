/// The mapping read the other way: what an Odoo record says of a golden record's attributes
/// (`aurum odoo import`). One mapping serves both ways: a field that publishes an attribute reads
/// back into it; constants are Odoo's concern and read back into nothing; the cases of a field
/// (`detailed_type` from `is_storable` and `type`) read back into the attributes of the case whose
/// value Odoo holds.
extension FieldMapping {
    /// The attribute a plain field (`from: attribute`, or the first of several) reads back into.
    public var readsBackInto: String? {
        guard case .attributes(let names) = source else { return nil }
        return names.first
    }

    /// The attribute value for what Odoo holds in this field, already resolved for look-ups
    /// (the related record's `by` value) and references (the golden id): renamed values mapped
    /// back, Odoo's `false` read as no value unless the attribute is a boolean.
    public func attributeValue(fromOdoo value: JSONValue, type: AttributeType?) -> JSONValue? {
        if value == .bool(false), type != .boolean { return nil }
        if value == .null { return nil }
        if let original = map.first(where: { $0.value == value })?.key {
            // The rules rename Aurum's values for Odoo (`storable: product`): the name back.
            switch type {
            case .boolean: return original == "true" ? .bool(true) : original == "false" ? .bool(false) : .string(original)
            case .integer, .decimal: return Double(original).map(JSONValue.number) ?? .string(original)
            default: return .string(original)
            }
        }
        return value
    }
}

/// An Odoo record's value of one mapped field, as the reader found it.
public enum OdooReadValue: Sendable, Hashable {
    /// A plain value: text, number, boolean, or false for none.
    case plain(JSONValue)
    /// A many2one to a look-up model: the related record's `by` value, nil when it has none.
    case lookedUp(String?)
    /// A many2one to another entity's Odoo record: its golden id, nil when that record is not
    /// (yet) a golden record.
    case golden(Int64?)
}

extension EntityMapping {
    /// The attributes an Odoo record of this entity's model says, in Odoo `version`, from the
    /// values `read` gives for each mapped field (by Odoo field name); the fields it could not read
    /// back (a reference to a record Aurum does not know) are named.
    public func attributes(fromOdoo read: [String: OdooReadValue], version: Int, schema: EntitySchema) -> (attributes: Attributes, unresolved: [String]) {
        var attributes = Attributes()
        var unresolved = [String]()
        let fields = fields(for: version)
        for field in fields {
            guard let read = read[field.odooField] else { continue }
            if let name = field.readsBackInto {
                let value: JSONValue?
                switch read {
                case .plain(let plain): value = plain
                case .lookedUp(let key): value = key.map(JSONValue.string)
                case .golden(let id):
                    if id == nil { unresolved.append(field.odooField) }
                    value = id.map { .number(Double($0)) }
                }
                if let value, let kept = field.attributeValue(fromOdoo: value, type: schema.attribute(name)?.type) { attributes[name] = kept }
            }
        }
        // A field of cases sets the attributes its matching case names, where no plain field did.
        for field in fields {
            guard case .cases(let cases) = field.source, case .plain(let held)? = read[field.odooField] else { continue }
            for item in cases {
                guard case .constant(let constant) = item.source, constant == held else { continue }
                for (name, value) in item.when where attributes[name] == nil && value != .null { attributes[name] = value }
                break
            }
        }
        return (attributes, unresolved)
    }

    /// What Odoo holds of a golden record Aurum published, less what the golden record does not say
    /// and Aurum or Odoo put there itself (a field's default, the attribute a field falls back to,
    /// the 0 or false Odoo keeps for an empty field, Odoo's own default in a field it requires,
    /// named in `required`): read back, Odoo then says only what it adds or changes.
    public func withoutWhatIsPublished(_ read: Attributes, golden: Attributes, version: Int, required: Set<String> = []) -> Attributes {
        var kept = read
        for field in fields(for: version) {
            guard let name = field.readsBackInto, kept[name] != nil, golden[name] == nil else { continue }
            let held = try? field.value(for: read), published = try? field.value(for: golden)
            if held == published || (published == nil && (Self.isEmptyInOdoo(held) || required.contains(field.odooField))) { kept[name] = nil }
        }
        return kept
    }

    /// What Odoo keeps for a field left empty: 0 in a number field, false in a boolean.
    static func isEmptyInOdoo(_ value: OdooFieldValue??) -> Bool {
        guard case .value(let json)?? = value else { return false }
        return json == .number(0) || json == .bool(false)
    }
}

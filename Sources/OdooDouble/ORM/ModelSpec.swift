import AurumPublish

/// A field of a model as Odoo declares it: type, label, whether it is required, and how its
/// value is stored, defaulted or computed.
struct FieldSpec: Sendable {
    enum Kind: Sendable, Equatable {
        case char, text, boolean, integer, float, monetary, date, datetime, binary
        case selection([(String, String)])
        case many2one(String)
        case one2many(String, inverse: String)
        case many2many(String)

        static func == (a: Kind, b: Kind) -> Bool { a.typeName == b.typeName && a.relation == b.relation }

        /// The type name `fields_get` reports.
        var typeName: String {
            switch self {
            case .char: "char"
            case .text: "text"
            case .boolean: "boolean"
            case .integer: "integer"
            case .float: "float"
            case .monetary: "monetary"
            case .date: "date"
            case .datetime: "datetime"
            case .binary: "binary"
            case .selection: "selection"
            case .many2one: "many2one"
            case .one2many: "one2many"
            case .many2many: "many2many"
            }
        }

        var relation: String? {
            switch self {
            case .many2one(let model), .one2many(let model, _), .many2many(let model): model
            default: nil
            }
        }
    }

    var name: String
    var kind: Kind
    var label: String
    var required = false
    var readonly = false
    /// The value a new record gets when the create leaves the field out.
    var defaultValue: OdooValue = false
    /// Computed on read from the record and the database (display names, variants, ...).
    var compute: (@Sendable (Record, OdooDatabase) -> OdooValue)?
    /// A float's precision and scale (`digits` in `fields_get`): Odoo stores the value rounded to
    /// the scale and says nothing (../odoo.md, "Precision of floats"). Nil: kept as sent.
    var digits: (precision: Int, scale: Int)?
    /// A text's size (`size` in `fields_get`): Odoo keeps that many characters and cuts the rest.
    var size: Int?
}

/// One stored record: its id and stored values.
typealias Record = [String: OdooValue]

/// A model: its fields, how its records are named and ordered, and what it checks on write.
struct ModelSpec: Sendable {
    var name: String
    /// The model's description, as access-error messages name it ("Product").
    var description: String
    var fields: [String: FieldSpec]
    /// The field holding the record's name (`display_name` is computed from it by default).
    var recName = "name"
    /// Default order of searches: field names, each optionally followed by " desc".
    var order = "id"
    /// Returns an error for a record that breaks a constraint, given the other records.
    var constraints: [@Sendable (Record, OdooDatabase) -> OdooException?] = []
    /// Runs after a record is created (a warehouse creates its locations, a product its variant).
    var afterCreate: (@Sendable (Int, OdooDatabase) -> Void)?
    /// Normalizes values before they are stored (a warehouse code cut to five characters).
    var normalize: (@Sendable (inout Record) -> Void)?
    /// The display name of a record; `recName` by default.
    var displayName: (@Sendable (Record, OdooDatabase) -> String)?

    init(_ name: String, _ description: String, _ fields: [FieldSpec]) {
        self.name = name
        self.description = description
        var all = [String: FieldSpec]()
        for field in fields { all[field.name] = field }
        for base in [FieldSpec(name: "id", kind: .integer, label: "ID", readonly: true),
                     FieldSpec(name: "create_date", kind: .datetime, label: "Created on", readonly: true),
                     FieldSpec(name: "write_date", kind: .datetime, label: "Last Updated on", readonly: true),
                     FieldSpec(name: "display_name", kind: .char, label: "Display Name", readonly: true)] where all[base.name] == nil {
            all[base.name] = base
        }
        self.fields = all
    }

    /// Whether records of this model can be archived (it has an `active` field).
    var hasActive: Bool { fields["active"] != nil }
}

extension FieldSpec {
    static func char(_ name: String, _ label: String, required: Bool = false, size: Int? = nil) -> FieldSpec {
        FieldSpec(name: name, kind: .char, label: label, required: required, size: size)
    }
    static func text(_ name: String, _ label: String) -> FieldSpec { FieldSpec(name: name, kind: .text, label: label) }
    static func boolean(_ name: String, _ label: String, default value: Bool = false) -> FieldSpec {
        FieldSpec(name: name, kind: .boolean, label: label, defaultValue: .bool(value))
    }
    static func integer(_ name: String, _ label: String, default value: Int = 0) -> FieldSpec {
        FieldSpec(name: name, kind: .integer, label: label, defaultValue: .int(value))
    }
    static func float(_ name: String, _ label: String, default value: Double = 0, digits: (Int, Int)? = nil) -> FieldSpec {
        FieldSpec(name: name, kind: .float, label: label, defaultValue: .double(value), digits: digits)
    }
    static func many2one(_ name: String, _ label: String, _ model: String, required: Bool = false, default value: OdooValue = false) -> FieldSpec {
        FieldSpec(name: name, kind: .many2one(model), label: label, required: required, defaultValue: value)
    }
    static func selection(_ name: String, _ label: String, _ values: [(String, String)], required: Bool = false, default value: OdooValue = false) -> FieldSpec {
        FieldSpec(name: name, kind: .selection(values), label: label, required: required, defaultValue: value)
    }
    static func one2many(_ name: String, _ label: String, _ model: String, inverse: String) -> FieldSpec {
        FieldSpec(name: name, kind: .one2many(model, inverse: inverse), label: label, defaultValue: [])
    }
    static func many2many(_ name: String, _ label: String, _ model: String) -> FieldSpec {
        FieldSpec(name: name, kind: .many2many(model), label: label, defaultValue: [])
    }
    static func computed(_ name: String, _ kind: Kind, _ label: String, _ compute: @escaping @Sendable (Record, OdooDatabase) -> OdooValue) -> FieldSpec {
        FieldSpec(name: name, kind: kind, label: label, readonly: true, compute: compute)
    }
}

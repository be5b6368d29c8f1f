/// How golden records become Odoo records (`rules/consumers/odoo.yaml`): per entity the Odoo
/// model, and per Odoo field where its value comes from, for which Odoo versions.
public struct OdooMapping: Sendable, Hashable {
    /// The module of Aurum's external ids: `<module>.<entity>_<golden id>`.
    public var module: String
    public var entities: [String: EntityMapping]
    /// Entities in publishing order: a supplier before the items that name it.
    public var order: [String]
    /// How often `aurum serve` imports what changed in Odoo (`import_every: 5m`), in seconds; nil: never.
    public var importEvery: Int?

    public init(module: String = "aurum", entities: [String: EntityMapping] = [:], order: [String] = [], importEvery: Int? = nil) {
        self.module = module
        self.entities = entities
        self.order = order
        self.importEvery = importEvery
    }

    /// The external id of a golden record (`aurum.item_42`), or of one of its children (`aurum.supplier_7_bank`).
    public func externalID(entity: String, id: Int64, child: String? = nil) -> String {
        "\(module).\(entity)_\(id)" + (child.map { "_\($0)" } ?? "")
    }
}

/// One entity's Odoo model and fields.
public struct EntityMapping: Sendable, Hashable {
    public var entity: String
    public var model: String
    /// An Odoo field whose value identifies a record made by hand (`default_code`): such a record is
    /// adopted under Aurum's external id instead of a duplicate being created.
    public var adoptBy: String?
    public var fields: [FieldMapping]
    public var children: [ChildMapping]
    /// The Odoo domain that says which of the model's records are this entity's, for `aurum odoo
    /// import` (suppliers and customers share res.partner: `[[supplier_rank, ">", 0]]`); empty: all.
    public var importDomain: [JSONValue]
    public var line: Int

    public init(entity: String, model: String, adoptBy: String? = nil, fields: [FieldMapping] = [], children: [ChildMapping] = [],
                importDomain: [JSONValue] = [], line: Int = 0) {
        self.entity = entity
        self.model = model
        self.adoptBy = adoptBy
        self.fields = fields
        self.children = children
        self.importDomain = importDomain
        self.line = line
    }
}

/// A record Odoo keeps beside the entity's own (a supplier's bank account, an item's vendor line),
/// linked to it by `parentField` and keyed by its own external id.
public struct ChildMapping: Sendable, Hashable {
    /// The suffix of its external id (`bank` in `aurum.supplier_7_bank`).
    public var name: String
    public var model: String
    public var parentField: String
    /// Published only when this attribute has a value.
    public var requires: String
    public var fields: [FieldMapping]
    public var line: Int

    public init(name: String, model: String, parentField: String, requires: String, fields: [FieldMapping], line: Int = 0) {
        self.name = name
        self.model = model
        self.parentField = parentField
        self.requires = requires
        self.fields = fields
        self.line = line
    }
}

/// The Odoo major versions a field exists in: `16-18`, `18-`, `19`.
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public var lower: Int
    public var upper: Int?

    public init(lower: Int = 0, upper: Int? = nil) {
        self.lower = lower
        self.upper = upper
    }

    public static let all = VersionRange()

    public func contains(_ version: Int) -> Bool { version >= lower && version <= (upper ?? .max) }

    /// Parses `16-18`, `18-`, `-17` or `19`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { String($0.filter { $0 != " " }) }
        switch parts.count {
        case 1:
            guard let only = Int(parts[0]) else { return nil }
            self.init(lower: only, upper: only)
        case 2:
            let lower = parts[0].isEmpty ? 0 : Int(parts[0]), upper = parts[1].isEmpty ? nil : Int(parts[1])
            guard let lower, parts[1].isEmpty || upper != nil, upper.map({ $0 >= lower }) ?? true else { return nil }
            self.init(lower: lower, upper: upper)
        default:
            return nil
        }
    }

    public var description: String {
        if lower == upper { return "\(lower)" }
        return "\(lower == 0 ? "" : "\(lower)")-\(upper.map(String.init) ?? "")"
    }
}

/// One Odoo field: where its value comes from, and how it is turned into what Odoo stores.
public struct FieldMapping: Sendable, Hashable {
    /// Where a value comes from.
    public enum Source: Sendable, Hashable {
        /// A golden-record attribute (the first of several that has a value).
        case attributes([String])
        /// A fixed value (`supplier_rank: 1`).
        case constant(JSONValue)
        /// The first case whose `when` holds.
        case cases([Case])
    }

    /// `when` attributes equal these values, then `source`.
    public struct Case: Sendable, Hashable {
        public var when: [String: JSONValue]
        public var source: Source
        public init(when: [String: JSONValue], source: Source) {
            self.when = when
            self.source = source
        }
    }

    public var odooField: String
    public var source: Source
    public var versions: VersionRange
    /// Aurum values renamed for Odoo (`storable: product`).
    public var map: [String: JSONValue]
    /// The Odoo model whose record is found by the value (`uom.uom` by name).
    public var lookup: Lookup?
    /// The value is a golden-record id of this entity: Odoo gets that record's id, by external id.
    public var reference: String?
    /// Odoo's limit on the text (a warehouse code has five characters); longer is refused.
    public var maxLength: Int?
    /// The value when the record has none.
    public var defaultValue: JSONValue?
    public var line: Int

    public struct Lookup: Sendable, Hashable {
        public var model: String
        /// The Odoo field the value is compared with (`name`, `code`, `complete_name`).
        public var by: String
        public init(model: String, by: String) {
            self.model = model
            self.by = by
        }
    }

    public init(odooField: String, source: Source, versions: VersionRange = .all, map: [String: JSONValue] = [:], lookup: Lookup? = nil,
                reference: String? = nil, maxLength: Int? = nil, defaultValue: JSONValue? = nil, line: Int = 0) {
        self.odooField = odooField
        self.source = source
        self.versions = versions
        self.map = map
        self.lookup = lookup
        self.reference = reference
        self.maxLength = maxLength
        self.defaultValue = defaultValue
        self.line = line
    }

    /// The attributes this field reads, for checking them against the entity's schema.
    public var attributes: [String] {
        func names(_ source: Source) -> [String] {
            switch source {
            case .attributes(let names): names
            case .constant: []
            case .cases(let cases): cases.flatMap { Array($0.when.keys) + names($0.source) }
            }
        }
        return names(source)
    }
}

/// What one mapped field asks of Odoo: a value as it is, a record to find by a value, or the
/// Odoo record of another golden record.
public enum OdooFieldValue: Sendable, Hashable {
    case value(JSONValue)
    case lookup(FieldMapping.Lookup, String)
    case reference(entity: String, id: Int64)
}

/// Why a record cannot be published as it is: permanent until the data or the mapping changes.
public struct MappingProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

extension FieldMapping {
    /// The field's value for `attributes` (nil when it has none: Odoo gets `false`).
    public func value(for attributes: Attributes) throws(MappingProblem) -> OdooFieldValue? {
        guard let raw = Self.resolve(source, attributes) ?? defaultValue else { return nil }
        var value = raw
        if let mapped = map[raw.displayText] { value = mapped }
        if let reference {
            guard let id = value.integerValue else {
                throw MappingProblem(field: odooField, message: "\(value.displayText) is not a \(reference) golden-record id")
            }
            return .reference(entity: reference, id: Int64(id))
        }
        if let maxLength, let text = value.stringValue, text.count > maxLength {
            throw MappingProblem(field: odooField, message: "\"\(text)\" is longer than the \(maxLength) characters Odoo keeps "
                                 + "(Odoo would cut it silently and two records could collide); shorten it in Aurum")
        }
        if let lookup {
            guard let text = value.stringValue ?? value.integerValue.map(String.init) else { return nil }
            return .lookup(lookup, text)
        }
        return .value(value)
    }

    static func resolve(_ source: Source, _ attributes: Attributes) -> JSONValue? {
        switch source {
        case .constant(let value): return value
        case .attributes(let names): return names.lazy.compactMap { attributes[$0] }.first { $0 != .null }
        case .cases(let cases):
            for item in cases where item.when.allSatisfy({ attributes[$0.key] == $0.value || (attributes[$0.key] == nil && $0.value == .null) }) {
                return resolve(item.source, attributes)
            }
            return nil
        }
    }
}

extension EntityMapping {
    /// The fields that exist in Odoo `version`.
    public func fields(for version: Int) -> [FieldMapping] { fields.filter { $0.versions.contains(version) } }

    /// Every mapped field's value for a golden record's attributes in Odoo `version`; nil values
    /// are empty in Odoo. Fails on the first value Odoo must not get.
    public func values(for attributes: Attributes, version: Int) throws(MappingProblem) -> [String: OdooFieldValue?] {
        var result = [String: OdooFieldValue?]()
        for field in fields(for: version) { result[field.odooField] = try field.value(for: attributes) }
        return result
    }
}

import Foundation

/// A value as Odoo's external API carries it, over XML-RPC or JSON: Odoo's data model is JSON's
/// plus the two XML-RPC extras (dates and binary), with integers kept apart from doubles because
/// XML-RPC writes them differently (`<int>` and `<double>`).
public enum OdooValue: Sendable, Hashable {
    /// XML-RPC `<nil/>`, JSON `null`. Odoo itself writes an empty value as `false`.
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([OdooValue])
    case `struct`([String: OdooValue])
    /// XML-RPC `dateTime.iso8601`, as sent (`20240709T10:15:00`).
    case dateTime(String)
    case base64([UInt8])

    /// The integer, also from a double with no fraction (JSON has one number type).
    public var int: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 1e15: Int(value)
        default: nil
        }
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var array: [OdooValue]? { if case .array(let value) = self { value } else { nil } }
    public var members: [String: OdooValue]? { if case .struct(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }

    /// Odoo's "no value": `false` (or nil, or an empty string from some clients).
    public var isEmpty: Bool {
        switch self {
        case .none, .bool(false): true
        case .string(let value): value.isEmpty
        default: false
        }
    }

    /// A member of a struct, `.none` when absent or not a struct.
    public subscript(_ name: String) -> OdooValue {
        members?[name] ?? .none
    }

    /// The id of a many2one as Odoo reads it (`[id, display_name]`), or of a bare id.
    public var recordID: Int? {
        if let id = int { return id }
        if let pair = array, pair.count == 2 { return pair[0].int }
        return nil
    }
}

extension OdooValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: OdooValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, OdooValue)...) {
        self = .struct(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension OdooValue: Codable {
    /// JSON: numbers without a fraction or exponent become `.int`; dates are strings, binary base64.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .none; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int.self) { self = .int(value); return }
        if let value = try? container.decode(Double.self) { self = .double(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([OdooValue].self) { self = .array(value); return }
        self = .struct(try container.decode([String: OdooValue].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .none: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value), .dateTime(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .struct(let value): try container.encode(value)
        case .base64(let value): try container.encode(Data(value).base64EncodedString())
        }
    }

    /// The value as compact JSON with sorted keys.
    public var jsonData: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// Parses JSON text into a value.
    public static func json(_ data: Data) throws -> OdooValue {
        try JSONDecoder().decode(OdooValue.self, from: data)
    }
}

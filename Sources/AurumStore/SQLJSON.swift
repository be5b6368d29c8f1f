import AurumCore
import Foundation
import PostgresNIO

/// JSON crosses into PostgreSQL as text cast to jsonb, and comes back as text; one place does both.
enum SQLJSON {
    /// Through the direct encoder (see `JSONValueEncoder`), or the standard one for what it cannot hold.
    static func text(_ value: some Encodable) -> String {
        guard let json = try? JSONValueEncoder.encode(value) else { return CanonicalJSON.text(value) }
        return CanonicalJSON.direct(json)
    }

    /// Values and attributes, the bulk of what ingest writes, take the direct writer.
    static func text(_ value: JSONValue) -> String {
        CanonicalJSON.direct(value)
    }

    static func text(_ attributes: Attributes) -> String {
        CanonicalJSON.direct(attributes)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// Any stored JSON value, with the direct parser.
    static func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    /// Attributes, the bulk of what ingest and matching read, take the direct parser.
    static func decode(_ type: Attributes.Type, _ text: String) throws -> Attributes {
        guard case .object(let attributes) = try JSONParser.parse(Array(text.utf8)) else {
            throw DecodingError.typeMismatch(Attributes.self, .init(codingPath: [], debugDescription: "the stored attributes are not a JSON object"))
        }
        return attributes
    }
}

/// Timestamps leave the database as ISO 8601 text in UTC with milliseconds.
enum SQLTime {
    /// `to_char(<column> AT TIME ZONE 'UTC', ...)` for a constant column expression.
    static func iso(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// The same to the microsecond, as the audit chain hashes times.
    static func isoMicro(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }
}

extension PostgresRandomAccessRow {
    /// The column `name` decoded as `T`.
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try self[name].decode(T.self, context: .default)
    }

    /// The text column `name` as one of `T`'s cases; an unknown value is an error, never a default.
    func strict<T: RawRepresentable>(_ type: T.Type, _ name: String) throws -> T where T.RawValue == String {
        let raw: String = try get(name)
        guard let value = T(rawValue: raw) else { throw UnknownStoredValue(column: name, value: raw, type: "\(T.self)") }
        return value
    }
}

/// A stored value the code does not know: the database holds a status, kind or state this
/// version of Aurum cannot decide on.
struct UnknownStoredValue: Error, CustomStringConvertible {
    var column: String
    var value: String
    var type: String
    var description: String { "the database holds \(column) '\(value)', which is not a \(type) this version of Aurum knows" }
}

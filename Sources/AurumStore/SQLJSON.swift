import AurumCore
import Foundation
import PostgresNIO

/// JSON crosses into PostgreSQL as text cast to jsonb, and comes back as text; one place does both.
enum SQLJSON {
    static func text(_ value: some Encodable) -> String {
        CanonicalJSON.text(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

/// Timestamps leave the database as ISO 8601 text in UTC with milliseconds.
enum SQLTime {
    /// `to_char(<column> AT TIME ZONE 'UTC', ...)` for a constant column expression.
    static func iso(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }
}

extension PostgresRandomAccessRow {
    /// The column `name` decoded as `T`.
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try self[name].decode(T.self, context: .default)
    }
}

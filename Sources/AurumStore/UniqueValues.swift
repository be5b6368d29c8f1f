import AurumCore
import Logging
import PostgresNIO

/// Unique attributes, enforced by the database: `unique_value` holds one row per unique value of
/// every golden record that is not superseded, under a primary key. The release that gives a
/// record its values claims them in the same transaction; of two changes carrying one value, the
/// second to claim it waits for the first and then finds it taken.
enum UniqueValues {
    /// The record's unique values in `attributes`, as (attribute, value key) pairs.
    static func keys(_ attributes: Attributes, schema: EntitySchema) -> [(attribute: String, key: String)] {
        schema.attributes.filter(\.unique).compactMap { spec in
            guard let value = attributes[spec.name], !value.isNull else { return nil }
            return (spec.name, key(value))
        }
    }

    /// How a value is keyed: a string as itself, anything else as its canonical JSON (the SQL in
    /// `index` computes the same from a version's jsonb).
    static func key(_ value: JSONValue) -> String {
        value.stringValue ?? SQLJSON.text(value)
    }

    /// Makes `attributes`' unique values the record's own, giving up those it no longer has;
    /// throws a conflict naming the attribute, value and holder when another record holds one.
    static func claim(record id: Int64, entity: String, attributes: Attributes, schema: EntitySchema,
                      on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM unique_value WHERE record_id = \(id)", logger: logger)
        for (attribute, key) in keys(attributes, schema: schema) {
            let claimed = try await connection.query("""
                INSERT INTO unique_value (entity, attribute, value_key, record_id) VALUES (\(entity), \(attribute), \(key), \(id))
                ON CONFLICT DO NOTHING RETURNING record_id
                """, logger: logger)
            guard try await claimed.decode(Int64.self).first(where: { _ in true }) == nil else { continue }
            let holder = try await holders(entity: entity, attribute: attribute, key: key, on: connection, logger: logger).first
            throw StoreError.conflict("\(attribute) \"\(key)\" is already held by \(entity) \(holder.map(String.init) ?? "another record")"
                                      + ", released while this change waited; reject this change or propose another \(attribute)")
        }
    }

    /// The records holding `key` for `attribute`.
    static func holders(entity: String, attribute: String, key: String, on connection: PostgresConnection,
                        logger: Logger) async throws -> [Int64] {
        let rows = try await connection.query("""
            SELECT record_id FROM unique_value WHERE entity = \(entity) AND attribute = \(attribute) AND value_key = \(key)
            """, logger: logger)
        return try await rows.decode(Int64.self).reduce(into: []) { $0.append($1) }
    }

    /// Brings `unique_value` in line with the rules: the values of attributes that became unique
    /// (not yet in `unique_attribute`) are indexed from the current versions, those of attributes
    /// no longer unique are dropped; attributes already indexed are left to the releases that keep
    /// them. Returns the values two records already share (the rules then disagree with the data).
    static func index(_ rules: RuleSet, client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.transaction(logger: logger) { connection in
            // Servers started together each bring the index in line: one at a time, the later
            // ones finding it done.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('unique_attribute', 0))", logger: logger)
            var wanted = Set<[String]>()
            for (entity, schema) in rules.entities {
                for spec in schema.attributes where spec.unique { wanted.insert([entity, spec.name]) }
            }
            let rows = try await connection.query("SELECT entity, attribute FROM unique_attribute", logger: logger)
            var indexed = Set<[String]>()
            for try await (entity, attribute) in rows.decode((String, String).self) { indexed.insert([entity, attribute]) }
            for pair in indexed.subtracting(wanted) {
                try await connection.query("DELETE FROM unique_value WHERE entity = \(pair[0]) AND attribute = \(pair[1])", logger: logger)
                try await connection.query("DELETE FROM unique_attribute WHERE entity = \(pair[0]) AND attribute = \(pair[1])", logger: logger)
            }
            var shared = [String]()
            for pair in wanted.subtracting(indexed).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                shared += try await indexValues(entity: pair[0], attribute: pair[1], on: connection, logger: logger)
                try await connection.query("INSERT INTO unique_attribute (entity, attribute) VALUES (\(pair[0]), \(pair[1]))", logger: logger)
            }
            return shared
        }
    }

    /// Indexes `attribute`'s values from the current versions in one pass, keyed as `key(_:)` does;
    /// returns the records whose value another record already holds (a value the record itself
    /// already holds is no clash).
    static func indexValues(entity: String, attribute: String, on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let clashes = try await connection.query("""
            WITH held AS (
                SELECT gr.id, CASE jsonb_typeof(gv.attributes -> \(attribute)) WHEN 'string' THEN gv.attributes ->> \(attribute)
                                  ELSE (gv.attributes -> \(attribute))::text END AS value_key
                FROM golden_record gr JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
                WHERE gr.entity = \(entity) AND gr.state <> 'superseded' AND jsonb_typeof(gv.attributes -> \(attribute)) <> 'null'
            ), claimed AS (
                INSERT INTO unique_value (entity, attribute, value_key, record_id)
                SELECT \(entity), \(attribute), value_key, id FROM held ORDER BY id
                ON CONFLICT DO NOTHING RETURNING record_id
            )
            SELECT value_key, id FROM held
            WHERE id NOT IN (SELECT record_id FROM claimed)
              AND NOT EXISTS (SELECT 1 FROM unique_value uv WHERE uv.entity = \(entity) AND uv.attribute = \(attribute)
                                                            AND uv.value_key = held.value_key AND uv.record_id = held.id)
            ORDER BY id
            """, logger: logger)
        var shared = [String]()
        for try await (value, id) in clashes.decode((String, Int64).self) {
            shared.append("\(entity) \(id): \(attribute) \"\(value)\" is also held by another record")
        }
        return shared
    }
}

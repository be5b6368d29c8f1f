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
    /// are indexed from the current versions, those of attributes no longer unique are dropped.
    /// Returns the values two records already share (the rules then disagree with the data).
    static func index(_ rules: RuleSet, client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.transaction(logger: logger) { connection in
            var pairs = [(String, String)]()
            for (entity, schema) in rules.entities.sorted(by: { $0.key < $1.key }) {
                for spec in schema.attributes where spec.unique { pairs.append((entity, spec.name)) }
            }
            try await connection.query("""
                DELETE FROM unique_value WHERE (entity || '.' || attribute) <> ALL(\(pairs.map { "\($0).\($1)" })::text[])
                """, logger: logger)
            var shared = [String]()
            for (entity, attribute) in pairs {
                try await connection.query("""
                    INSERT INTO unique_value (entity, attribute, value_key, record_id)
                    SELECT gr.entity, \(attribute), CASE jsonb_typeof(gv.attributes -> \(attribute)) WHEN 'string' THEN gv.attributes ->> \(attribute)
                           ELSE (gv.attributes -> \(attribute))::text END, gr.id
                    FROM golden_record gr JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
                    WHERE gr.entity = \(entity) AND gr.state <> 'superseded' AND gv.attributes ? \(attribute)
                      AND jsonb_typeof(gv.attributes -> \(attribute)) <> 'null'
                    ORDER BY gr.id
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                let clashes = try await connection.query("""
                    SELECT CASE jsonb_typeof(gv.attributes -> \(attribute)) WHEN 'string' THEN gv.attributes ->> \(attribute)
                           ELSE (gv.attributes -> \(attribute))::text END, gr.id FROM golden_record gr
                    JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
                    LEFT JOIN unique_value uv ON uv.entity = gr.entity AND uv.attribute = \(attribute) AND uv.record_id = gr.id
                    WHERE gr.entity = \(entity) AND gr.state <> 'superseded' AND gv.attributes ? \(attribute)
                      AND jsonb_typeof(gv.attributes -> \(attribute)) <> 'null' AND uv.record_id IS NULL
                    """, logger: logger)
                for try await (value, id) in clashes.decode((String, Int64).self) {
                    shared.append("\(entity) \(id): \(attribute) \"\(value)\" is also held by another record")
                }
            }
            return shared
        }
    }
}

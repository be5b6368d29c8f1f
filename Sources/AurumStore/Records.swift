import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    public func record(entity: String, id: Int64) async throws -> RecordView? {
        try await records(entity: entity, ids: [id]).first
    }

    /// The current version of each of `ids` (of `entity`) that exists, in id order.
    public func records(entity: String, ids: [Int64]) async throws -> [RecordView] {
        guard !ids.isEmpty else { return [] }
        var query = RecordQuery(entity: entity)
        query.ids = ids
        query.limit = ids.count
        return try await records(matching: query)
    }

    /// How many golden records `entity` has (for progress bars).
    public func recordCount(entity: String) async throws -> Int {
        let rows = try await client.query("SELECT count(*)::bigint FROM golden_record WHERE entity = \(entity)", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// The current version of `entity`'s golden records with ids above `afterID`, in id order, at
    /// most `limit`: pages for publishing and reconciling every record.
    public func records(entity: String, afterID: Int64 = 0, limit: Int = 500) async throws -> [RecordView] {
        var query = RecordQuery(entity: entity)
        query.after = afterID
        query.limit = limit
        return try await records(matching: query)
    }

    /// The current version of the golden records `query` asks for, in id order after `query.after`,
    /// at most `query.limit`.
    public func records(matching query: RecordQuery) async throws -> [RecordView] {
        // Each word as a word or the start of one; the words hold letters and digits only.
        let words = query.words.map { $0 + ":*" }.joined(separator: " & ")
        let contains = SQLJSON.text(query.equals)
        let rows = try await client.query("""
            SELECT gr.id, gr.entity, gr.current_version, gr.state, gv.attributes::text AS attributes, gv.lineage::text AS lineage,
                   gr.superseded_by,
                   \(unescaped: SQLTime.iso("gr.updated_at")) AS updated_at,
                   (SELECT coalesce(json_agg(json_build_object('source', rs.source, 'source_key', rs.source_key)
                                             ORDER BY rs.source, rs.source_key), '[]')
                    FROM record_source rs WHERE rs.record_id = gr.id)::text AS sources
            FROM golden_record gr
            JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
            WHERE gr.entity = \(query.entity) AND gr.id > \(query.after)
              AND (cardinality(\(query.ids)::int8[]) = 0 OR gr.id = ANY(\(query.ids)::int8[]))
              AND (cardinality(\(query.states.map(\.rawValue))::text[]) = 0 OR gr.state = ANY(\(query.states.map(\.rawValue))::text[]))
              AND gv.attributes @> \(contains)::jsonb
              AND (\(words) = '' OR to_tsvector('simple', coalesce(gv.attributes->>'name', '')) @@ to_tsquery('simple', \(words)))
              AND (\(query.source)::text IS NULL OR EXISTS (SELECT 1 FROM record_source rs WHERE rs.record_id = gr.id AND rs.source = \(query.source)))
              AND (\(query.changedSince)::timestamptz IS NULL OR gr.updated_at >= \(query.changedSince))
              AND (\(query.changedBefore)::timestamptz IS NULL OR gr.updated_at < \(query.changedBefore))
            ORDER BY gr.id
            LIMIT \(query.limit)
            """, logger: logger)
        var result = [RecordView]()
        for try await row in rows {
            let r = row.makeRandomAccess()
            result.append(RecordView(
                id: try r.get("id"), entity: try r.get("entity"), version: try r.get("current_version"),
                state: try r.strict(RecordState.self, "state"),
                attributes: try SQLJSON.decode(Attributes.self, try r.get("attributes")),
                sources: try SQLJSON.decode([SourceKey].self, try r.get("sources")), updatedAt: try r.get("updated_at"),
                lineage: try SQLJSON.decode([String: Lineage].self, try r.get("lineage")), supersededBy: try r.get("superseded_by")))
        }
        return result
    }

    public func crossReference(source: String, sourceKey: String, entities: [String]) async throws -> [CrossReference] {
        let rows = try await client.query("""
            SELECT rs.entity, rs.record_id, gr.state FROM record_source rs JOIN golden_record gr ON gr.id = rs.record_id
            WHERE rs.source = \(source) AND rs.source_key = \(sourceKey)
              AND rs.entity = ANY(\(entities))
            ORDER BY rs.entity
            """, logger: logger)
        var result = [CrossReference]()
        for try await (entity, id, state) in rows.decode((String, Int64, String).self) {
            guard let state = RecordState(rawValue: state) else { throw StoreError.unavailable("golden record \(id) has an unknown state \(state)") }
            result.append(CrossReference(entity: entity, recordID: id, state: state))
        }
        return result
    }

    public func versions(entity: String, id: Int64) async throws -> [VersionView]? {
        let rows = try await client.query("""
            SELECT gv.version, gv.state, gv.attributes::text AS attributes, gv.lineage::text AS lineage, gv.change_request_id, gv.rules_version,
                   gv.released_by, \(unescaped: SQLTime.iso("gv.released_at")) AS released_at
            FROM golden_version gv JOIN golden_record gr ON gr.id = gv.record_id
            WHERE gr.id = \(id) AND gr.entity = \(entity)
            ORDER BY gv.version
            """, logger: logger)
        var result = [VersionView]()
        for try await row in rows {
            let r = row.makeRandomAccess()
            result.append(VersionView(
                version: try r.get("version"), state: try r.strict(RecordState.self, "state"),
                attributes: try SQLJSON.decode(Attributes.self, try r.get("attributes")),
                changeRequestID: try r.get("change_request_id"), rulesVersion: try r.get("rules_version"),
                releasedBy: try r.get("released_by"), releasedAt: try r.get("released_at"),
                lineage: try SQLJSON.decode([String: Lineage].self, try r.get("lineage"))))
        }
        return result.isEmpty ? nil : result
    }
}

import AurumCore
import Logging
import PostgresNIO

/// What `aurum odoo import` keeps in the database: where each entity's import stands, and the
/// source keys that tie Odoo's records to golden records.
extension PostgresStewardshipStore {
    /// Where the import of `entity` stands; nil when it was never imported.
    public func importCursor(entity: String) async throws -> OdooImportCursor? {
        let rows = try await client.query("""
            SELECT model, mode, watermark, running, pass_started, pass_max, last_id, passes FROM odoo_import WHERE entity = \(entity)
            """, logger: logger)
        for try await (model, mode, watermark, running, started, max, last, passes)
            in rows.decode((String, String, String?, Bool, String?, String?, Int64, Int32).self) {
            return OdooImportCursor(entity: entity, model: model, mode: OdooImportCursor.Mode(rawValue: mode) ?? .incremental, watermark: watermark,
                                    running: running, passStarted: started, passMax: max, lastID: Int(last), passes: Int(passes))
        }
        return nil
    }

    /// Keeps `cursor` (on its own, or inside the transaction of `connection`).
    public func save(_ cursor: OdooImportCursor, on connection: PostgresConnection? = nil) async throws {
        let statement: PostgresQuery = """
            INSERT INTO odoo_import (entity, model, mode, watermark, running, pass_started, pass_max, last_id, passes, updated_at)
            VALUES (\(cursor.entity), \(cursor.model), \(cursor.mode.rawValue), \(cursor.watermark), \(cursor.running), \(cursor.passStarted),
                    \(cursor.passMax), \(Int64(cursor.lastID)), \(Int32(cursor.passes)), now())
            ON CONFLICT (entity) DO UPDATE SET model = excluded.model, mode = excluded.mode, watermark = excluded.watermark,
                running = excluded.running, pass_started = excluded.pass_started, pass_max = excluded.pass_max, last_id = excluded.last_id,
                passes = excluded.passes, updated_at = now()
            """
        if let connection {
            try await connection.query(statement, logger: logger)
        } else {
            try await client.query(statement, logger: logger)
        }
    }

    /// The golden record each of `keys` (of `source`, for `entity`) belongs to, for those that belong to one.
    public func records(entity: String, source: String, keys: [String]) async throws -> [String: Int64] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await client.query("""
            SELECT source_key, record_id FROM record_source WHERE entity = \(entity) AND source = \(source) AND source_key = ANY(\(keys))
            """, logger: logger)
        var found = [String: Int64]()
        for try await (key, record) in rows.decode((String, Int64).self) { found[key] = record }
        return found
    }

    /// Every source key of `source` for `entity` with its golden record, in key order after `afterKey`, at most `limit`.
    public func sourceKeys(entity: String, source: String, after afterKey: String = "", limit: Int = 1000) async throws -> [(key: String, record: Int64)] {
        let rows = try await client.query("""
            SELECT source_key, record_id FROM record_source WHERE entity = \(entity) AND source = \(source) AND source_key > \(afterKey)
            ORDER BY source_key LIMIT \(limit)
            """, logger: logger)
        var found = [(key: String, record: Int64)]()
        for try await (key, record) in rows.decode((String, Int64).self) { found.append((key, record)) }
        return found
    }

    /// Ties source keys to the golden records their systems already hold (an Odoo record Aurum
    /// published, read back by an import): each key joins its record's sources with `attributes`
    /// as what the source says, without a new version, and one audit entry names each. A key
    /// already tied to a record, or proposed by an open change request, is left as it is.
    /// Returns the keys tied.
    public func linkSourceKeys(entity: String, source: String, links: [(key: String, record: Int64, attributes: Attributes)],
                               by actor: String, requestID: String) async throws -> [String] {
        guard !links.isEmpty else { return [] }
        let instant = Self.instant()
        return try await transaction { connection in
            try await Locks.sourceKeys(links.map { [entity, source, $0.key] }, on: connection, logger: logger)
            var rows = CopyRows()
            let keys = links.map(\.key)
            let taken = try await connection.query("""
                SELECT source_key FROM record_source WHERE entity = \(entity) AND source = \(source) AND source_key = ANY(\(keys))
                UNION SELECT source_key FROM change_request WHERE entity = \(entity) AND source = \(source) AND source_key = ANY(\(keys)) AND status = 'open'
                """, logger: logger)
            let held = Set(try await taken.decode(String.self).reduce(into: [String]()) { $0.append($1) })
            let fresh = links.filter { !held.contains($0.key) }
            guard !fresh.isEmpty else { return [] }
            let records = Set(fresh.map(\.record))
            let existing = try await connection.query("SELECT id FROM golden_record WHERE entity = \(entity) AND id = ANY(\(Array(records)))", logger: logger)
            let known = Set(try await existing.decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) })
            var audit = [AuditEntry]()
            var linked = [String]()
            for link in fresh where known.contains(link.record) {
                let contribution = SourceContribution(source: source, sourceKey: link.key, attributes: [:]).updated(with: link.attributes, at: instant)
                rows.add([entity, source, link.key, String(link.record), SQLJSON.text(contribution.attributes), SQLJSON.text(contribution.changedAt)])
                audit.append(AuditEntry(actor: actor, action: "record.source_linked", entity: entity, subject: "record:\(link.record)", recordID: link.record,
                                        after: ["source": .string(source), "source_key": .string(link.key), "attributes": .object(link.attributes)],
                                        rulesVersion: rules.version, requestID: requestID))
                linked.append(link.key)
            }
            try await rows.copy(into: "record_source", ["entity", "source", "source_key", "record_id", "attributes", "changed_at"], on: connection, logger: logger)
            try await AuditLog.append(contentsOf: audit, on: connection, logger: logger)
            return linked
        }
    }
}

extension PostgresStewardshipStore {
    /// Runs `body` while this process alone imports from Odoo (a session advisory lock, held on one
    /// connection for the whole import); nil, without running it, when another process holds it.
    public func whileImportingAlone<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T? {
        try await client.withConnection { connection in
            let taken = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended('aurum.odoo_import', 0))", logger: logger)
            guard try await taken.decode(Bool.self).first(where: { _ in true }) == true else { return nil }
            do {
                let result = try await body()
                try await connection.query("SELECT pg_advisory_unlock(hashtextextended('aurum.odoo_import', 0))", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended('aurum.odoo_import', 0))", logger: logger)
                throw error
            }
        }
    }
}

import AurumCore
import Logging
import PostgresNIO

/// Aurum's one lock order. Every transaction that changes a change request or a golden record
/// takes, in this order and only in this order:
/// 1. the source key the work is about (`(entity, source, source_key)`, a transaction-scoped
///    advisory lock): serializes everything that can create or link that key;
/// 2. the golden record's row (`FOR UPDATE`), when there is one;
/// 3. the change request's row (`FOR UPDATE`).
/// Ingest and every decision follow it, so no two transactions can wait for each other in a circle.
enum Locks {
    /// Step 1: the source key.
    static func sourceKey(entity: String, source: String, sourceKey: String, on connection: PostgresConnection,
                          logger: Logger) async throws {
        try await sourceKeys([[entity, source, sourceKey]], on: connection, logger: logger)
    }

    /// Step 1 for a batch: every (entity, source, source_key) in one statement, in the order of
    /// their lock keys, so that two batches sharing keys take them in the same order.
    static func sourceKeys(_ keys: [[String]], on connection: PostgresConnection, logger: Logger) async throws {
        guard !keys.isEmpty else { return }
        let joined = keys.map { $0.joined(separator: "\u{1f}") }
        try await connection.query("""
            SELECT pg_advisory_xact_lock(h)
            FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(\(joined)::text[]) AS k ORDER BY h OFFSET 0) AS keys
            """, logger: logger)
    }

    /// Step 2: the golden record; its current version as of the lock, or nil when it does not exist.
    ///
    /// A statement of its own, so that the reads after it (under READ COMMITTED, each statement
    /// sees what was committed when it began) see the version a concurrent release just committed.
    static func record(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Int? {
        try await records([id], on: connection, logger: logger)[id]
    }

    /// Step 2 for several records, in id order: each one's current version as of its lock.
    static func records(_ ids: [Int64], on connection: PostgresConnection, logger: Logger) async throws -> [Int64: Int] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query(
            "SELECT id, current_version FROM golden_record WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE", logger: logger)
        var versions = [Int64: Int]()
        for try await (id, version) in rows.decode((Int64, Int).self) { versions[id] = version }
        return versions
    }
}

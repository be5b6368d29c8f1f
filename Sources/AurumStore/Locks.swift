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
        let key = [entity, source, sourceKey].joined(separator: "\u{1f}")
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
    }

    /// Step 2: the golden record; its current version as of the lock, or nil when it does not exist.
    ///
    /// A statement of its own, so that the reads after it (under READ COMMITTED, each statement
    /// sees what was committed when it began) see the version a concurrent release just committed.
    static func record(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Int? {
        let rows = try await connection.query(
            "SELECT current_version FROM golden_record WHERE id = \(id) FOR UPDATE", logger: logger)
        return try await rows.decode(Int.self).first { _ in true }
    }
}

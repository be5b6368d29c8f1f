import AurumCore
import Logging
import PostgresNIO

/// Appends to the audit trail inside the caller's transaction; the table refuses updates and deletes.
enum AuditLog {
    static func append(_ entry: AuditEntry, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO audit_entry (actor, action, entity, subject, record_id, version, before, after, reason, rules_version, request_id)
            VALUES (\(entry.actor), \(entry.action), \(entry.entity), \(entry.subject), \(entry.recordID), \(entry.version),
                    \(entry.before.map(SQLJSON.text))::jsonb, \(entry.after.map(SQLJSON.text))::jsonb, \(entry.reason),
                    \(entry.rulesVersion), \(entry.requestID))
            """, logger: logger)
    }
}

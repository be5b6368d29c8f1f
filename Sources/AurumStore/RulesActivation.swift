import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// Says in the audit trail that a process started working with these rules, when the last
    /// rules recorded were others (or none): `rules.activated`, before and after naming the
    /// versions. True when it was recorded now.
    @discardableResult
    public func activateRules(by actor: String, requestID: String) async throws -> Bool {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('rules.activated', 0))", logger: logger)
            let last = try await connection.query("""
                SELECT after ->> 'version' FROM audit_entry WHERE subject = 'rules' ORDER BY id DESC LIMIT 1
                """, logger: logger).decode(String?.self).first { _ in true } ?? nil
            guard last != rules.version else { return false }
            let entities = JSONValue.array(rules.entities.keys.sorted().map(JSONValue.string))
            try await AuditLog.append(AuditEntry(
                actor: actor, action: "rules.activated", subject: "rules", before: last.map { ["version": .string($0)] },
                after: ["version": .string(rules.version), "entities": entities], rulesVersion: rules.version, requestID: requestID),
                on: connection, logger: logger)
            return true
        }
    }
}

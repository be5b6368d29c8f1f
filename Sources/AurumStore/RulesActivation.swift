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

extension PostgresStewardshipStore {
    /// Binds the database to the audit key `id` names on first use, and refuses another: two
    /// processes sealing with different keys would leave hashes of one value that never compare.
    public func requireAuditKey(_ key: AuditKey?) async throws {
        guard let key else { return }
        let bound = try await client.query("""
            UPDATE audit_chain_head SET key_id = coalesce(key_id, \(key.id)) RETURNING key_id
            """, logger: logger).decode(String?.self).first { _ in true } ?? nil
        guard let bound, bound != key.id else { return }
        throw StoreError.conflict("the audit key of this process (id \(key.id)) is not the one this database's audit trail is sealed with "
                                  + "(id \(bound)): give every Aurum process of the database the same AURUM_AUDIT_KEY_FILE")
    }
}

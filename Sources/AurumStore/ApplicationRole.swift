import Foundation
import Logging
import PostgresNIO

/// The two roles Aurum's database is used with. The **owner** (the user `aurum migrate` logs in
/// as) runs the migrations and owns every table, function and trigger. The **application role**
/// (`aurum_app` unless `AURUM_APP_ROLE` names another) owns nothing: the server and every command
/// that writes act as it, and it may only read and append to what must never change.
///
/// A role that owns nothing cannot alter a table, disable its triggers or grant itself more; the
/// append-only tables' triggers stay as a second wall for the owner's own mistakes.
public enum ApplicationRole {
    public static let defaultName = "aurum_app"

    /// Tables the application may read and append to, never change: the audit trail, the golden
    /// versions and the change feed.
    public static let appendOnly = ["audit_entry", "golden_version", "change_feed"]
    /// Tables the application may only read.
    public static let readOnly = ["aurum_migration"]

    /// The configured name (`AURUM_APP_ROLE`), checked to be a plain PostgreSQL identifier.
    public static func configured(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(DatabaseSettingsError) -> String {
        guard let name = environment["AURUM_APP_ROLE"], !name.isEmpty else { return defaultName }
        guard isIdentifier(name) else {
            throw DatabaseSettingsError(message: "AURUM_APP_ROLE=\(name) is not a role name: use lower-case letters, digits and _ (at most 63), starting with a letter or _")
        }
        return name
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63, first == "_" || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Creates `role` when missing, lets the owner act as it, and gives it exactly its privileges
    /// on every table there is now: run by every migration, so a new table is covered at once.
    static func grant(_ role: String, on connection: PostgresConnection, logger: Logger) async throws {
        precondition(isIdentifier(role), "checked when configured")
        // Two databases of one cluster may be migrated at the same moment; roles are the cluster's.
        try await connection.query("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(unescaped: role)') THEN
                    CREATE ROLE \(unescaped: role) NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """, logger: logger)
        let member = try await connection.query("""
            SELECT rolsuper OR pg_has_role(current_user, \(role), 'MEMBER') FROM pg_roles WHERE rolname = current_user
            """, logger: logger).decode(Bool.self).first { _ in true } ?? false
        if !member {
            try await connection.query("GRANT \(unescaped: role) TO CURRENT_USER", logger: logger)
        }
        let quotedAppendOnly = appendOnly.joined(separator: ", "), quotedReadOnly = readOnly.joined(separator: ", ")
        for statement in [
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(role)",
            "REVOKE CREATE ON SCHEMA public FROM \(role)",
            "GRANT USAGE ON SCHEMA public TO \(role)",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role)",
            "REVOKE INSERT, UPDATE, DELETE ON \(quotedReadOnly) FROM \(role)",
            "REVOKE UPDATE, DELETE ON \(quotedAppendOnly) FROM \(role)",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \(role)",
        ] {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
    }

    /// Whether the session logged in as `role` itself: it owns nothing and cannot migrate.
    static func isSession(_ role: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.query("SELECT session_user = \(role)", logger: logger).decode(Bool.self).first { _ in true } ?? false
    }
}

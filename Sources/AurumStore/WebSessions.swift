import AurumCore
import Foundation
import Logging
import PostgresNIO

/// Sessions of the status page: a random id the browser keeps in a cookie, standing for the
/// token it signed in with. Only the id's SHA-256 is stored; a session ends when it expires, when
/// its holder signs out, or when its token is revoked or expires.
enum WebSessions {
    /// Starts a session for `principal` lasting `seconds`; returns the id to put in the cookie.
    /// Sessions that have expired are dropped on the way.
    static func start(for principal: Principal, lasting seconds: Int, client: PostgresClient, logger: Logger) async throws -> String {
        let session = Tokens.generate(prefix: "aurum_session_")
        try await client.transaction(logger: logger) { connection in
            try await connection.query("DELETE FROM web_session WHERE expires_at < now()", logger: logger)
            try await connection.query("""
                INSERT INTO web_session (hash, token_id, expires_at)
                VALUES (\(Tokens.hash(session)), \(principal.tokenID), now() + make_interval(secs => \(Double(seconds))))
                """, logger: logger)
            try await AuditLog.append(AuditEntry(actor: principal.name, action: "session.signed_in", subject: "token:\(principal.tokenID)",
                                                 after: ["page": "status", "lasting_seconds": .number(Double(seconds))]),
                                      on: connection, logger: logger)
        }
        return session
    }

    /// The holder of `session`, while it lasts and its token works.
    static func principal(forSession session: String, client: PostgresClient, logger: Logger) async throws -> Principal? {
        let rows = try await client.query("""
            SELECT t.id, t.name, t.role, t.entities, t.sources, t.groups
            FROM web_session s JOIN token t ON t.id = s.token_id
            WHERE s.hash = \(Tokens.hash(session)) AND s.expires_at > now()
              AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
            """, logger: logger)
        for try await (id, name, role, entities, sources, groups) in rows.decode((Int64, String, String, [String], [String], [String]).self) {
            guard let role = Role(rawValue: role) else { return nil }
            return Principal(tokenID: id, name: name, role: role, entities: entities, sources: sources, groups: groups)
        }
        return nil
    }

    /// Ends `session` (signing out); a session that is gone already ends quietly.
    static func end(_ session: String, client: PostgresClient, logger: Logger) async throws {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("DELETE FROM web_session WHERE hash = \(Tokens.hash(session)) RETURNING token_id", logger: logger)
            for try await tokenID in rows.decode(Int64.self) {
                try await AuditLog.append(AuditEntry(actor: try await tokenName(tokenID, on: connection, logger: logger), action: "session.signed_out",
                                                     subject: "token:\(tokenID)", after: ["page": "status"]),
                                          on: connection, logger: logger)
            }
        }
    }

    private static func tokenName(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await connection.query("SELECT name FROM token WHERE id = \(id)", logger: logger)
        for try await name in rows.decode(String.self) { return name }
        return "token:\(id)"
    }
}

extension PostgresStewardshipStore {
    public func startSession(for principal: Principal, lasting seconds: Int) async throws -> String {
        try await WebSessions.start(for: principal, lasting: seconds, client: client, logger: logger)
    }

    public func principal(forSession session: String) async throws -> Principal? {
        try await WebSessions.principal(forSession: session, client: client, logger: logger)
    }

    public func endSession(_ session: String) async throws {
        try await WebSessions.end(session, client: client, logger: logger)
    }
}

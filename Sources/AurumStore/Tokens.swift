import AurumCore
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Issues and resolves bearer tokens. Only the SHA-256 of a token is stored; the token is shown once.
public enum Tokens {
    /// SHA-256 of the token, as lower-case hex: the only form kept in the database.
    public static func hash(_ token: String) -> String {
        Digest.sha256Hex(token)
    }

    /// A new random secret: `prefix` and 40 characters from a 62-letter alphabet (about 238 bits).
    static func generate(prefix: String = "aurum_") -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return prefix + String((0..<40).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// Creates a token and returns it; the name must be new, so that every actor is one person or
    /// integration. A source token names the sources it speaks for; no other role has sources.
    /// A steward or admin token may put its holder in groups, whose approval gates they approve at;
    /// a consumer token too, for the sensitive attributes its groups may read in clear.
    /// `expiresIn`: seconds after which the token fails as a revoked one does (nil: never).
    public static func create(name: String, role: Role, entities: [String], sources: [String] = [], groups: [String] = [],
                              expiresIn: Int? = nil, actor: String, client: PostgresClient, logger: Logger) async throws -> String {
        if role == .source, sources.isEmpty {
            throw StoreError.invalid("a source token names the source system it speaks for (--source plm); it may submit candidates for that source only")
        }
        if role != .source, !sources.isEmpty {
            throw StoreError.invalid("only source tokens speak for sources; drop --source for a \(role.rawValue) token")
        }
        if role == .source, !groups.isEmpty {
            throw StoreError.invalid("groups say which gates a steward approves at and which sensitive attributes a reader sees in clear; "
                                     + "a source does neither: drop --groups for a source token")
        }
        let token = generate()
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                INSERT INTO token (name, role, entities, sources, groups, hash, expires_at)
                VALUES (\(name), \(role.rawValue), \(entities), \(sources), \(groups), \(hash(token)),
                        now() + make_interval(secs => \(expiresIn.map(Double.init))))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: logger)
            guard let id = try await rows.decode(Int64.self).first(where: { _ in true }) else {
                throw StoreError.conflict("a token named \(name) already exists; choose another name (one token per person or integration)")
            }
            let after: JSONValue = ["name": .string(name), "role": .string(role.rawValue), "entities": .array(entities.map(JSONValue.string)),
                                    "sources": .array(sources.map(JSONValue.string)), "groups": .array(groups.map(JSONValue.string)),
                                    "expires_in_seconds": expiresIn.map { .number(Double($0)) } ?? .null]
            try await AuditLog.append(AuditEntry(actor: actor, action: "token.created", subject: "token:\(id)", after: after),
                                      on: connection, logger: logger)
        }
        return token
    }

    /// Every token, newest last: who holds it, what it may do, and whether it still works.
    public static func list(client: PostgresClient, logger: Logger) async throws -> [TokenView] {
        let rows = try await client.query("""
            SELECT id, name, role, entities, sources, groups, \(unescaped: SQLTime.iso("created_at")), \(unescaped: SQLTime.iso("expires_at")),
                   \(unescaped: SQLTime.iso("revoked_at")), revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            FROM token ORDER BY id
            """, logger: logger)
        var tokens = [TokenView]()
        for try await (id, name, role, entities, sources, groups, created, expires, revoked, active)
                in rows.decode((Int64, String, String, [String], [String], [String], String, String?, String?, Bool).self) {
            tokens.append(TokenView(id: id, name: name, role: role, entities: entities, sources: sources, groups: groups,
                                    createdAt: created, expiresAt: expires, revokedAt: revoked, active: active))
        }
        return tokens
    }

    /// Revokes the token named `name`: it fails from the next request on. Revoking a revoked
    /// token is refused, so that a script learns it named the wrong one.
    public static func revoke(name: String, actor: String, client: PostgresClient, logger: Logger) async throws {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE token SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id
                """, logger: logger)
            guard let id = try await rows.decode(Int64.self).first(where: { _ in true }) else {
                let known = try await connection.query("SELECT 1 FROM token WHERE name = \(name)", logger: logger)
                if try await known.decode(Int.self).first(where: { _ in true }) != nil {
                    throw StoreError.conflict("the token named \(name) is revoked already")
                }
                throw StoreError.notFound("no token is named \(name); aurum token list shows them")
            }
            try await AuditLog.append(AuditEntry(actor: actor, action: "token.revoked", subject: "token:\(id)", after: ["name": .string(name)]),
                                      on: connection, logger: logger)
        }
    }

    /// The principal holding `token`, if it exists, is not revoked and has not expired.
    static func principal(forToken token: String, client: PostgresClient, logger: Logger) async throws -> Principal? {
        let rows = try await client.execute(TokenStatement(bindings: .of(hash(token))), logger: logger)
        for try await row in rows {
            let (id, name, role, entities, sources, groups) = try row.decode((Int64, String, String, [String], [String], [String]).self)
            guard let role = Role(rawValue: role) else { return nil }
            return Principal(tokenID: id, name: name, role: role, entities: entities, sources: sources, groups: groups)
        }
        return nil
    }
}

extension Tokens {
    /// Why `token` is refused: revoked or expired, or unknown.
    static func refusal(ofToken token: String, client: PostgresClient, logger: Logger) async throws -> TokenRefusal {
        let rows = try await client.query("""
            SELECT \(unescaped: SQLTime.iso("revoked_at")), \(unescaped: SQLTime.iso("expires_at")), expires_at <= now()
            FROM token WHERE hash = \(hash(token))
            """, logger: logger)
        for try await (revoked, expires, expired) in rows.decode((String?, String?, Bool?).self) {
            if let revoked { return .revoked(at: revoked) }
            if let expires, expired == true { return .expired(at: expires) }
        }
        return .unknown
    }
}

/// The holder of a token not revoked, by the token's hash; every authenticated request runs it.
struct TokenStatement: PreparedLookup {
    static let sql = """
        SELECT id, name, role, entities, sources, groups FROM token
        WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        """
    let bindings: PostgresBindings
}

/// A token as `aurum token list` shows it (never the token itself, which is not stored).
public struct TokenView: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var role: String
    public var entities: [String]
    public var sources: [String]
    public var groups: [String]
    public var createdAt: String
    public var expiresAt: String?
    public var revokedAt: String?
    /// Neither revoked nor expired.
    public var active: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, role, entities, sources, groups, createdAt = "created_at", expiresAt = "expires_at", revokedAt = "revoked_at", active
    }
}

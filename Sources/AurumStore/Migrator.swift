import Crypto
import Foundation
import Logging
import PostgresNIO

/// Applies `db/migrations/NNNN_name.sql` in order, once each, recording them in `aurum_migration`.
///
/// A migration that was applied and has since been edited is refused by its checksum: released
/// migrations are never changed, a new one is added instead.
public struct Migrator: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Hashable {
        public var version: Int
        public var name: String
        public var sql: String
        public var checksum: String
    }

    public let migrations: [Migration]
    /// The role the application acts as, given its privileges after every migration.
    public let applicationRole: String

    /// Reads every `NNNN_name.sql` in `directory`.
    public init(directory: String, applicationRole: String = ApplicationRole.defaultName) throws(MigrationError) {
        self.applicationRole = applicationRole
        let files: [String]
        do { files = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw MigrationError(message: "cannot read migrations from \(directory): run aurum from the project directory or pass --migrations DIR")
        }
        var migrations = [Migration]()
        for file in files.sorted() where file.hasSuffix(".sql") {
            guard let version = Int(file.prefix { $0.isNumber }), file.first?.isNumber == true else {
                throw MigrationError(message: "\(directory)/\(file): a migration's name must start with its number, e.g. 0002_add_outbox.sql")
            }
            guard let sql = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else {
                throw MigrationError(message: "\(directory)/\(file): cannot read it as UTF-8 text")
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError(message: "\(directory)/\(file): number \(version) is also used by \(clash.name)")
            }
            let checksum = Digest.sha256Hex(sql)
            migrations.append(Migration(version: version, name: file, sql: sql, checksum: checksum))
        }
        self.migrations = migrations
    }

    /// Applies what is missing as the owner `settings` log in as (never as the application role
    /// they may act as), on a client of its own; returns the names applied now.
    @discardableResult
    public func migrate(settings: DatabaseSettings, logger: Logger) async throws -> [String] {
        try await settings.owner.withClient(logger: logger) { client in try await migrate(client, logger: logger) }
    }

    /// Applies what is missing on `client`, which must log in as the owner; returns the names
    /// applied now. Serialized across processes by an advisory lock.
    @discardableResult
    public func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    static let lockKey: Int64 = 0x4155_5255_4d00  // "AURUM"

    /// Work a migration needs done in Swift, in its transaction, after its SQL: 0012 made the
    /// audit trail a hash chain, whose hashes SQL does not compute; the entries already there are
    /// linked as it is applied.
    static let followUps: [Int: @Sendable (PostgresConnection, Logger) async throws -> Void] = [
        12: { connection, logger in try await AuditTrail.chainEarlierEntries(on: connection, logger: logger) },
    ]

    func apply(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let asApplication = try await ApplicationRole.isSession(applicationRole, on: connection, logger: logger)
        if !asApplication {
            try await createLedger(on: connection, logger: logger)
        }
        var recorded = [Int: (String, String)]()
        for try await (version, name, checksum) in try await connection.query(
            "SELECT version, name, checksum FROM aurum_migration", logger: logger
        ).decode((Int, String, String).self) {
            recorded[version] = (name, checksum)
        }
        try check(recorded)
        if asApplication {
            // Logged in as the application role: it may use the database only as it is.
            if let missing = migrations.first(where: { recorded[$0.version] == nil }) {
                throw MigrationError(message: "\(missing.name) is not applied, and the database user \(applicationRole) owns nothing and may not apply it: run `aurum migrate` with DATABASE_URL naming the owner of Aurum's tables")
            }
            return []
        }
        var applied = [String]()
        for migration in migrations where recorded[migration.version] == nil {
            logger.info("applying migration", metadata: ["aurum.migration": "\(migration.name)"])
            try await connection.withTransaction(logger: logger) { tx in
                for statement in SQLScript.statements(migration.sql) {
                    try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await Self.followUps[migration.version]?(tx, logger)
                try await tx.query("""
                    INSERT INTO aurum_migration (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
            }
            applied.append(migration.name)
        }
        try await connection.withTransaction(logger: logger) { tx in
            try await ApplicationRole.grant(applicationRole, on: tx, logger: logger)
        }
        return applied
    }

    /// The table that records which migrations were applied.
    private func createLedger(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS aurum_migration (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
    }

    func check(_ recorded: [Int: (name: String, checksum: String)]) throws(MigrationError) {
        for (version, (name, checksum)) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let migration = migrations.first(where: { $0.version == version }) else {
                throw MigrationError(message: "the database has migration \(name), which this build of aurum does not know; use a newer aurum")
            }
            if migration.checksum != checksum {
                throw MigrationError(message: "\(migration.name) was changed after it was applied (checksum differs); never edit a released migration, add a new one")
            }
        }
    }
}

/// A migration problem: a missing or edited file, or a database ahead of this build.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

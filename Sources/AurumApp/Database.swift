import AurumStore
import Foundation
import Logging
import PostgresNIO

/// How a command reaches PostgreSQL: `DATABASE_URL`, or the embedded cluster in `--data-dir`.
public struct DatabaseAccess: Sendable {
    public var url: String?
    public var dataDirectory: String

    public init(url: String?, dataDirectory: String) {
        self.url = url
        self.dataDirectory = dataDirectory
    }

    /// Runs `body` with a connected client to Aurum's database, acting as the application role.
    /// Without `DATABASE_URL` it uses the embedded cluster: the running one if `aurum serve`
    /// started it, else starts it for the duration.
    public func withDatabase<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withSettings(logger: logger) { settings in try await settings.withClient(logger: logger, body) }
    }

    /// Runs `body` with the settings of Aurum's database, acting as the application role
    /// (`AURUM_APP_ROLE`, else `aurum_app`; `settings.owner` is the login user, for migrations),
    /// starting the embedded cluster for the duration when it is used and not running yet.
    public func withSettings<T: Sendable>(logger: Logger, _ body: @Sendable (DatabaseSettings) async throws -> T) async throws -> T {
        let role = try ApplicationRole.configured()
        return try await withLoginSettings(logger: logger) { settings in try await body(settings.acting(as: role)) }
    }

    /// The settings of the login user `DATABASE_URL` names (the embedded cluster's superuser).
    func withLoginSettings<T: Sendable>(logger: Logger, _ body: @Sendable (DatabaseSettings) async throws -> T) async throws -> T {
        if let url {
            return try await body(DatabaseSettings(url: url))
        }
        let cluster = EmbeddedPostgres(dataDirectory: dataDirectory)
        if let running = try? cluster.connectionSettings() {
            return try await body(running)
        }
        let settings = try cluster.start(logger: logger)
        defer { cluster.stop(logger: logger) }
        try await Self.ensureDatabase(settings, logger: logger)
        return try await body(settings.with(database: EmbeddedPostgres.database))
    }

    /// Creates the embedded cluster's `aurum` database when it does not exist yet.
    static func ensureDatabase(_ server: DatabaseSettings, logger: Logger) async throws {
        try await server.with(database: "postgres").withClient(logger: logger) { client in
            let rows = try await client.query("SELECT 1 FROM pg_database WHERE datname = \(EmbeddedPostgres.database)", logger: logger)
            if try await rows.decode(Int.self).first(where: { _ in true }) == nil {
                try await client.query("CREATE DATABASE \(unescaped: EmbeddedPostgres.database)", logger: logger)
            }
        }
    }
}

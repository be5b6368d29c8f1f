import Foundation
import Logging
import PostgresNIO

/// Where the database is and how to log in; read once from `DATABASE_URL` or the embedded cluster.
public struct DatabaseSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int, username: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `postgres://user:password@host:port/database`.
    public init(url: String) throws(DatabaseSettingsError) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw DatabaseSettingsError(message: "DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        self.init(host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
                  password: components.password, database: database.isEmpty ? "postgres" : database)
    }

    /// The same server, another database.
    public func with(database: String) -> DatabaseSettings {
        var copy = self
        copy.database = database
        return copy
    }

    /// A PostgresNIO client configuration (no TLS for loopback, required TLS is not yet supported).
    public var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(host: host, port: port, username: username,
                                     password: password, database: database, tls: .disable)
    }

    /// The settings as a URL, for handing to a child command (the password percent-encoded).
    public var url: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = host
        components.port = port
        components.path = "/" + database
        return components.string ?? redactedURL
    }

    /// The settings as a URL with the password hidden, for logs and `--print-config`.
    public var redactedURL: String { "postgres://\(username):***@\(host):\(port)/\(database)" }
}

extension DatabaseSettings {
    /// Runs a client for the duration of `body`, in a task group, and shuts it down afterwards.
    @discardableResult
    public func withClient<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            await Task.yield()  // let run() begin before the first lease, which PostgresNIO otherwise warns about
            return try await body(client)
        }
    }
}

/// A database setting that cannot be used.
public struct DatabaseSettingsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

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
    /// Whether and how to use TLS, as libpq's `sslmode` says.
    public var tls: TLSMode
    /// `sslrootcert`: the certificates (PEM) that must have signed the server's; else the system's.
    public var rootCertificate: String?
    /// The role the session acts as (`SET ROLE` at connection start) when the login user is a
    /// more powerful one; nil: the login user itself (the owner, for migrations).
    public var role: String?

    /// libpq's `sslmode` values.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// No TLS (the embedded cluster on 127.0.0.1).
        case disable
        /// TLS when the server offers it; libpq's `allow` is read as this too.
        case prefer
        /// TLS or no connection; the certificate is checked only when `sslrootcert` is given.
        case require
        /// TLS with a certificate signed by a trusted authority, whatever host it names.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate for this very host.
        case verifyFull = "verify-full"
    }

    public init(host: String, port: Int, username: String, password: String?, database: String,
                tls: TLSMode = .disable, rootCertificate: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificate = rootCertificate
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=require&sslrootcert=/path.pem`;
    /// without `sslmode`, TLS is preferred, as libpq does.
    public init(url: String) throws(DatabaseSettingsError) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw DatabaseSettingsError(message: "DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        var tls = TLSMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                let value = item.value ?? ""
                guard let mode = TLSMode(rawValue: value == "allow" ? "prefer" : value) else {
                    throw DatabaseSettingsError(message: "DATABASE_URL: sslmode=\(value) is not one of disable, allow, prefer, require, verify-ca, verify-full")
                }
                tls = mode
            case "sslrootcert":
                rootCertificate = item.value
            default:
                throw DatabaseSettingsError(message: "DATABASE_URL: the parameter \(item.name) is not supported; use sslmode and sslrootcert")
            }
        }
        self.init(host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
                  password: components.password, database: database.isEmpty ? "postgres" : database, tls: tls, rootCertificate: rootCertificate)
    }

    /// The same server, another database.
    public func with(database: String) -> DatabaseSettings {
        var copy = self
        copy.database = database
        return copy
    }

    /// The same login acting as `role` (nothing to switch when the login user is that role).
    public func acting(as role: String) -> DatabaseSettings {
        var copy = self
        copy.role = role == username ? nil : role
        return copy
    }

    /// The login user itself, without the role switch: who owns the tables and runs migrations.
    public var owner: DatabaseSettings {
        var copy = self
        copy.role = nil
        return copy
    }

    /// The startup parameters that switch the session to `role` before its first statement
    /// (libpq's `options=-c role=…`), so that no statement ever runs as the login user.
    var startupParameters: [(String, String)] {
        [("application_name", Self.applicationName)] + (role.map { [("options", "-c role=\($0)")] } ?? [])
    }

    /// How this process names itself to PostgreSQL (`aurum <pid>@<host>`, at most 63 bytes):
    /// `pg_stat_activity` shows whose each connection is, and `/metrics` counts this process's own.
    public static let applicationName: String = {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let printable = name.unicodeScalars.filter { $0.isASCII && $0.value >= 32 && $0.value < 127 }.map(String.init).joined()
        return String("aurum \(getpid())@\(printable)".utf8.prefix(63)) ?? "aurum \(getpid())"
    }()

    /// The most connections one client's pool opens (`AURUM_DB_POOL_SIZE` for `aurum serve`,
    /// default 20), so that N processes fit PostgreSQL's `max_connections`.
    public var poolSize = DatabaseSettings.defaultPoolSize
    public static let defaultPoolSize = 20

    /// A PostgresNIO client configuration, with TLS as `tls` asks.
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
        configuration.options.additionalStartupParameters = startupParameters
        configuration.options.maximumConnections = poolSize
        return configuration
    }

    var clientTLS: PostgresClient.Configuration.TLS {
        switch tlsConfiguration {
        case nil: .disable
        case let (configuration, false)?: .prefer(configuration)
        case let (configuration, true)?: .require(configuration)
        }
    }

    /// The same TLS for one connection made outside the pool.
    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch tlsConfiguration {
        case nil: .disable
        case let (configuration, false)?: .prefer(try NIOSSLContext(configuration: configuration))
        case let (configuration, true)?: .require(try NIOSSLContext(configuration: configuration))
        }
    }

    /// What `tls` asks: nil without TLS, else the configuration and whether TLS is required.
    private var tlsConfiguration: (TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
        switch tls {
        case .disable:
            return nil
        case .prefer:
            configuration.certificateVerification = .none
            return (configuration, false)
        case .require:
            configuration.certificateVerification = rootCertificate == nil ? .none : .noHostnameVerification
            return (configuration, true)
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return (configuration, true)
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            return (configuration, true)
        }
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
        var query = [URLQueryItem(name: "sslmode", value: tls.rawValue)]
        if let rootCertificate { query.append(URLQueryItem(name: "sslrootcert", value: rootCertificate)) }
        components.queryItems = query
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

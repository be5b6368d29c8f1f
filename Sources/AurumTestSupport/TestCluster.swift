import AurumStore
import Foundation
import Logging
import PostgresNIO

/// One embedded PostgreSQL cluster for the whole test run, with a migrated template database
/// that every test copies (`CREATE DATABASE ... TEMPLATE`), so each test starts clean and fast.
public actor TestCluster {
    public static let shared = TestCluster()

    /// Started once; every caller awaits the same start (actor methods re-enter at each await).
    private var starting: Task<DatabaseSettings, any Error>?
    private var counter = 0
    static let template = "aurum_template"

    /// A new, migrated database of its own.
    public func freshDatabase() async throws -> DatabaseSettings {
        let server = try await start()
        counter += 1
        let name = "test_\(counter)"
        try await server.with(database: "postgres").withClient(logger: TestLogger.quiet) { client in
            try await client.query("CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: Self.template)", logger: TestLogger.quiet)
        }
        return server.with(database: name)
    }

    /// The cluster's server settings, starting it and migrating the template on first use.
    public func start() async throws -> DatabaseSettings {
        if let starting { return try await starting.value }
        let task = Task { try await Self.launch() }
        starting = task
        return try await task.value
    }

    static func launch() async throws -> DatabaseSettings {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-test-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cluster = EmbeddedPostgres(dataDirectory: directory + "/pg", authentication: .trust)
        let settings = try cluster.start(logger: TestLogger.quiet)
        stopAtExit(directory: directory)
        try await settings.withClient(logger: TestLogger.quiet) { client in
            try await client.query("CREATE DATABASE \(unescaped: Self.template)", logger: TestLogger.quiet)
        }
        try await settings.with(database: Self.template).withClient(logger: TestLogger.quiet) { client in
            try await Migrator(directory: ProjectPaths.migrations).migrate(client, logger: TestLogger.quiet)
        }
        return settings
    }
}

/// Where the cluster lives, for the exit handler (which cannot capture context).
nonisolated(unsafe) private var clusterDirectory: String?

private func stopAtExit(directory: String) {
    clusterDirectory = directory
    atexit {
        guard let directory = clusterDirectory else { return }
        EmbeddedPostgres(dataDirectory: directory + "/pg").stop(logger: TestLogger.quiet)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Loggers for tests: quiet unless AURUM_TEST_LOG_LEVEL asks for more.
public enum TestLogger {
    public static let quiet: Logger = {
        var logger = Logger(label: "aurum.test")
        logger.logLevel = ProcessInfo.processInfo.environment["AURUM_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }()
}

/// Paths inside this repository, found from this source file's location.
public enum ProjectPaths {
    public static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    public static var rules: String { root + "/rules" }
    public static var migrations: String { root + "/db/migrations" }
    public static var examples: String { root + "/examples" }
    /// Exchanges recorded from real Odoo 17, 18 and 19 servers, one folder per major version.
    public static var odooWire: String { root + "/Tests/Fixtures/odoo-wire" }
}

@testable import AurumApp
import AurumStore
import AurumTestSupport
import Foundation
import Synchronization
import Testing

/// An `aurum` process of its own (a publishing worker, a server), started from the executable
/// built beside the tests, killed as a crash kills it and checked to be really gone. Spawned and
/// reaped with posix_spawn and waitpid (polled), so that no thread of the concurrency pool ever
/// blocks on it.
final class WorkerProcess: @unchecked Sendable {
    let pid: pid_t
    let name: String
    private let reapedStatus = Mutex<Int32?>(nil)

    /// Built beside the test bundle by `swift build --build-tests`.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("aurum").path
    }

    /// Starts `aurum arguments…` with `environment` on top of this process's, its output in `log`.
    init(_ name: String, _ arguments: [String], environment: [String: String], log: String) throws {
        self.name = name
        // Secrets an in-process test set for itself (`NAME_FILE`) are not inherited: the process gets
        // those `environment` gives it, as a process started on its own would.
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_FILE") }
        pid = try ChildProcess.spawn(Self.executable, arguments, environment: inherited.merging(environment) { _, new in new },
                                     output: log, errors: nil, appending: true)
    }

    struct SpawnError: Error { var message: String }

    /// The audit key every process of a test's database shares (AURUM_AUDIT_KEY).
    static let auditKey = String(repeating: "5a", count: 32)

    /// SIGKILL, then waits for it to be reaped; true when the kernel no longer knows the process.
    @discardableResult
    func crash() async -> Bool {
        kill(pid, SIGKILL)
        return await reaped(within: .seconds(10))
    }

    /// SIGTERM, and SIGKILL when it has not exited within `grace`; true when it is gone.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Bool {
        kill(pid, SIGTERM)
        if await reaped(within: grace) { return true }
        kill(pid, SIGKILL)
        return await reaped(within: .seconds(10))
    }

    /// Reaps the process (waitpid without blocking, looked at every 20 ms) and checks it is gone.
    func reaped(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if reap() { return Self.gone(pid) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Its exit code once reaped (nil while it runs, or when a signal ended it).
    var exitCode: Int32? {
        reapedStatus.withLock { status in
            guard let raw = status, raw & 0x7f == 0 else { return nil }
            return (raw >> 8) & 0xff
        }
    }

    /// Whether it has exited, reaping it if it just did.
    func reap() -> Bool {
        reapedStatus.withLock { status in
            if status != nil { return true }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return false }
            status = raw
            return true
        }
    }

    /// Whether no process has `pid` (reaped, not merely a zombie).
    static func gone(_ pid: pid_t) -> Bool {
        kill(pid, 0) == -1 && errno == ESRCH
    }
}

/// A PostgreSQL cluster of the test's own (one it may stop and start), with Aurum's database
/// migrated: `body` gets the cluster, the database's settings and a folder for its files; all
/// of it is stopped and removed afterwards.
func withOwnCluster<T: Sendable>(_ name: String,
                                 _ body: @Sendable (EmbeddedPostgres, DatabaseSettings, String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-\(name)-\(getpid())").path
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let cluster = EmbeddedPostgres(dataDirectory: directory + "/pg", authentication: .trust)
    let server = try cluster.start(logger: TestLogger.quiet)
    defer {
        cluster.stop(logger: TestLogger.quiet)
        try? FileManager.default.removeItem(atPath: directory)
    }
    try await DatabaseAccess.ensureDatabase(server, logger: TestLogger.quiet)
    let settings = server.with(database: EmbeddedPostgres.database)
    try await settings.withClient(logger: TestLogger.quiet) { client in
        try await Migrator(directory: ProjectPaths.migrations).migrate(client, logger: TestLogger.quiet)
    }
    return try await body(cluster, settings, directory)
}

/// Runs blocking work (a `pg_ctl` that waits) on a thread of its own, not the concurrency pool's.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// SplitMix64: a generator whose whole sequence follows from its seed, so that a fault
/// schedule replays from the seed it printed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Foundation
import Logging

/// A private PostgreSQL cluster in a directory of its own (`.aurum/pg` by default), created with
/// initdb on first use and run with pg_ctl on 127.0.0.1 and a free port.
public struct EmbeddedPostgres: Sendable {
    /// A TCP port on 127.0.0.1 that is free right now (for a cluster, or another local server).
    public static func freePort() throws -> Int { try Command.freePort() }

    /// How clients on 127.0.0.1 prove who they are.
    public enum Authentication: String, Sendable {
        /// A generated password, checked with SCRAM-SHA-256: the default for `.aurum/pg`.
        case scram = "scram-sha-256"
        /// No password: only for throw-away test clusters, where SCRAM's deliberate slowness would
        /// dominate every test's connection set-up.
        case trust
    }

    /// Where the cluster's files are: the directory asked for, or (as root, when the `postgres`
    /// user cannot reach it) the directory recorded beside it in `<directory>.location`.
    public var dataDirectory: String { location.dataDirectory }
    /// The directory the caller asked for.
    public var requestedDirectory: String { location.requested }
    let location: ClusterLocation
    public let authentication: Authentication
    /// The superuser created by initdb; Aurum's own database is `aurum`.
    public static let user = "aurum"
    public static let database = "aurum"

    public init(dataDirectory: String, authentication: Authentication = .scram) {
        self.location = ClusterLocation.resolve(URL(fileURLWithPath: dataDirectory).standardizedFileURL.path)
        self.authentication = authentication
    }

    var credentialsFile: String { dataDirectory + "/aurum-credentials" }
    var pidFile: String { dataDirectory + "/postmaster.pid" }
    var logFile: String { dataDirectory + "/postgres.log" }

    /// Starts the cluster (creating it first if needed), or finds it already running; returns how to reach it.
    public func start(logger: Logger) throws(EmbeddedPostgresError) -> DatabaseSettings {
        let binaries = try PostgresBinaries.locate()
        if let running = try? connectionSettings() {
            if location.isRelocated { try location.recordPointer() }
            return running
        }
        if location.isRelocated { try prepareRelocatedDirectory(logger: logger) }
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try initialize(binaries, logger: logger)
        }
        let port = try Command.freePort()
        logger.info("starting embedded PostgreSQL", metadata: ["aurum.pg.data": "\(dataDirectory)", "aurum.pg.port": "\(port)"])
        // No JIT: it compiles a batch's look-ups (planned as costly for a thousand keys) anew for
        // each statement, tens of milliseconds spent to save less on statements this short.
        let options = "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=on -c jit=off"
            + " -c shared_buffers=\(Self.sharedBuffersMB)MB -c effective_cache_size=\(Self.physicalMB / 2)MB"
        try Command.run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-o", options, "-w", "-t", "60", "start"])
        return try connectionSettings(database: "postgres")
    }

    /// Starts this directory as a streaming replica of the running cluster `primary` (a base
    /// backup with `pg_basebackup -R` over 127.0.0.1, then a hot standby on a port of its own),
    /// or finds it running; returns how to reach it. The replica keeps the primary's superuser
    /// and password. For tests and benchmarks of reads served by a replica.
    public func startReplica(of primary: EmbeddedPostgres, logger: Logger) throws(EmbeddedPostgresError) -> DatabaseSettings {
        let binaries = try PostgresBinaries.locate()
        if let running = try? connectionSettings(database: "postgres") { return running }
        let source = try primary.connectionSettings(database: "postgres")
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            do {
                let parent = URL(fileURLWithPath: dataDirectory).deletingLastPathComponent().path
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .unusable("cannot create \(dataDirectory): \(error.localizedDescription)")
            }
            try Command.giveToServiceUser(dataDirectory)
            // The password goes in a password file, never on a command line (ps, error messages).
            let passfile = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-pgpass-\(UUID().uuidString)").path
            let line = "127.0.0.1:\(source.port):*:\(source.username):\(source.password ?? "")\n"
            guard FileManager.default.createFile(atPath: passfile, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw .unusable("cannot write a password file in \(FileManager.default.temporaryDirectory.path)")
            }
            defer { try? FileManager.default.removeItem(atPath: passfile) }
            try Command.giveToServiceUser(passfile)
            let conninfo = "host=127.0.0.1 port=\(source.port) user=\(source.username) dbname=postgres"
            logger.info("starting a streaming replica", metadata: ["aurum.pg.data": "\(dataDirectory)", "aurum.pg.primary_port": "\(source.port)"])
            try Command.run(binaries.pgBasebackup, ["-d", conninfo + " passfile=\(passfile)", "-D", dataDirectory, "-R", "-X", "stream", "-c", "fast"])
            // -R wrote the connection with the password file, which is gone now: the replica keeps
            // its own line (the last setting in postgresql.auto.conf wins), in its own 0600 file.
            // (The embedded clusters' passwords are letters and digits: nothing to quote.)
            let setting = "primary_conninfo = '\(conninfo) password=\(source.password ?? "")'\n"
            do {
                let file = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.auto.conf"))
                try file.seekToEnd()
                try file.write(contentsOf: Data(setting.utf8))
                try file.close()
            } catch {
                throw .unusable("cannot write the replica's connection to \(dataDirectory)/postgresql.auto.conf: \(error.localizedDescription)")
            }
            do {
                try? FileManager.default.removeItem(atPath: credentialsFile)
                try FileManager.default.copyItem(atPath: primary.credentialsFile, toPath: credentialsFile)
            } catch {
                throw .unusable("cannot copy the primary's credentials to \(credentialsFile): \(error.localizedDescription)")
            }
            try Command.giveToServiceUser(credentialsFile)
        }
        let port = try Command.freePort()
        let options = "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c jit=off -c hot_standby=on"
            + " -c shared_buffers=128MB"
        try Command.run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-o", options, "-w", "-t", "60", "start"])
        return try connectionSettings(database: "postgres")
    }

    /// The machine's memory in MiB.
    static var physicalMB: UInt64 { ProcessInfo.processInfo.physicalMemory / 1_048_576 }

    /// PostgreSQL's own cache: a quarter of the machine's memory (the usual advice), at least
    /// PostgreSQL's default of 128 MiB and at most 8 GiB, so that a store of a million records
    /// keeps its blocking-key index in it instead of reading it from the kernel page by page.
    static var sharedBuffersMB: UInt64 { min(max(physicalMB / 4, 128), 8192) }

    /// How to reach the cluster if it is running now; throws `notRunning` otherwise.
    public func connectionSettings(database: String = EmbeddedPostgres.database) throws(EmbeddedPostgresError) -> DatabaseSettings {
        guard let pid = try? String(contentsOfFile: pidFile, encoding: .utf8) else { throw .notRunning(dataDirectory: dataDirectory) }
        let lines = pid.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3, let processID = Int32(lines[0]), let port = Int(lines[3]), kill(processID, 0) == 0 || errno == EPERM else {
            throw .notRunning(dataDirectory: dataDirectory)
        }
        guard let password = try? String(contentsOfFile: credentialsFile, encoding: .utf8) else {
            throw .unusable("\(credentialsFile) is missing; remove \(dataDirectory) to start afresh")
        }
        return DatabaseSettings(host: "127.0.0.1", port: port, username: Self.user,
                                password: password.trimmingCharacters(in: .whitespacesAndNewlines), database: database)
    }

    /// Stops the cluster, letting running transactions roll back.
    public func stop(logger: Logger) {
        guard let binaries = try? PostgresBinaries.locate() else { return }
        logger.info("stopping embedded PostgreSQL", metadata: ["aurum.pg.data": "\(dataDirectory)"])
        do { try Command.run(binaries.pgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "stop"]) } catch {
            logger.warning("embedded PostgreSQL did not stop cleanly", metadata: ["error": "\(error)"])
        }
    }

    /// Stops the cluster as a crash would: at once, cutting every connection, without a
    /// checkpoint (recovery runs at the next start). For fault tests.
    public func stopImmediately() throws(EmbeddedPostgresError) {
        let binaries = try PostgresBinaries.locate()
        _ = try Command.run(binaries.pgCtl, ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
    }

    /// Starts a stopped cluster again with the options of its last start, on the same port, so
    /// that clients configured with it reconnect. For fault tests.
    public func startAgain() throws(EmbeddedPostgresError) {
        let binaries = try PostgresBinaries.locate()
        _ = try Command.run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-m", "immediate", "-w", "-t", "60", "restart"])
    }

    /// Readies the relocated directory: a cluster left there after its pointer was removed (the
    /// requested directory cleared to start afresh) is removed too; the pointer is written anew.
    func prepareRelocatedDirectory(logger: Logger) throws(EmbeddedPostgresError) {
        let pointerExists = FileManager.default.fileExists(atPath: location.pointerFile)
        if !pointerExists, FileManager.default.fileExists(atPath: dataDirectory) {
            do { try FileManager.default.removeItem(atPath: dataDirectory) } catch {
                throw .unusable("cannot remove the stale cluster in \(dataDirectory): \(error.localizedDescription)")
            }
        }
        try location.recordPointer()
        if !pointerExists {
            logger.warning("the postgres user cannot reach the requested data directory; the cluster is kept where it can, recorded beside it",
                           metadata: ["aurum.pg.requested": "\(requestedDirectory)", "aurum.pg.data": "\(dataDirectory)",
                                      "aurum.pg.location_file": "\(location.pointerFile)"])
        }
    }

    func initialize(_ binaries: PostgresBinaries, logger: Logger) throws(EmbeddedPostgresError) {
        logger.info("creating embedded PostgreSQL cluster", metadata: ["aurum.pg.data": "\(dataDirectory)"])
        let password = Self.randomPassword()
        let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-initpw-\(UUID().uuidString)").path
        do {
            let parent = URL(fileURLWithPath: dataDirectory).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: passwordFile, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            throw .unusable("cannot create \(dataDirectory): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        try Command.giveToServiceUser(dataDirectory)
        try Command.giveToServiceUser(passwordFile)
        try Command.run(binaries.initdb, ["-D", dataDirectory, "-U", Self.user, "--pwfile=\(passwordFile)",
                                          "--auth=\(authentication.rawValue)", "-E", "UTF8", "--locale=C", "--no-instructions"])
        do {
            try password.write(toFile: credentialsFile, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentialsFile)
        } catch {
            throw .unusable("cannot write \(credentialsFile): \(error.localizedDescription)")
        }
        try Command.giveToServiceUser(credentialsFile)
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<32).map { _ in alphabet.randomElement()! })
    }
}

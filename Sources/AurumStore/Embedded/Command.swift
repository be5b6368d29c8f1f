import Foundation

/// Runs PostgreSQL's programs, as the `postgres` user when Aurum runs as root (PostgreSQL refuses root).
enum Command {
    static var isRoot: Bool { geteuid() == 0 }

    /// Runs `program` with `arguments`, returning its output; throws with the output when it fails.
    ///
    /// Spawned directly and awaited with waitpid: pg_ctl leaves a postmaster behind that inherits the
    /// child's descriptors, so neither a pipe nor Foundation's Process can tell when pg_ctl is done.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], asServiceUser: Bool = true) throws(EmbeddedPostgresError) -> String {
        let argv = asServiceUser && isRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-cmd-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid = pid_t()
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw .commandFailed(command: argv[0], status: -1, output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else {
            throw .commandFailed(command: argv.joined(separator: " "), status: exitCode, output: output)
        }
        return output
    }

    /// Hands `path` (recursively) to the `postgres` user when running as root.
    static func giveToServiceUser(_ path: String) throws(EmbeddedPostgresError) {
        guard isRoot else { return }
        try run("/bin/chown", ["-R", "postgres:postgres", path], asServiceUser: false)
    }

    /// A TCP port on 127.0.0.1 that is free right now.
    static func freePort() throws(EmbeddedPostgresError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .unusable("cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw .unusable("cannot bind 127.0.0.1 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

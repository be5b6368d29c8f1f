import Foundation

/// Runs PostgreSQL's programs, as the `postgres` user when Aurum runs as root (PostgreSQL refuses root).
enum Command {
    static var isRoot: Bool { geteuid() == 0 }

    /// Runs `program` with `arguments`, returning its output; throws with the output when it fails.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], asServiceUser: Bool = true) throws(EmbeddedPostgresError) -> String {
        let process = Process()
        if asServiceUser && isRoot {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", program] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .commandFailed(command: program, status: -1, output: "\(error)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .commandFailed(command: ([program] + arguments).joined(separator: " "), status: process.terminationStatus, output: output)
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

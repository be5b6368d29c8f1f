import Foundation

/// Finds PostgreSQL's server programs: on PATH, else the newest under /usr/lib/postgresql/*/bin.
struct PostgresBinaries {
    let initdb: String
    let pgCtl: String
    /// The base backup that starts a streaming replica: beside pg_ctl, else where the server programs are.
    var pgBasebackup: String {
        let beside = URL(fileURLWithPath: pgCtl).deletingLastPathComponent().path + "/pg_basebackup"
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Self.searchDirectories().map { $0 + "/pg_basebackup" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? beside
    }

    static func locate() throws(EmbeddedPostgresError) -> PostgresBinaries {
        for directory in searchDirectories() {
            let initdb = directory + "/initdb", pgCtl = directory + "/pg_ctl"
            if FileManager.default.isExecutableFile(atPath: initdb), FileManager.default.isExecutableFile(atPath: pgCtl) {
                return PostgresBinaries(initdb: initdb, pgCtl: pgCtl)
            }
        }
        throw .notInstalled
    }

    static func searchDirectories() -> [String] {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
            .map { "/usr/lib/postgresql/\($0)/bin" }
        return path + versions
    }
}

/// Why the embedded PostgreSQL could not be started or reached.
public enum EmbeddedPostgresError: Error, Sendable, CustomStringConvertible {
    case notInstalled
    case commandFailed(command: String, status: Int32, output: String)
    case notRunning(dataDirectory: String)
    case unusable(String)

    public var description: String {
        switch self {
        case .notInstalled:
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin). "
                + "Install it with: apt-get install -y postgresql — or set DATABASE_URL to an existing server."
        case .commandFailed(let command, let status, let output):
            "\(command) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .notRunning(let dataDirectory):
            "no embedded PostgreSQL is running in \(dataDirectory); start `aurum serve` first, or set DATABASE_URL"
        case .unusable(let reason):
            reason
        }
    }
}

import Foundation

/// Where an embedded cluster's files live.
///
/// Normally in the directory asked for. PostgreSQL refuses to run as root, so as root Aurum runs
/// it as the `postgres` user, which cannot reach a directory below a parent closed to it (a
/// checkout under a mode-700 /root). Then the cluster lives in a directory of its own under
/// `/var/lib/aurum/clusters`, named after the directory asked for, and that path is recorded in
/// `<directory>.location` beside it, for every later command and for people.
struct ClusterLocation: Sendable, Hashable {
    /// The directory the caller asked for (`.aurum/pg`).
    let requested: String
    /// Where the files are: `requested`, or the relocated directory.
    let dataDirectory: String

    /// Where relocated clusters live.
    static let relocationRoot = "/var/lib/aurum/clusters"

    var isRelocated: Bool { dataDirectory != requested }
    /// The file beside the requested directory that names the relocated one.
    var pointerFile: String { requested + ".location" }

    /// Resolves `requested` (absolute): the recorded location if there is one, else the relocated
    /// directory when running as root and the `postgres` user cannot reach `requested`.
    static func resolve(_ requested: String) -> ClusterLocation {
        let pointer = requested + ".location"
        if let recorded = try? String(contentsOfFile: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !recorded.isEmpty {
            return ClusterLocation(requested: requested, dataDirectory: recorded)
        }
        guard Command.isRoot, !serviceUserCanReach(requested) else {
            return ClusterLocation(requested: requested, dataDirectory: requested)
        }
        return ClusterLocation(requested: requested, dataDirectory: relocationRoot + "/" + name(for: requested))
    }

    /// A stable directory name for `requested`: its last components and a hash of the whole path.
    static func name(for requested: String) -> String {
        let digest = Digest.sha256Hex(requested).prefix(16)
        let components = requested.split(separator: "/").suffix(2).joined(separator: "-")
        let readable = String(components.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
        return "\(readable)-\(digest)"
    }

    /// Whether the `postgres` user can search the deepest existing directory on the way to `path`
    /// (access(2) then also checks every directory above it).
    static func serviceUserCanReach(_ path: String) -> Bool {
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while ancestor.path != "/", !FileManager.default.fileExists(atPath: ancestor.path) {
            ancestor.deleteLastPathComponent()
        }
        return (try? Command.run("/usr/bin/test", ["-x", ancestor.path])) != nil
    }

    /// Records the relocated directory beside the requested one.
    func recordPointer() throws(EmbeddedPostgresError) {
        do {
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: requested).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try (dataDirectory + "\n").write(toFile: pointerFile, atomically: true, encoding: .utf8)
        } catch {
            throw .unusable("cannot write \(pointerFile): \(error.localizedDescription)")
        }
    }
}

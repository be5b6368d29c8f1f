import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

/// The embedded launcher where a fresh machine puts a checkout: below a directory other users
/// cannot enter (a mode-700 /root), where the `postgres` user that runs the cluster for root
/// cannot reach it.
@Suite struct EmbeddedPostgresTests {
    @Test func startsBelowADirectoryClosedToOtherUsersAndStartsAfreshWhenCleared() async throws {
        let closed = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-closed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: closed + "/project", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: closed)
        let requested = closed + "/project/.aurum/pg"
        let cluster = EmbeddedPostgres(dataDirectory: requested, authentication: .trust)
        defer {
            cluster.stop(logger: TestLogger.quiet)
            try? FileManager.default.removeItem(atPath: closed)
            try? FileManager.default.removeItem(atPath: cluster.dataDirectory)
        }

        try await Self.startAndQuery(cluster, marker: "first")
        if geteuid() == 0 {
            #expect(cluster.dataDirectory != requested, "as root the data must live where the postgres user can reach it")
            let pointer = try String(contentsOfFile: requested + ".location", encoding: .utf8)
            #expect(pointer.trimmingCharacters(in: .whitespacesAndNewlines) == cluster.dataDirectory)
            #expect(EmbeddedPostgres(dataDirectory: requested).dataDirectory == cluster.dataDirectory, "a second command finds the same cluster")
        } else {
            #expect(cluster.dataDirectory == requested, "a non-root user runs the cluster itself, in place")
        }
        #expect(FileManager.default.fileExists(atPath: cluster.dataDirectory + "/PG_VERSION"))

        // Clearing the checkout's directory (as the demo does) means a new cluster, not the old one.
        cluster.stop(logger: TestLogger.quiet)
        try FileManager.default.removeItem(atPath: closed + "/project/.aurum")
        let again = EmbeddedPostgres(dataDirectory: requested, authentication: .trust)
        #expect(again.dataDirectory == cluster.dataDirectory)
        try await Self.startAndQuery(again, marker: "second")
        let settings = try again.connectionSettings(database: "postgres")
        let markers = try await settings.withClient(logger: TestLogger.quiet) { client in
            try await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'marker_%' ORDER BY 1", logger: TestLogger.quiet)
                .decode(String.self).rows()
        }
        #expect(markers == ["marker_second"], "the cleared cluster's database must be gone")
    }

    /// Starts `cluster`, creates a database named after `marker` and reads it back.
    static func startAndQuery(_ cluster: EmbeddedPostgres, marker: String) async throws {
        let settings = try cluster.start(logger: TestLogger.quiet)
        try await settings.withClient(logger: TestLogger.quiet) { client in
            try await client.query("CREATE DATABASE \(unescaped: "marker_" + marker)", logger: TestLogger.quiet)
            let rows = try await client.query("SELECT count(*)::int FROM pg_database WHERE datname = \("marker_" + marker)", logger: TestLogger.quiet)
            #expect(try await rows.decode(Int.self).rows() == [1])
        }
    }
}

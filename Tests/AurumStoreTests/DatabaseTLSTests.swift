import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

/// `DATABASE_URL`'s `sslmode` decides TLS, as libpq's does: checked against the test cluster
/// with TLS switched on, using a certificate made for the run.
@Suite struct DatabaseTLSTests {
    @Test func sslModesParseAndRoundTripThroughTheURL() throws {
        #expect(try DatabaseSettings(url: "postgres://u:p@db.example:5432/aurum").tls == .prefer, "libpq prefers TLS by default")
        let full = try DatabaseSettings(url: "postgres://u:p@db.example/aurum?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(full.tls == .verifyFull && full.rootCertificate == "/etc/ca.pem")
        #expect(try DatabaseSettings(url: full.url) == full, "a child command gets the same TLS settings")
        #expect(try DatabaseSettings(url: "postgres://u@h/d?sslmode=allow").tls == .prefer)
        #expect(throws: DatabaseSettingsError.self) { try DatabaseSettings(url: "postgres://u@h/d?sslmode=sometimes") }
        #expect(throws: DatabaseSettingsError.self) { try DatabaseSettings(url: "postgres://u@h/d?sslcompression=1") }
    }

    @Test func requireAndVerifyFullUseTLSAndDisableDoesNot() async throws {
        let server = try await TestCluster.shared.start()
        let (certificate, key) = try Self.selfSignedCertificate()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: certificate).deletingLastPathComponent().path) }
        try await server.withClient(logger: TestLogger.quiet) { client in
            for statement in ["ALTER SYSTEM SET ssl_cert_file = '\(certificate)'", "ALTER SYSTEM SET ssl_key_file = '\(key)'",
                              "ALTER SYSTEM SET ssl = on", "SELECT pg_reload_conf()"] {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: TestLogger.quiet)
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        let base = "postgres://\(server.username)@127.0.0.1:\(server.port)/postgres"
        #expect(try await Self.usesTLS(base + "?sslmode=require") == true)
        #expect(try await Self.usesTLS(base + "?sslmode=verify-full&sslrootcert=\(certificate)") == true)
        #expect(try await Self.usesTLS(base) == true, "prefer takes TLS when the server offers it")
        #expect(try await Self.usesTLS(base + "?sslmode=disable") == false)
        // The pool keeps retrying a refused connection; give it five seconds, then call it refused.
        let untrusted = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { try? await Self.usesTLS(base + "?sslmode=verify-full") }
            group.addTask { try? await Task.sleep(for: .seconds(5)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(untrusted == nil, "verify-full refuses a certificate no trusted authority signed")
    }

    /// Whether the connection made from `url` is encrypted, as the server sees it.
    static func usesTLS(_ url: String) async throws -> Bool {
        try await DatabaseSettings(url: url).withClient(logger: TestLogger.quiet) { client in
            try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: TestLogger.quiet).decode(Bool.self).rows()[0]
        }
    }

    /// A certificate and key for 127.0.0.1, made with openssl; their paths.
    static func selfSignedCertificate() throws -> (String, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make a certificate")
        // PostgreSQL reads the key only when it is its own user's and closed to everyone else.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/key.pem")
        if geteuid() == 0 {
            let chown = Process()
            chown.executableURL = URL(fileURLWithPath: "/bin/chown")
            chown.arguments = ["postgres:postgres", directory + "/key.pem", directory + "/cert.pem"]
            try chown.run()
            chown.waitUntilExit()
        }
        return (directory + "/cert.pem", directory + "/key.pem")
    }
}

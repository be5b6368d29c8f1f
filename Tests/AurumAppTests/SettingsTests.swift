import ArgumentParser
@testable import AurumApp
import AurumTestSupport
import Foundation
import Testing

/// Settings from the environment: every secret from a file too, never shown; a malformed one
/// stops the command with one line naming it (exit 64).
@Suite struct SettingsTests {
    @Test func aSecretComesFromItsVariableOrFromTheFileItsFileVariableNames() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try "  postgres://aurum:pw@db/aurum\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try Settings.secret("DATABASE_URL", ["DATABASE_URL_FILE": file]) == "postgres://aurum:pw@db/aurum")
        #expect(try Settings.secret("DATABASE_URL", ["DATABASE_URL": "postgres://x"]) == "postgres://x")
        #expect(try Settings.secret("DATABASE_URL", ["DATABASE_URL": "", "DATABASE_URL_FILE": ""]) == nil)
        #expect(throws: ValidationError.self) { try Settings.secret("DATABASE_URL", ["DATABASE_URL": "x", "DATABASE_URL_FILE": file]) }
        #expect(throws: ValidationError.self) { try Settings.secret("ODOO_API_KEY", ["ODOO_API_KEY_FILE": "/nonexistent/key"]) }
        #expect(Settings.origin(of: "ODOO_API_KEY", ["ODOO_API_KEY_FILE": file]) == "set (from ODOO_API_KEY_FILE \(file))")
        #expect(Settings.redacted(url: "postgres://aurum:pw@db:5432/aurum?sslmode=require") == "postgres://aurum:****@db:5432/aurum?sslmode=require")
        #expect(throws: ValidationError.self) { try Settings.port(["AURUM_PORT": "70000"]) }
        #expect(try Settings.port(["AURUM_PORT": "0"]) == 0)
        #expect(throws: ValidationError.self) { try Settings.logLevel(default: .info, ["AURUM_LOG_LEVEL": "loud"]) }
        #expect(try Settings.logLevel(default: .info, ["AURUM_LOG_LEVEL": "debug"]) == .debug)
        #expect(Settings.namesASetting("error: AURUM_PORT=abc is not a port; give 0 to 65535"))
        #expect(Settings.namesASetting("error: DATABASE_URL and DATABASE_URL_FILE are both set; keep one"))
        #expect(!Settings.namesASetting("error: --port 70000 is not a port"))
        #expect(!Settings.namesASetting("error: unknown entity \"itme\""))
        // The pool's size and the read replicas.
        #expect(try Settings.poolSize([:]) == 20 && Settings.poolSize(["AURUM_DB_POOL_SIZE": "6"]) == 6)
        for bad in ["0", "1001", "many", "-3"] {
            #expect(throws: ValidationError.self) { try Settings.poolSize(["AURUM_DB_POOL_SIZE": bad]) }
        }
        #expect(try Settings.readURLs([:]).isEmpty)
        #expect(try Settings.readURLs(["DATABASE_READ_URL": "postgres://a:pw@r1/aurum, postgres://a:pw@r2:5433/aurum"])
                == ["postgres://a:pw@r1/aurum", "postgres://a:pw@r2:5433/aurum"])
        do {
            _ = try Settings.readURLs(["DATABASE_READ_URL": "postgres://a:pw@r1/aurum,mysql://a:secret@r2/x"])
            Issue.record("a URL that is not postgres:// is refused")
        } catch let error as ValidationError {
            #expect(error.message.hasPrefix("DATABASE_READ_URL has mysql://a:****@r2/x") && !error.message.contains("secret"), "\(error.message)")
        }
    }

    @Test func printConfigShowsTheSettingsWithoutTheirSecrets() async throws {
        let run = try await runAurumCapturingAll(["serve", "--print-config", "--database-url", "postgres://aurum:s3cret@db:5432/aurum",
                                                  "--rules", ProjectPaths.rules, "--port", "9091"])
        #expect(run.code == 0, "\(run.errors)")
        #expect(run.output.contains("listen") && run.output.contains(":9091"), "\(run.output)")
        #expect(run.output.contains("postgres://aurum:****@db:5432/aurum (--database-url)") && !run.output.contains("s3cret"), "\(run.output)")
        #expect(run.output.contains("rules") && run.output.contains("customer, item, supplier, warehouse"))
        #expect(run.output.contains("none (DATABASE_READ_URL): reads go to the primary") && run.output.contains("20 connections per database"),
                "\(run.output)")
    }

    @Test func aMalformedSettingStopsServeWithOneLineNamingIt() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = try WorkerProcess("serve with a bad port", ["serve", "--print-config"], environment: ["AURUM_PORT": "eighty"], log: log)
        #expect(await process.reaped(within: .seconds(30)))
        #expect(process.exitCode == 64)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output == "error: AURUM_PORT=eighty is not a port; give 0 to 65535\n", "one line: \(output)")
    }
}

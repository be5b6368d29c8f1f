import ArgumentParser
@testable import AurumApp
import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

/// `aurum token create|list|revoke` on the database.
@Suite struct TokenCommandTests {
    @Test func createListAndRevoke() async throws {
        try await TestStore.with { t in
            let database = ["--database-url", t.settings.url]
            let created = try await runAurumCapturing(["token", "create", "--name", "fiona", "--role", "steward", "--groups", "finance,procurement",
                                                       "--expires", "90d"] + database)
            #expect(created.code == 0 && created.output.hasPrefix("aurum_"))
            let principal = try #require(try await t.store.principal(forToken: created.output.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(principal.groups == ["finance", "procurement"])

            let listed = try await runAurumCapturing(["token", "list", "--json"] + database)
            let tokens = try JSONDecoder().decode([JSONValue].self, from: Data(listed.output.utf8))
            let fiona = try #require(tokens.first { $0.objectValue?["name"] == "fiona" }?.objectValue)
            #expect(fiona["active"] == true && fiona["groups"] == ["finance", "procurement"] && fiona["expires_at"]?.stringValue != nil)

            #expect(try await runAurumCapturing(["token", "revoke", "fiona"] + database).code == 0)
            #expect(try await t.store.principal(forToken: created.output.trimmingCharacters(in: .whitespacesAndNewlines)) == nil)
            let again = try await runAurumCapturingAll(["token", "revoke", "fiona"] + database)
            #expect(again.code == 1 && again.errors.contains("the token named fiona is revoked already"))
            let table = try await runAurumCapturing(["token", "list"] + database)
            #expect(table.output.contains("fiona") && table.output.contains("revoked"))
        }
    }

    @Test(arguments: [
        (["--name", "x", "--role", "steward", "--entities", "itme"],
         "unknown entity \"itme\" (did you mean \"item\"?); the rules define customer, item, supplier, warehouse"),
        (["--name", "y", "--role", "source", "--source", "plmm"], "unknown source \"plmm\" (did you mean \"plm\"?)"),
        (["--name", "z", "--role", "steward", "--expires", "soon"], "--expires soon is not a duration"),
    ])
    func usageErrorsAreNamedAndCreateNothing(_ arguments: [String], _ message: String) async throws {
        try await TestStore.with { t in
            let answer = try await runAurumCapturingAll(["token", "create"] + arguments + ["--database-url", t.settings.url])
            #expect(answer.code == ExitCode.validationFailure.rawValue)
            #expect(answer.errors.contains(message), "\(answer.errors)")
            #expect(try await Tokens.list(client: t.client, logger: TestLogger.quiet).allSatisfy { !["x", "y", "z"].contains($0.name) })
        }
    }

    /// Commands on the database name a person in the audit trail: --actor, else AURUM_ACTOR,
    /// else the operating-system user; never a shared name.
    @Test func theAuditTrailNamesWhoRanTheCommand() async throws {
        try await TestStore.with { t in
            let database = ["--database-url", t.settings.url]
            #expect(try await runAurumCapturing(["token", "create", "--name", "gina", "--role", "steward", "--actor", "ops-anna"] + database).code == 0)
            #expect(try await runAurumCapturing(["token", "revoke", "gina"] + database).code == 0)
            let actors = try await t.client.query("""
                SELECT actor FROM audit_entry WHERE action IN ('token.created', 'token.revoked') AND after ->> 'name' = 'gina' ORDER BY seq
                """, logger: TestLogger.quiet).decode(String.self).rows()
            #expect(actors == ["ops-anna", DatabaseOptions.operatingSystemUser], "\(actors)")
            #expect(!DatabaseOptions.operatingSystemUser.isEmpty && !actors.contains { $0.hasPrefix("cli") })
        }
    }

    @Test func versionIsPrinted() {
        do {
            _ = try Aurum.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(Aurum.message(for: error) == "0.12.0-dev" && Aurum.exitCode(for: error) == .success)
        }
    }
}

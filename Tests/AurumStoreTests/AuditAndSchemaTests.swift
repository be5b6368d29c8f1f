import AurumCore
@testable import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite struct AuditAndSchemaTests {
    @Test func everyStepIsInTheAuditTrail() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let created = try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "req-1")[0]
            _ = try await t.store.approve(changeRequest: created.changeRequestID!, by: alice.principal, comment: "ok", revision: nil, requestID: "req-2")
            let update = try await t.store.ingest([SampleRules.item("PLM-1", ["uom": "kg"])], by: plm.principal, requestID: "req-3")[0]
            _ = try await t.store.reject(changeRequest: update.changeRequestID!, by: alice.principal, reason: "bolts are counted", requestID: "req-4")
            _ = try await t.store.ingest([SampleRules.item("PLM-2", ["code": "X"])], by: plm.principal, requestID: "req-5")
            #expect(try await t.auditActions() == [
                "token.created", "token.created",
                "candidate.proposed", "change_request.opened",
                "change_request.approved", "record.released",
                "candidate.proposed", "change_request.opened",
                "change_request.rejected",
                "candidate.rejected",
            ])
            let rows = try await t.client.query("""
                SELECT actor, request_id, reason FROM audit_entry WHERE action = 'change_request.rejected'
                """, logger: TestLogger.quiet).decode((String, String?, String?).self).rows()
            try #require(rows.count == 1)
            #expect(rows[0].0 == "alice" && rows[0].1 == "req-4" && rows[0].2 == "bolts are counted")
        }
    }

    /// Re-sends leave one entry per request with their count; a new rules version is recorded
    /// once, with the version before it.
    @Test func unchangedResendsAndRulesChangesAreInTheTrail() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let candidates = (1...3).map { SampleRules.item("PLM-\($0)", ["code": .string("B-\($0)"), "name": "Bolt", "uom": "Units"]) }
            _ = try await t.store.ingest(candidates, by: plm.principal, requestID: "first")
            let again = try await t.store.ingest(candidates + [SampleRules.item("PLM-4", SampleRules.hexBolt)], by: plm.principal, requestID: "again")
            #expect(again.map(\.status) == [.unchanged, .unchanged, .unchanged, .proposed])
            let resent = try await t.client.query("""
                SELECT actor, entity, after::text FROM audit_entry WHERE action = 'candidate.unchanged' AND subject = 'request:again'
                """, logger: TestLogger.quiet).decode((String, String, String).self).rows()
            try #require(resent.count == 1, "one entry for the request, not one per candidate")
            let after = try JSONParser.parse(Array(resent[0].2.utf8))
            #expect(resent[0].0 == "plm-sync" && resent[0].1 == "item" && after.objectValue?["count"] == 3)
            #expect(after.objectValue?["source_keys"] == ["plm/PLM-1", "plm/PLM-2", "plm/PLM-3"])

            #expect(try await t.store.activateRules(by: "ops-anna", requestID: "serve"))
            #expect(try await !t.store.activateRules(by: "ops-anna", requestID: "serve"), "the same rules again: nothing new")
            var newer = t.rules
            newer.version = "sha256:feedfacefeedface"
            let other = PostgresStewardshipStore(client: t.client, rules: newer, logger: TestLogger.quiet)
            #expect(try await other.activateRules(by: "ops-ben", requestID: "serve"))
            let changes = try await t.client.query("""
                SELECT actor, before ->> 'version', after ->> 'version' FROM audit_entry WHERE action = 'rules.activated' ORDER BY seq
                """, logger: TestLogger.quiet).decode((String, String?, String).self).rows()
            #expect(changes.map(\.0) == ["ops-anna", "ops-ben"] && changes[0].1 == nil && changes[0].2 == t.rules.version)
            #expect(changes[1].1 == t.rules.version && changes[1].2 == "sha256:feedfacefeedface")
        }
    }

    /// The application role owns nothing: it may append to the audit trail, the versions and the
    /// feed, never change or remove a row, empty a table or switch its triggers off. The owner's own
    /// mistakes meet the append-only triggers.
    @Test func theApplicationRoleCannotRewriteTheAuditVersionsOrFeed() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let created = try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            _ = try await t.store.approve(changeRequest: created.changeRequestID!, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            let who = try await t.client.query("SELECT current_user::text, (SELECT count(*)::int FROM pg_class WHERE relowner = current_user::regrole)",
                                               logger: TestLogger.quiet).decode((String, Int).self).rows()
            #expect(who.first?.0 == "aurum_app" && who.first?.1 == 0, "the store acts as aurum_app, which owns no table: \(who)")
            for (table, column) in [("audit_entry", "actor"), ("golden_version", "state"), ("change_feed", "entity")] {
                for statement in ["UPDATE \(table) SET \(column) = 'forged'",
                                  "DELETE FROM \(table)", "TRUNCATE \(table)",
                                  "ALTER TABLE \(table) DISABLE TRIGGER ALL", "ALTER TABLE \(table) DISABLE TRIGGER USER"] {
                    let refusal = await #expect(throws: PSQLError.self, "\(statement) must fail") {
                        try await t.client.query(PostgresQuery(unsafeSQL: statement), logger: TestLogger.quiet)
                    }
                    #expect(refusal?.serverInfo?[.sqlState] == "42501", "\(statement): refused for want of privilege")
                    let message = refusal?.serverInfo?[.message] ?? ""
                    #expect(message.contains("permission denied") || message.contains("must be owner"), "\(statement): \(message)")
                }
            }
            try await t.asOwner { owner in
                for statement in ["UPDATE audit_entry SET actor = 'mallory'", "DELETE FROM audit_entry", "TRUNCATE audit_entry",
                                  "UPDATE golden_version SET attributes = '{}'", "DELETE FROM golden_version"] {
                    let refusal = await #expect(throws: PSQLError.self, "\(statement) must fail for the owner too") {
                        try await owner.query(PostgresQuery(unsafeSQL: statement), logger: TestLogger.quiet)
                    }
                    #expect(refusal?.serverInfo?[.message]?.contains("is append-only") == true, "\(statement): refused by the append-only trigger")
                }
            }
            let count = try await t.client.query("SELECT count(*)::int FROM audit_entry WHERE actor = 'mallory'", logger: TestLogger.quiet)
                .decode(Int.self).first { _ in true }
            #expect(count == 0)
        }
    }

    /// A server may log in as the application role itself (no owner's privileges to take back with
    /// RESET ROLE): it works on a migrated database and refuses, naming what to do, to migrate one.
    @Test func loggedInAsTheApplicationRoleItUsesButNeverMigrates() async throws {
        try await TestStore.with { t in
            try await t.asOwner { try await $0.query("ALTER ROLE aurum_app LOGIN", logger: TestLogger.quiet) }
            var login = t.settings
            login.username = "aurum_app"
            #expect(try await Migrator(directory: ProjectPaths.migrations).migrate(settings: login, logger: TestLogger.quiet).isEmpty)
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-migrations-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            for migration in try Migrator(directory: ProjectPaths.migrations).migrations {
                try migration.sql.write(toFile: copy + "/" + migration.name, atomically: true, encoding: .utf8)
            }
            try "CREATE TABLE later (x int);".write(toFile: copy + "/9999_later.sql", atomically: true, encoding: .utf8)
            let refused = await #expect(throws: MigrationError.self) {
                try await Migrator(directory: copy).migrate(settings: login, logger: TestLogger.quiet)
            }
            #expect(refused?.message.contains("9999_later.sql is not applied") == true && refused?.message.contains("aurum migrate") == true,
                    "\(refused?.message ?? "")")
            try await login.withClient(logger: TestLogger.quiet) { client in
                let store = PostgresStewardshipStore(client: client, rules: t.rules, logger: TestLogger.quiet)
                let plm = try await t.actor("plm-sync", .source)
                let answer = try await store.ingest([SampleRules.item("PLM-9", SampleRules.hexBolt)], by: plm.principal, requestID: "r")
                #expect(answer.first?.changeRequestID != nil)
            }
        }
    }

    /// A status this version does not know (written by a newer one, or by hand) is an error, never
    /// read as open and decidable.
    @Test func unknownStoredStatusesAreErrorsNotDefaults() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let created = try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            let id = try #require(created.changeRequestID)
            try await t.asOwner { owner in
                try await owner.query("ALTER TABLE change_request DROP CONSTRAINT change_request_status_check", logger: TestLogger.quiet)
                try await owner.query("UPDATE change_request SET status = 'escalated' WHERE id = \(id)", logger: TestLogger.quiet)
            }
            let error = await #expect(throws: (any Error).self) { _ = try await t.store.changeRequest(id: id) }
            #expect("\(error.map { "\($0)" } ?? "")".contains("status 'escalated'"))
            let steward = try await t.actor("alice", .steward)
            await #expect(throws: (any Error).self, "nothing is decided on a status nobody knows") {
                _ = try await t.store.approve(changeRequest: id, by: steward.principal, comment: nil, revision: nil, requestID: "r")
            }
        }
    }

    @Test func tokensAreStoredOnlyAsHashes() async throws {
        try await TestStore.with { t in
            let alice = try await t.actor("alice", .steward, entities: ["item", "supplier"])
            #expect(alice.token.hasPrefix("aurum_") && alice.token.count == 46)
            #expect(alice.principal == Principal(tokenID: alice.principal.tokenID, name: "alice", role: .steward, entities: ["item", "supplier"]))
            let stored = try await t.client.query("SELECT hash FROM token WHERE name = 'alice'", logger: TestLogger.quiet)
                .decode(String.self).first { _ in true }
            #expect(stored == Tokens.hash(alice.token) && stored != alice.token)
            #expect(try await t.store.principal(forToken: alice.token + "x") == nil)
            await #expect(throws: StoreError.self) { _ = try await t.actor("alice", .admin) }
        }
    }

    @Test func migrationsApplyOnceAndAnEditedOneIsRefused() async throws {
        try await TestStore.with { t in
            let migrator = try Migrator(directory: ProjectPaths.migrations)
            #expect(try await migrator.migrate(settings: t.settings, logger: TestLogger.quiet).isEmpty)
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-migrations-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            for migration in migrator.migrations {
                try (migration.sql + "\n-- edited\n").write(toFile: copy + "/" + migration.name, atomically: true, encoding: .utf8)
            }
            await #expect(throws: MigrationError.self) { try await Migrator(directory: copy).migrate(settings: t.settings, logger: TestLogger.quiet) }
        }
    }

    @Test func sqlScriptsSplitOnlyAtTopLevelSemicolons() throws {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'semi;colon');
            /* block; comment */ CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 2; $body$;
            SELECT "odd;name" FROM a;
            -- only a comment at the end;
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 4, "\(statements)")
        #expect(statements[0].hasSuffix("CREATE TABLE a (x text DEFAULT 'semi;colon')"))
        #expect(statements[1].hasSuffix("AS $$ BEGIN RETURN 1; END; $$"))
        #expect(statements[2] == "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 2; $body$")
        #expect(statements[3] == #"SELECT "odd;name" FROM a"#)
        let migrator = try Migrator(directory: ProjectPaths.migrations)
        // Every file of the directory, in number order, numbered 0001, 0002, … without a gap.
        let names = migrator.migrations.map(\.name)
        let files = try FileManager.default.contentsOfDirectory(atPath: ProjectPaths.migrations).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(names == files && names.first == "0001_init.sql")
        #expect(names.enumerated().allSatisfy { index, name in name.hasPrefix(String(format: "%04d_", index + 1)) }, "\(names)")
    }
}

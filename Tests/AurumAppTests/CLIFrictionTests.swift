import ArgumentParser
@testable import AurumApp
import AurumCore
import AurumServer
import AurumStore
import AurumTestSupport
import Foundation
import Testing

/// The CLI keeps its word: each friction a steward met, with what it does now.
@Suite struct CLIFrictionTests {
    func withServer(_ body: @escaping @Sendable (_ common: [String], _ t: TestStore) async throws -> Void) async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let steward = try await t.actor("sam", .steward).token
                try await body(["--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(steward)], t)
            }
        }
    }

    @Test func quietPrintsIdsOnQueueAndTheVersionOnRecord() async throws {
        try await withServer { common, t in
            let plm = try await t.actor("plm-sync", .source)
            let results = try await t.store.ingest([SampleRules.item("P-1", SampleRules.hexBolt), SampleRules.item("P-2", ["code": "B-2", "name": "Nut", "uom": "Units"])],
                                                   by: plm.principal, requestID: "r")
            let queue = try await runAurumCapturingAll(["queue", "--quiet"] + common)
            #expect(queue.output == results.compactMap(\.changeRequestID).map { "\($0)\n" }.joined(), "only the ids: \(queue.output)")
            let released = try #require(try await t.release([SampleRules.item("P-9", ["code": "B-9", "name": "Washer", "uom": "Units"])]).first)
            let record = try await runAurumCapturingAll(["record", "item", String(released), "--quiet"] + common)
            #expect(record.output == "1\n", "the version alone: \(record.output)")
            let versions = try await runAurumCapturingAll(["record", "item", String(released), "--versions", "--quiet"] + common)
            #expect(versions.output == "1\n", "\(versions.output)")
        }
    }

    @Test func aMistypedCommandIsNamedWithTheClosestOne() {
        #expect(Aurum.subcommandHint(["queu"])?.contains("did you mean \"aurum queue\"") == true)
        #expect(Aurum.subcommandHint(["odoo", "imprt"])?.contains("did you mean \"aurum odoo import\"") == true)
        #expect(Aurum.subcommandHint(["records", "serch", "item"])?.contains("did you mean \"aurum records search\"") == true)
        #expect(Aurum.subcommandHint(["queue", "--gate", "x"]) == nil, "a command that exists is not questioned")
        #expect(Aurum.subcommandHint(["xyzzy"])?.contains("did you mean") == false, "nothing close: no guess, the list")
    }

    @Test func aMistypedGateIsRefusedNotAnsweredWithNothing() async throws {
        #expect(throws: (any Error).self) { try Aurum.parseAsRoot(["queue", "--gate", "enginering"]) }
        try await withServer { common, t in
            let port = common[1]
            let steward = try String(contentsOfFile: common[3], encoding: .utf8)
            let api = APIClient(baseURL: port, token: steward)
            do {
                _ = try await api.send(.GET, "/v1/change-requests?gate=stewrd")
                Issue.record("a gate the rules do not name was answered")
            } catch {
                #expect("\(error)".contains("422") && "\(error)".contains("did you mean \"steward\""), "\(error)")
            }
            let known = try await api.send(.GET, "/v1/change-requests?gate=steward")
            #expect(known.status == 200)
            _ = t
        }
    }

    @Test func aMistypedAttributeInAnEditIsNamedOnceWithTheClosestOne() async throws {
        try await withServer { common, t in
            let plm = try await t.actor("plm-sync", .source)
            let request = try #require(try await t.store.ingest([SampleRules.item("P-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0].changeRequestID)
            let edit = try await runAurumCapturingAll(["edit", String(request), "--set", "nmae=Bolt"] + common)
            #expect(edit.code == 1 && edit.errors.contains("did you mean \"name\""), "\(edit.errors)")
            #expect(edit.errors.components(separatedBy: "nmae").count - 1 == 1, "said once: \(edit.errors)")
        }
    }

    @Test func anExpiredTokenIsCalledExpiredARevokedOneRevoked() async throws {
        try await withServer { common, t in
            let url = Array(common.prefix(2))
            let late = try await t.actor("late", .steward).token
            _ = try await t.asOwner { owner in
                try await owner.query("UPDATE token SET expires_at = now() - interval '1 minute' WHERE name = 'late'", logger: TestLogger.quiet)
            }
            let expired = try await runAurumCapturingAll(["queue"] + url + ["--token-file", tokenFile(late)])
            #expect(expired.code == 4 && expired.errors.contains("the token expired at 20"), "\(expired.errors)")
            let gone = try await t.actor("gone", .steward).token
            try await Tokens.revoke(name: "gone", actor: "test", client: t.client, logger: TestLogger.quiet)
            let revoked = try await runAurumCapturingAll(["queue"] + url + ["--token-file", tokenFile(gone)])
            #expect(revoked.code == 4 && revoked.errors.contains("the token was revoked at 20"), "\(revoked.errors)")
            let unknown = try await runAurumCapturingAll(["queue"] + url + ["--token-file", tokenFile("not-a-token")])
            #expect(unknown.code == 4 && unknown.errors.contains("the token is unknown"), "\(unknown.errors)")
        }
    }

    @Test func aCSVWithAColumnTwiceIsRefusedNamingIt() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("twice-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "source_key,code,name,code\nP-1,B-1,Bolt,B-2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let ingest = try await runAurumCapturingAll(["ingest", file, "--entity", "item", "--source", "plm", "--url", "http://127.0.0.1:9", "--token-file", tokenFile("x")])
        #expect(ingest.code != 0 && ingest.errors.contains("column \"code\" appears twice (columns 2 and 4); keep one"), "\(ingest.errors)")
        let dedupe = try await runAurumCapturingAll(["dedupe", file, "--entity", "item"])
        #expect(dedupe.code != 0 && dedupe.errors.contains("appears twice"), "\(dedupe.errors)")
    }

    /// A possible duplicate that was a proposal when flagged is named by its record once released,
    /// and the hint's link works.
    @Test func aPossibleDuplicateReleasedSinceIsNamedByItsRecord() async throws {
        try await withServer { common, t in
            let procurement = try await t.actor("purchasing", .source, sources: ["procurement"])
            let portal = try await t.actor("portal-sync", .source, sources: ["portal"])
            let first = try #require(try await t.store.ingest([CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "S-1",
                                                                                     attributes: StewardSessionTests.acme)],
                                                              by: procurement.principal, requestID: "r")[0].changeRequestID)
            let second = try await t.store.ingest([CandidateSubmission(entity: "supplier", source: "portal", sourceKey: "P-1",
                                                                       attributes: StewardSessionTests.acmeTwice)], by: portal.principal, requestID: "r")[0]
            let flagged = try #require(second.changeRequestID)
            #expect(second.match?.band == .review, "\(String(describing: second.match))")
            let approver = try await t.actor("olga", .steward)
            let released = try #require(try await t.store.approve(changeRequest: first, by: approver.principal, comment: nil, revision: nil,
                                                                  requestID: "r").recordID)
            let shown = try await runAurumCapturingAll(["show", String(flagged)] + common)
            #expect(shown.output.contains("record \(released) (released by change request \(first))"), "\(shown.output)")
            #expect(shown.output.contains("aurum link \(flagged) --to \(released)"), "\(shown.output)")
            let linked = try await runAurumCapturingAll(["link", String(flagged), "--to", String(released)] + common)
            #expect(linked.code == 0, "the hint works: \(linked.errors)")
        }
    }

    /// Odoo down: the delivery shows the outbox's attempts and Odoo's error at once, in
    /// `deliveries` and in `status`, not "pending, 0 attempts".
    @Test func aConsumerThatIsDownShowsItsErrorInDeliveriesAndStatus() async throws {
        try await withServer { common, t in
            try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare(t.rules.consumers)
            _ = try await t.release([SampleRules.item("P-1", SampleRules.hexBolt)])
            try OdooCommandTests.useKeyFile()
            let down = ["--odoo-url", "http://127.0.0.1:9", "--odoo-database", "odoo", "--database-url", t.settings.url,
                        "--rules", ProjectPaths.rules, "--migrations", ProjectPaths.migrations]
            _ = try await runAurumCapturingAll(["publish", "--drain"] + down)
            let admin = try await t.actor("root", .admin).token
            let url = Array(common.prefix(2)) + ["--token-file", tokenFile(admin)]
            let deliveries = try await runAurumCapturingAll(["deliveries", "--consumer", "odoo", "--json"] + url)
            let listed = try JSONDecoder().decode([DeliveryView].self, from: Data(deliveries.output.utf8))
            #expect(listed.count == 1 && listed[0].attempts == 1 && listed[0].state == .failed, "\(deliveries.output)")
            #expect(listed[0].lastError?.contains("cannot reach Odoo at http://127.0.0.1:9") == true, "\(String(describing: listed[0].lastError))")
            let status = try await runAurumCapturingAll(["status"] + url)
            #expect(status.output.contains("item: 1 to deliver; odoo failed (next try") && status.output.contains("cannot reach Odoo"), "\(status.output)")
        }
    }

    /// `aurum --help` is a map in groups, and every command a person runs shows examples.
    @Test func theHelpIsGroupedAndEveryCommandHasExamples() {
        let help = Aurum.helpMessage()
        for group in ["STEWARDSHIP", "RECORDS", "PUBLISHING", "RULES AND MATCHING", "ADMINISTRATION"] {
            #expect(help.contains("\(group) SUBCOMMANDS:"), "\(group) in \(help)")
        }
        func leaves(_ command: any ParsableCommand.Type, _ path: [String]) -> [(String, any ParsableCommand.Type)] {
            let name = command.configuration.commandName ?? command._commandName
            let subcommands = command.configuration.subcommands
            return subcommands.isEmpty ? [((path + [name]).joined(separator: " "), command)] : subcommands.flatMap { leaves($0, path + [name]) }
        }
        let all = leaves(Aurum.self, [])
        #expect(all.count > 40)
        let without = all.filter { !$0.1.configuration.discussion.contains("Examples:") }.map(\.0)
        #expect(without.isEmpty, "commands without examples: \(without)")
    }

    /// A token never goes on the command line, where `ps` shows it: --token is refused saying so;
    /// --token-file, AURUM_TOKEN_FILE or AURUM_TOKEN carry it.
    @Test func aTokenIsNeverTakenFromTheCommandLine() async throws {
        do {
            _ = try Aurum.parseAsRoot(["queue", "--token", "aurum_secret"])
            Issue.record("--token was accepted")
        } catch {
            #expect(Aurum.exitCode(for: error) == .validationFailure)
            #expect(Aurum.fullMessage(for: error).contains("--token would show the token to anyone who runs ps"), "\(Aurum.fullMessage(for: error))")
        }
        #expect(!Aurum.helpMessage(for: Queue.self).contains("--token <"), "not offered in the help")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-token-\(UUID().uuidString)").path
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        do {
            _ = try await runAurumCapturingAll(["queue", "--token-file", empty, "--url", "http://127.0.0.1:9"])
            Issue.record("an empty token file was taken")
        } catch {
            #expect(Aurum.exitCode(for: error) == .validationFailure && "\(error)".contains("is empty; it should hold the token"), "\(error)")
        }
    }
}

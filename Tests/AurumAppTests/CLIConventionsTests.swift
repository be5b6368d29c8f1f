import ArgumentParser
@testable import AurumApp
import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Hummingbird
import Testing

/// What a steward meets at the command line: failures said in words with the documented exit
/// code, a file's problem said once, and a summary that names each row's change request.
@Suite struct CLIConventionsTests {
    @Test func nothingListeningIsSaidInWordsWithExitCode69() async throws {
        // Port 1 (tcpmux): nothing listens there, and only root could make something.
        let port = 1
        let run = try await runAurumCapturingAll(["queue", "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile("t")])
        #expect(run.code == 69)
        #expect(run.errors.contains("nothing listens on 127.0.0.1:\(port) — is `aurum serve` running?"), "\(run.errors)")
        #expect(!run.errors.contains("errno"), "no library text: \(run.errors)")
    }

    @Test func aServerThatIsNotAurumIsNamedAsSuch() async throws {
        let router = Router()
        router.get("**") { _, _ in Response(status: .notFound, body: .init(byteBuffer: .init(string: "<h1>Not Found</h1>"))) }
        try await LiveServer.with(router) { port in
            let run = try await runAurumCapturingAll(["show", "1", "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile("t")])
            #expect(run.code == 69)
            #expect(run.errors.contains("does not look like an Aurum server"), "\(run.errors)")
        }
    }

    @Test(arguments: [["show", "1", "--url", "127.0.0.1:8080"], ["show", "--", "-1"], ["record", "itme", "1"], ["block", "supplier", "0", "--reason", "x"],
                      ["ingest", "f.csv", "--entity", "itme", "--source", "plm"], ["ingest", "f.csv", "--entity", "item", "--source", "plmm"],
                      ["ingest", "f.csv", "--entity", "warehouse", "--source", "plm"]])
    func usageMistakesAreCaughtBeforeAnythingIsSent(_ arguments: [String]) async throws {
        do {
            var command = try Aurum.parseAsRoot(arguments + ["--token-file", tokenFile("t")])
            if var command = command as? any AsyncParsableCommand { try await command.run() } else { try command.run() }
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect(Aurum.exitCode(for: error) == .validationFailure, "\(arguments): \(error)")
        }
    }

    @Test func aBusyPortIsSaidBeforeAnyDatabaseIsMade() async throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("busy-\(UUID().uuidString)").path
        try await LiveServer.with(Router()) { port in
            let run = try await runAurumCapturingAll(["serve", "--port", String(port), "--data-dir", dataDir])
            #expect(run.code == 69)
            #expect(run.errors.contains("127.0.0.1:\(port) is in use by another process"), "\(run.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: dataDir), "no cluster was made")
    }

    @Test func theExitCodeFollowsTheRefusal() {
        #expect(ExitStatus.of(httpStatus: 404) == ExitCode(3))
        #expect(ExitStatus.of(httpStatus: 403) == ExitCode(4) && ExitStatus.of(httpStatus: 401) == ExitCode(4))
        #expect(ExitStatus.of(httpStatus: 409) == ExitCode(5))
        #expect(ExitStatus.of(httpStatus: 422) == ExitCode(1) && ExitStatus.of(httpStatus: 400) == ExitCode(1))
        #expect(ExitStatus.of(httpStatus: 503) == ExitCode(69))
    }

    @Test func anUnknownColumnIsSaidOnceAndNothingIsSent() async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let plm = try await t.actor("plm-sync", .source).token
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("columns-\(UUID().uuidString).csv").path
                let rows = (1...7).map { "PLM-\($0),B-\($0),Bolt \($0),Units,red" }
                try (["source_key,code,name,uom,colour"] + rows).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
                let run = try await runAurumCapturingAll(["ingest", file, "--entity", "item", "--source", "plm",
                                                          "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(plm)])
                #expect(run.code == 1)
                #expect(run.errors.components(separatedBy: "colour").count == 2, "said once: \(run.errors)")
                #expect(run.errors.contains("column colour is not an attribute of item") && run.errors.contains("nothing was sent"), "\(run.errors)")
                #expect(try await t.store.changeRequests(status: nil, entities: t.allEntities, limit: 10).isEmpty)
            }
        }
    }

    @Test func aRefusalOfEveryRowFromTheServerIsSaidOnceForTheFile() async throws {
        // The server's rules know no column the client's do: the refusal comes from the server.
        var rules = try SampleRules.oneSteward()
        rules.entities["item"]!.attributes.removeAll { $0.name == "weight" }
        try await TestStore.with(rules: rules) { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let plm = try await t.actor("plm-sync", .source).token
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("weight-\(UUID().uuidString).csv").path
                let rows = (1...7).map { "PLM-\($0),B-\($0),Bolt \($0),Units,0.5" }
                try (["source_key,code,name,uom,weight"] + rows).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
                let run = try await runAurumCapturingAll(["ingest", file, "--entity", "item", "--source", "plm", "--batch", "3",
                                                          "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(plm)])
                #expect(run.code == 1)
                #expect(run.errors.components(separatedBy: "unknown attribute \"weight\"").count == 2, "said once: \(run.errors)")
                #expect(run.output.hasPrefix("\(file): 7 rows — 0 proposed, 0 unchanged, 0 rejected, 7 refused"), "\(run.output)")
                #expect(!run.output.contains("line 2"), "no line per row: \(run.output)")
            }
        }
    }

    @Test func theSummaryNamesChangeRequestsWarningsAndWhatWasReleasedAtOnce() async throws {
        try await TestStore.with(rules: try SampleRules.shipped()) { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let plm = try await t.actor("plm-sync", .source).token
                let url = "http://127.0.0.1:\(port)"
                let source = try await t.actor("plm-first", .source)
                let engineer = try await t.actor("erin", .steward, groups: ["engineering"])
                let buyer = try await t.actor("paul", .steward, groups: ["procurement"])
                let first = try await t.store.ingest([SampleRules.item("PLM-1", ["code": "B-1", "name": "Hex bolt M8x40", "uom": "Units", "weight": "0.02"])],
                                                     by: source.principal, requestID: "r")[0]
                let created = try #require(first.changeRequestID)
                for steward in [engineer, buyer] {
                    _ = try await t.store.approve(changeRequest: created, by: steward.principal, comment: nil, revision: nil, requestID: "r")
                }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID().uuidString).csv").path
                try """
                    source_key,code,name,uom,weight,description
                    PLM-1,B-1,Hex bolt M8x40,Units,0.02,Hex head bolt DIN 933
                    PLM-2,B-2,Washer M8,,,
                    PLM-3,b 3,Nut,Units,,
                    """.write(toFile: file, atomically: true, encoding: .utf8)
                let run = try await runAurumCapturingAll(["ingest", file, "--entity", "item", "--source", "plm", "--url", url, "--token-file", tokenFile(plm)])
                #expect(run.code == 1)
                let lines = run.output.split(separator: "\n").map(String.init)
                #expect(lines.first == "\(file): 3 rows — 1 proposed, 1 released at once, 0 unchanged, 1 rejected, 1 row with warnings", "\(run.output)")
                #expect(lines.contains { $0.hasPrefix("  line 2 (PLM-1) released: change request") && $0.contains("by gate trusted_description, record") }, "\(run.output)")
                #expect(lines.contains { $0.hasPrefix("  line 3 (PLM-2) proposed: change request") && $0.contains("warning uom [recommended]") }, "\(run.output)")
                #expect(lines.contains { $0.hasPrefix("  line 4 (PLM-3) rejected: code [pattern]") }, "\(run.output)")
                let quiet = try await runAurumCapturingAll(["ingest", file, "--entity", "item", "--source", "plm", "--url", url, "--token-file", tokenFile(plm), "--quiet"])
                #expect(quiet.output.split(separator: "\n").count == 1, "\(quiet.output)")
            }
        }
    }

    @Test func blockAndEditPrintTheChangeRequestIdAsJSON() async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let alice = try await t.actor("alice", .steward).token
                let item = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
                let run = try await runAurumCapturingAll(["block", "item", String(item), "--reason", "recalled", "--json",
                                                          "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(alice)])
                #expect(run.code == 0, "\(run.errors)")
                let answer = try JSONDecoder().decode([String: JSONValue].self, from: Data(run.output.utf8))
                let id = try #require(answer["change_request_id"]?.integerValue)
                #expect(try await t.store.changeRequest(id: id)?.kind == .block)
                let again = try await runAurumCapturingAll(["block", "item", String(item), "--reason", "recalled",
                                                            "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(alice)])
                #expect(again.code == 5 && again.errors.contains("has open change request \(id) changing its state"), "\(again.errors)")

                let plm = try await t.actor("plm-sync", .source)
                let open = try #require(try await t.store.ingest([SampleRules.item("PLM-2", ["code": "B-2", "name": "Washer M8"])], by: plm.principal,
                                                                 requestID: "r")[0].changeRequestID)
                let edited = try await runAurumCapturingAll(["edit", String(open), "--set", "weight=0.5", "--json",
                                                             "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(alice)])
                #expect(edited.code == 0, "\(edited.errors)")
                let edit = try JSONDecoder().decode([String: JSONValue].self, from: Data(edited.output.utf8))
                #expect(edit["change_request_id"]?.integerValue == open && edit["change_request"]?.objectValue?["revision"] == 2)
            }
        }
    }
}

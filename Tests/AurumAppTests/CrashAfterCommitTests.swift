@testable import AurumApp
import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

/// A server killed (SIGKILL) after a candidate's transaction committed and before it answered:
/// the client saw no answer and sends the request again, with its Idempotency-Key, to a server
/// started in its place. One candidate, one change request, and the answer the first would have given.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the other tests of processes"))
struct CrashAfterCommitTests {
    @Test func aRetryAfterTheServerDiedBetweenCommitAndAnswerStoresOneCandidate() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-crash-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try TwoServersTests.freePort()
            let environment = ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": t.settings.url, "AURUM_RULES": ProjectPaths.rules, "AURUM_LOG_LEVEL": "error"]
            let candidate: JSONValue = ["entity": "item", "source": "plm", "source_key": "CRASH-1",
                                        "attributes": ["code": "C-1", "name": "Crash bolt", "uom": "Units"]]
            let api = APIClient(baseURL: "http://127.0.0.1:\(port)", token: plm.token)
            let body = JSONOutput.data(candidate)

            let doomed = try WorkerProcess("serve, killed after commit", ["serve", "--port", "\(port)"],
                                           environment: environment.merging(["AURUM_FAULT_KILL_AFTER_COMMIT": "1"]) { _, new in new },
                                           log: directory + "/doomed.log")
            try await TwoServersTests.ready(port, doomed)
            await #expect(throws: APIError.self, "the server dies before it answers") {
                _ = try await api.send(.POST, "/v1/candidates", body: body, idempotencyKey: "crash-1")
            }
            #expect(await doomed.reaped(within: .seconds(10)), "the server killed itself")
            #expect(try await Self.count(t, "candidate") == 1, "the work had committed")

            let replacement = try WorkerProcess("serve", ["serve", "--port", "\(port)"], environment: environment, log: directory + "/serve.log")
            do { try await TwoServersTests.ready(port, replacement) } catch { await replacement.stop(); throw error }
            let retried = try await api.send(.POST, "/v1/candidates", body: body, idempotencyKey: "crash-1")
            #expect(retried.status == 200 && retried.replayed, "the answer kept with the work")
            let answer = try retried.decode(IngestResult.self)
            #expect(answer.status == .proposed && answer.changeRequestID != nil)
            let (candidates, requests) = (try await Self.count(t, "candidate"), try await Self.count(t, "change_request"))
            #expect(candidates == 1 && requests == 1)
            #expect(await replacement.stop())
        }
    }

    /// `aurum ingest` of a file whose server dies after storing its second batch, before
    /// answering it: the command says what was answered and that running it again is safe; run
    /// again against a server started in its place, it stores the rest and nothing twice.
    @Test func anIngestCutOffByACrashSaysWhatWasStoredAndRunsAgainSafely() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-cut-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = directory + "/items.csv"
            try (["source_key,code,name,uom"] + (1...6).map { "CUT-\($0),C-\($0),Cut bolt \($0),Units" }).joined(separator: "\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
            let port = try TwoServersTests.freePort()
            let environment = ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": t.settings.url, "AURUM_RULES": ProjectPaths.rules, "AURUM_LOG_LEVEL": "error"]
            let ingest = ["ingest", file, "--entity", "item", "--source", "plm", "--batch", "2", "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(plm.token)]

            let doomed = try WorkerProcess("serve, killed after the second commit", ["serve", "--port", "\(port)"],
                                           environment: environment.merging(["AURUM_FAULT_KILL_AFTER_COMMIT": "2"]) { _, new in new },
                                           log: directory + "/doomed.log")
            try await TwoServersTests.ready(port, doomed)
            let cut = try await runAurumCapturingAll(ingest)
            #expect(cut.code != 0)
            #expect(cut.errors.contains("note: 2 rows of \(file) (1 batch) were answered and stored before this; the batch from line 4 may or may not "
                                        + "have been stored. Running the same command again is safe"), "\(cut.errors)")
            #expect(await doomed.reaped(within: .seconds(10)))
            #expect(try await Self.count(t, "candidate") == 4, "the second batch had committed")

            let replacement = try WorkerProcess("serve", ["serve", "--port", "\(port)"], environment: environment, log: directory + "/serve.log")
            do { try await TwoServersTests.ready(port, replacement) } catch { await replacement.stop(); throw error }
            let again = try await runAurumCapturingAll(ingest)
            #expect(again.code == 0, "\(again.errors)")
            #expect(again.errors.contains("4 rows had been sent and stored by an earlier run"), "\(again.errors)")
            let (candidates, requests) = (try await Self.count(t, "candidate"), try await Self.count(t, "change_request"))
            #expect(candidates == 6 && requests == 6, "each row once")
            #expect(await replacement.stop())
        }
    }

    static func count(_ t: TestStore, _ table: String) async throws -> Int {
        try await t.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestLogger.quiet).decode(Int.self).rows()[0]
    }
}

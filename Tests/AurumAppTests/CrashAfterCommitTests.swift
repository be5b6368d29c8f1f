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
            try await TwoServersTests.ready(port)
            await #expect(throws: APIError.self, "the server dies before it answers") {
                _ = try await api.send(.POST, "/v1/candidates", body: body, idempotencyKey: "crash-1")
            }
            #expect(await doomed.reaped(within: .seconds(10)), "the server killed itself")
            #expect(try await Self.count(t, "candidate") == 1, "the work had committed")

            let replacement = try WorkerProcess("serve", ["serve", "--port", "\(port)"], environment: environment, log: directory + "/serve.log")
            do { try await TwoServersTests.ready(port) } catch { await replacement.stop(); throw error }
            let retried = try await api.send(.POST, "/v1/candidates", body: body, idempotencyKey: "crash-1")
            #expect(retried.status == 200 && retried.replayed, "the answer kept with the work")
            let answer = try retried.decode(IngestResult.self)
            #expect(answer.status == .proposed && answer.changeRequestID != nil)
            let (candidates, requests) = (try await Self.count(t, "candidate"), try await Self.count(t, "change_request"))
            #expect(candidates == 1 && requests == 1)
            #expect(await replacement.stop())
        }
    }

    static func count(_ t: TestStore, _ table: String) async throws -> Int {
        try await t.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestLogger.quiet).decode(Int.self).rows()[0]
    }
}

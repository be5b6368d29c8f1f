@testable import AurumApp
import AurumCore
import AurumTestSupport
import Foundation
import Testing

/// SIGTERM: readiness answers 503 at once, the request in flight is answered, and the server
/// exits 0.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the other tests of processes"))
struct ShutdownTests {
    @Test func sigtermFlipsReadinessFirstFinishesWhatIsInFlightAndExitsZero() async throws {
        try await TestStore.with { t in
            let consumer = try await t.actor("erp", .consumer)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-stop-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try TwoServersTests.freePort()
            let server = try WorkerProcess("serve", ["serve", "--port", "\(port)"],
                                           environment: ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": t.settings.url,
                                                         "AURUM_RULES": ProjectPaths.rules, "AURUM_LOG_LEVEL": "info", "AURUM_SHUTDOWN_GRACE": "2s"],
                                           log: directory + "/serve.log")
            do { try await TwoServersTests.ready(port, server) } catch { await server.stop(); throw error }
            // A request in flight: a long poll of the change feed, answered when its wait ends.
            let api = APIClient(baseURL: "http://127.0.0.1:\(port)", token: consumer.token)
            let inFlight = Task { try await api.send(.GET, "/v1/changes?after=0&wait=4") }
            try await Task.sleep(for: .milliseconds(300))
            let signalled = ContinuousClock.now
            kill(server.pid, SIGTERM)
            var flipped: Duration?
            for _ in 0..<40 {
                if let answer = try? await RawHTTP.exchange(port: port, Array("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
                   answer.status == 503 {
                    flipped = ContinuousClock.now - signalled
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(flipped.map { $0 < .seconds(1) } == true, "readiness answered 503 within a second of SIGTERM: \(String(describing: flipped))")
            let answered = try await inFlight.value
            #expect(answered.status == 200, "the request in flight was answered")
            #expect(await server.reaped(within: .seconds(20)), "the server ended")
            #expect(server.exitCode == 0, "exit 0: \((try? String(contentsOfFile: directory + "/serve.log", encoding: .utf8))?.suffix(2000) ?? "")")
            let log = (try? String(contentsOfFile: directory + "/serve.log", encoding: .utf8)) ?? ""
            #expect(log.contains("readiness answers 503"), "\(log.suffix(1500))")
        }
    }
}

@testable import AurumApp
import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import Testing

/// A server logging everything it can (trace) through a supplier's life with bank details (a
/// wrong IBAN rejected, a right one approved by finance, read back): the log holds neither.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the other tests of processes"))
struct SensitiveLogsTests {
    @Test func theServersLogNeverHoldsBankDetails() async throws {
        try await TestStore.with(rules: try SampleRules.shipped()) { t in
            let source = try await t.actor("purchasing", .source, sources: ["procurement"])
            let stewards = (try await t.actor("fiona", .steward, groups: ["finance"]), try await t.actor("frank", .steward, groups: ["finance"]))
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-logs-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try TwoServersTests.freePort()
            let server = try WorkerProcess("serve at trace", ["serve", "--port", "\(port)"],
                                           environment: ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": t.settings.url,
                                                         "AURUM_RULES": ProjectPaths.rules, "AURUM_LOG_LEVEL": "trace"],
                                           log: directory + "/serve.log")
            do {
                try await TwoServersTests.ready(port, server)
                let url = "http://127.0.0.1:\(port)"
                let (good, wrong) = ("DE89370400440532013000", "DE89370400440532013999")
                func supplier(_ key: String, _ iban: String) -> JSONValue {
                    ["entity": "supplier", "source": "procurement", "source_key": .string(key),
                     "attributes": ["name": .string("Supplier \(key)"), "country": "DE", "bank_account": .string(iban), "bank_bic": "COBADEFFXXX"]]
                }
                let api = APIClient(baseURL: url, token: source.token)
                let rejected = try await api.send(.POST, "/v1/candidates", json: supplier("L-1", wrong)).decode(IngestResult.self)
                #expect(rejected.status == .rejected)
                let proposed = try await api.send(.POST, "/v1/candidates", json: supplier("L-2", good)).decode(IngestResult.self)
                let request = try #require(proposed.changeRequestID)
                // The finance gate: two of finance (who are stewards, so the steward gate is met too).
                for steward in [stewards.0, stewards.1] {
                    let reply = try await APIClient(baseURL: url, token: steward.token).send(.POST, "/v1/change-requests/\(request)/approve",
                                                                                          json: [String: JSONValue]())
                    #expect(reply.status == 200)
                }
                let shown = try await runAurumCapturingAll(["show", String(request), "--url", url, "--token-file", tokenFile(stewards.0.token)])
                #expect(shown.output.contains(good), "finance reads it in clear: \(shown.output)")
                #expect(await server.stop())
                let log = try String(contentsOfFile: directory + "/serve.log", encoding: .utf8)
                #expect(log.count > 1000, "the server logged at trace")
                for secret in [good, wrong, "COBADEFFXXX", "370400440532013"] {
                    #expect(!log.contains(secret), "the log holds \(secret)")
                }
            } catch {
                await server.stop()
                throw error
            }
        }
    }
}

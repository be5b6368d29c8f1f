@testable import AurumApp
import AsyncHTTPClient
import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// PostgreSQL stopped at once under a running `aurum serve` (a cluster of the test's own): every
/// call is answered within seconds, 503 with Retry-After (the token look-up included), `/readyz`
/// says 503 at once and 200 soon after PostgreSQL is back, the pool recovers without a restart,
/// and every candidate the server acknowledged is there afterwards.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the fault schedule"))
struct DatabaseFaultTests {
    /// Where a server listens, and the token it is called with.
    struct Endpoint: Sendable {
        var port: Int
        var token: String
    }

    /// The status and Retry-After of one call, when it was answered within `limit`; (0, nil) when
    /// it failed below HTTP.
    static func call(_ endpoint: Endpoint, _ method: HTTPMethod, _ path: String, json: JSONValue? = nil,
                     within limit: Duration = .seconds(8)) async -> (Int, String?)? {
        await answer(within: limit) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(endpoint.port)\(path)")
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(endpoint.token)")
            if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: (try? JSONEncoder().encode(json)) ?? Data()))
            }
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(60)) else { return (0, nil) }
            _ = try? await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), response.headers.first(name: "Retry-After"))
        }
    }

    static func candidate(_ n: Int) -> JSONValue {
        ["entity": "item", "source": "plm", "source_key": .string("DB-\(n)"),
         "attributes": ["code": .string("D-\(n)"), "name": .string("Fault item \(n)"), "uom": "Units"]]
    }

    @Test func aStoppedDatabaseIsA503WithinSecondsAndThePoolRecovers() async throws {
        try await withOwnCluster("dbfault") { cluster, settings, directory in
            try await settings.withClient(logger: TestLogger.quiet) { client in
                let t = TestStore(client: client, settings: settings, rules: try SampleRules.shipped())
                let plm = try await t.actor("plm-sync", .source)
                let port = try TwoServersTests.freePort()
                let serve = try WorkerProcess("serve", ["serve", "--port", "\(port)"],
                                              environment: ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": settings.url, "AURUM_RULES": ProjectPaths.rules, "AURUM_LOG_LEVEL": "error"],
                                              log: directory + "/serve.log")
                try await TwoServersTests.ready(port, serve)
                let api = Endpoint(port: port, token: plm.token)
                var acknowledged = [Int]()
                for n in 1...3 where await Self.call(api, .POST, "/v1/candidates", json: Self.candidate(n))?.0 == 200 { acknowledged.append(n) }
                #expect(acknowledged.count == 3)

                try await offThePool { try cluster.stopImmediately() }
                for n in 4...9 {
                    guard let answer = await Self.call(api, .POST, "/v1/candidates", json: Self.candidate(n)) else {
                        Issue.record("candidate \(n): no answer within 8 s while the database is away")
                        continue
                    }
                    #expect(answer.0 == 503 && answer.1 != nil, "candidate \(n) while the database is away: \(answer)")
                    if answer.0 == 200 { acknowledged.append(n) }
                }
                let readyWhileAway = await Self.call(api, .GET, "/readyz", within: .seconds(4))
                #expect(readyWhileAway?.0 == 503, "readyz while away: \(String(describing: readyWhileAway))")
                let unknownToken = await Self.call(Endpoint(port: port, token: "not-a-token"), .GET, "/v1/change-requests")
                #expect(unknownToken?.0 == 503, "a token the server cannot look up is a 503, not a 401 or a hang: \(String(describing: unknownToken))")
                // The CLI says so with its "unavailable" exit code.
                let queue = try await runAurumCapturingAll(["queue", "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(plm.token)])
                #expect(queue.code == ExitStatus.unreachable.rawValue, "\(queue)")

                try await offThePool { try cluster.startAgain() }
                var readyAgain = false
                for _ in 0..<100 where !readyAgain {
                    readyAgain = await Self.call(api, .GET, "/readyz", within: .seconds(2))?.0 == 200
                    if !readyAgain { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(readyAgain, "readyz is 200 again within 10 s of the database's return")
                let after = await Self.call(api, .POST, "/v1/candidates", json: Self.candidate(10))
                #expect(after?.0 == 200, "the pool recovered without a restart: \(String(describing: after))")
                if after?.0 == 200 { acknowledged.append(10) }
                let stored = try await t.client.query("SELECT source_key FROM candidate ORDER BY id", logger: TestLogger.quiet).decode(String.self).rows()
                #expect(Set(acknowledged.map { "DB-\($0)" }).isSubset(of: Set(stored)), "every acknowledged candidate is stored: \(acknowledged) in \(stored)")
                #expect(await serve.stop(), "the server exits on SIGTERM")
            }
        }
    }
}

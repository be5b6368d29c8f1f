@testable import AurumApp
import AurumCore
import AurumPublish
import AurumStore
import AurumTestSupport
import Foundation
import NIOPosix
import OdooDouble
import Testing

/// Two `aurum serve` processes over one database, configured differently, as an operator adds an
/// API node: one has Odoo's settings, the other has none. Candidates ingested and approved
/// through both: every release reaches Odoo once, and the node without Odoo disables nothing.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the other tests of processes"))
struct TwoServersTests {
    /// A port nothing listens on now.
    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        return channel.localAddress?.port ?? 0
    }

    /// Waits until the server on `port` answers /readyz: at most a minute, and not at all once
    /// `process` (the server) has exited (each look may itself wait seconds for a connection).
    static func ready(_ port: Int, _ process: WorkerProcess? = nil) async throws {
        let api = APIClient(baseURL: "http://127.0.0.1:\(port)", token: "none")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let reply = try? await api.send(.GET, "/readyz"), reply.status == 200 { return }
            if let process, process.reap() {
                throw WorkerProcess.SpawnError(message: "\(process.name) exited (code \(process.exitCode.map(String.init) ?? "by a signal")) before it answered on port \(port)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw WorkerProcess.SpawnError(message: "nothing answers on port \(port) after a minute")
    }

    @Test func aServerWithoutOdooBesideOneWithItLosesNoRelease() async throws {
        try await TestStore.with { t in
            let odoo = OdooDoubleServer(.init(version: .v18, database: "two", apiKey: "two-key"))
            try await LiveServer.with(odoo.router()) { odooPort in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-two-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let (withOdoo, without) = (try Self.freePort(), try Self.freePort())
                let common = ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": t.settings.url, "AURUM_RULES": ProjectPaths.rules, "AURUM_LOG_LEVEL": "error"]
                let odooEnvironment = ["ODOO_URL": "http://127.0.0.1:\(odooPort)", "ODOO_DATABASE": "two", "ODOO_API_KEY": "two-key"]
                let first = try WorkerProcess("serve with Odoo", ["serve", "--port", "\(withOdoo)"], environment: common.merging(odooEnvironment) { a, _ in a },
                                              log: directory + "/with.log")
                try await Self.ready(withOdoo, first)
                // The second starts after the first, as a node added later: before, it disabled Odoo for everyone.
                let second = try WorkerProcess("serve without Odoo", ["serve", "--port", "\(without)"],
                                               environment: common.merging(["ODOO_URL": ""]) { _, new in new }, log: directory + "/without.log")
                do {
                    try await Self.ready(without, second)
                    try await Self.exercise(t, odoo: odoo, ports: [withOdoo, without])
                } catch {
                    await first.stop()
                    await second.stop()
                    throw error
                }
                #expect(await first.stop(), "the server with Odoo exits on SIGTERM")
                #expect(await second.stop(), "the server without Odoo exits on SIGTERM")
            }
        }
    }

    /// Ten items ingested and approved through both servers, then Odoo and the outbox checked.
    static func exercise(_ t: TestStore, odoo: OdooDoubleServer, ports: [Int]) async throws {

                let plm = try await t.actor("plm-sync", .source)
                let (engineer, buyer) = (try await t.actor("erin", .steward, groups: ["engineering"]), try await t.actor("paul", .steward, groups: ["procurement"]))
                for n in 1...10 {
                    let through = APIClient(baseURL: "http://127.0.0.1:\(ports[n % 2])", token: plm.token)
                    let candidate: JSONValue = ["entity": "item", "source": "plm", "source_key": .string("TWO-\(n)"),
                                                "attributes": ["code": .string("T-\(n)"), "name": .string("Two servers item \(n)"), "uom": "Units"]]
                    let answer = try await through.send(.POST, "/v1/candidates", json: candidate).decode(IngestResult.self)
                    let id = try #require(answer.changeRequestID)
                    // The shipped gates: engineering, then procurement; each through the other server.
                    for (steward, port) in [(engineer, ports[(n + 1) % 2]), (buyer, ports[n % 2])] {
                        let reply = try await APIClient(baseURL: "http://127.0.0.1:\(port)", token: steward.token)
                            .send(.POST, "/v1/change-requests/\(id)/approve", json: [String: JSONValue]())
                        #expect(reply.status == 200, "approve \(id) through \(port): \(reply.status)")
                    }
                }
                let deadline = ContinuousClock.now + .seconds(60)
                var products = [[String: OdooValue]]()
                while ContinuousClock.now < deadline {
                    products = odoo.database.records("product.template").filter { ($0["default_code"]?.string ?? "").hasPrefix("T-") }
                    if products.count >= 10 { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(products.count == 10 && Set(products.compactMap { $0["default_code"]?.string }).count == 10,
                        "every release in Odoo once: \(products.compactMap { $0["default_code"]?.string }.sorted())")
                let consumers = try await t.store.consumers()
                #expect(consumers.first { $0.name == "odoo" }?.enabled == true, "the server without Odoo disabled nothing")
                let states = try await t.client.query("SELECT state, count(*)::int8 FROM delivery WHERE consumer = 'odoo' GROUP BY state",
                                                      logger: TestLogger.quiet)
                var byState = [String: Int64]()
                for try await (state, count) in states.decode((String, Int64).self) { byState[state] = count }
                #expect(byState == ["delivered": 10], "\(byState)")
    }

    @Test func aServerKilledWhileServingIsReplacedOnItsPortAtOnce() async throws {
        try await TestStore.with { t in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-restart-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try Self.freePort()
            let environment = ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": t.settings.url, "AURUM_RULES": ProjectPaths.rules, "AURUM_LOG_LEVEL": "error"]
            let first = try WorkerProcess("serve", ["serve", "--port", "\(port)"], environment: environment, log: directory + "/first.log")
            try await Self.ready(port, first)
            // Connections the server accepted and the kill leaves behind hold the port in TIME_WAIT.
            let steward = try await t.actor("alice", .steward)
            for _ in 0..<5 { _ = try await APIClient(baseURL: "http://127.0.0.1:\(port)", token: steward.token).send(.GET, "/v1/status") }
            #expect(await first.crash(), "the killed server is gone")
            let second = try WorkerProcess("serve", ["serve", "--port", "\(port)"], environment: environment, log: directory + "/second.log")
            do {
                try await Self.ready(port, second)
            } catch {
                await second.stop()
                let log = (try? String(contentsOfFile: directory + "/second.log", encoding: .utf8)) ?? ""
                Issue.record("the second server did not start on the port: \(log.suffix(500))")
                return
            }
            #expect(await second.stop(), "the second server exits on SIGTERM")
        }
    }
}

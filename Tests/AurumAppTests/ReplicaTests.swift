@testable import AurumApp
import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import OdooDouble
import Testing

/// Two `aurum serve` processes over one primary, one of them reading from a real streaming
/// replica of it (`pg_basebackup -R` on 127.0.0.1). Candidates ingested and approved through
/// both reach Odoo once each; a change-feed reader that moves between the server on the replica
/// and the one on the primary sees every version once and in order, also while the replica is
/// held behind (its replay paused) and after it catches up.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the other tests of processes"))
struct ReplicaTests {
    @Test func twoServersAndAReplicaDeliverOnceAndTheFeedNeverGoesBackOrSkips() async throws {
        try await withOwnCluster("replica") { primary, settings, directory in
            let replicaCluster = EmbeddedPostgres(dataDirectory: directory + "/replica", authentication: .trust)
            let replicaServer = try await offThePool { try replicaCluster.startReplica(of: primary, logger: TestLogger.quiet) }
            defer { replicaCluster.stop(logger: TestLogger.quiet) }
            let replica = replicaServer.with(database: EmbeddedPostgres.database)
            let odoo = OdooDoubleServer(.init(version: .v18, database: "replica", apiKey: "replica-key"))
            try await LiveServer.with(odoo.router()) { odooPort in
                let tokens = try await settings.withClient(logger: TestLogger.quiet) { client in
                    (plm: try await Tokens.create(name: "plm-sync", role: .source, entities: [], sources: ["plm"], actor: "test", client: client, logger: TestLogger.quiet),
                     erin: try await Tokens.create(name: "erin", role: .steward, entities: [], groups: ["engineering"], actor: "test", client: client,
                                                   logger: TestLogger.quiet),
                     paul: try await Tokens.create(name: "paul", role: .steward, entities: [], groups: ["procurement"], actor: "test", client: client,
                                                   logger: TestLogger.quiet),
                     reader: try await Tokens.create(name: "feed-reader", role: .consumer, entities: ["item"], actor: "test", client: client,
                                                     logger: TestLogger.quiet))
                }
                let ports = (onReplica: try TwoServersTests.freePort(), onPrimary: try TwoServersTests.freePort())
                let common = ["AURUM_AUDIT_KEY": WorkerProcess.auditKey, "DATABASE_URL": settings.url, "AURUM_RULES": ProjectPaths.rules,
                              "AURUM_LOG_LEVEL": "error", "AURUM_DB_POOL_SIZE": "6",
                              "ODOO_URL": "http://127.0.0.1:\(odooPort)", "ODOO_DATABASE": "replica", "ODOO_API_KEY": "replica-key"]
                let reading = try WorkerProcess("serve on the replica", ["serve", "--port", "\(ports.onReplica)"],
                                                environment: common.merging(["DATABASE_READ_URL": replica.url]) { _, new in new },
                                                log: directory + "/replica-server.log")
                let writing = try WorkerProcess("serve on the primary", ["serve", "--port", "\(ports.onPrimary)"], environment: common,
                                                log: directory + "/primary-server.log")
                do {
                    // Started together, as a deployment of several replicas starts them.
                    try await TwoServersTests.ready(ports.onReplica, reading)
                    try await TwoServersTests.ready(ports.onPrimary, writing)
                    var feed = FeedReader(token: tokens.reader, ports: [ports.onReplica, ports.onPrimary])
                    // Ten items through both servers, then the feed read across both.
                    try await Self.release(1...10, tokens: tokens, ports: [ports.onReplica, ports.onPrimary])
                    try await feed.read(until: 10)
                    // The replica held behind: its replay paused, ten more released on the primary.
                    try await replicaServer.withClient(logger: TestLogger.quiet) { client in
                        try await client.query("SELECT pg_wal_replay_pause()", logger: TestLogger.quiet)
                    }
                    try await Self.release(11...20, tokens: tokens, ports: [ports.onPrimary])
                    let behind = try await feed.page(from: ports.onReplica, wait: 1)
                    #expect(behind.items.isEmpty, "the replica has none of them yet, and shows nothing older either")
                    try await feed.read(until: 15, onlyFrom: ports.onPrimary)
                    let ahead = try await feed.page(from: ports.onReplica, wait: 0)
                    #expect(ahead.items.isEmpty && ahead.next == feed.cursor, "a cursor ahead of the replica gets an empty page, not older versions")
                    try await replicaServer.withClient(logger: TestLogger.quiet) { client in
                        try await client.query("SELECT pg_wal_replay_resume()", logger: TestLogger.quiet)
                    }
                    try await feed.read(until: 20)
                    #expect(feed.positions == Array(1...Int64(feed.positions.count)), "every position once, in order: \(feed.positions)")
                    #expect(Set(feed.versions).count == feed.versions.count && feed.versions.count == 20, "\(feed.versions.count) versions")
                    #expect(feed.servedBy.count == 2, "both servers answered the reader: \(feed.servedBy)")

                    // Every release reached Odoo once, whichever server's worker delivered it.
                    let deadline = ContinuousClock.now + .seconds(60)
                    var byState = [String: Int64]()
                    while ContinuousClock.now < deadline {
                        byState = try await settings.withClient(logger: TestLogger.quiet) { client in
                            var counts = [String: Int64]()
                            let rows = try await client.query("SELECT state, count(*)::int8 FROM delivery WHERE consumer = 'odoo' GROUP BY state",
                                                              logger: TestLogger.quiet)
                            for try await (state, count) in rows.decode((String, Int64).self) { counts[state] = count }
                            return counts
                        }
                        if byState == ["delivered": 20] { break }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(byState == ["delivered": 20], "\(byState)")
                    let products = odoo.database.records("product.template").filter { ($0["default_code"]?.string ?? "").hasPrefix("R-") }
                    #expect(products.count == 20 && Set(products.compactMap { $0["default_code"]?.string }).count == 20)
                    // The server given the replica read from it: its connections are there.
                    let onReplica = try await replicaServer.withClient(logger: TestLogger.quiet) { client in
                        let rows = try await client.query("SELECT count(*)::int8 FROM pg_stat_activity WHERE application_name LIKE 'aurum %'",
                                                          logger: TestLogger.quiet)
                        for try await count in rows.decode(Int64.self) { return count }
                        return 0
                    }
                    #expect(onReplica > 0, "the reading server's pool has connections on the replica")
                    // The replica gone, its server's reads are answered by the primary.
                    try await offThePool { replicaCluster.stop(logger: TestLogger.quiet) }
                    let steward = APIClient(baseURL: "http://127.0.0.1:\(ports.onReplica)", token: tokens.erin)
                    for path in ["/v1/status", "/v1/change-requests?status=released", "/v1/records/item?limit=5"] {
                        let reply = try await steward.send(.GET, path)
                        #expect(reply.status == 200, "\(path) with the replica down: \(reply.status)")
                    }
                    let page = try await feed.page(from: ports.onReplica, wait: 0)
                    #expect(page.items.isEmpty && page.next == feed.cursor, "the feed from the primary, at the reader's cursor")
                } catch {
                    await reading.stop()
                    await writing.stop()
                    throw error
                }
                #expect(await reading.stop(), "the server on the replica exits on SIGTERM")
                #expect(await writing.stop(), "the server on the primary exits on SIGTERM")
            }
        }
    }

    /// Items `numbers` ingested through the servers in turn, each approved at both gates through the other.
    static func release(_ numbers: ClosedRange<Int>, tokens: (plm: String, erin: String, paul: String, reader: String), ports: [Int]) async throws {
        for n in numbers {
            let through = APIClient(baseURL: "http://127.0.0.1:\(ports[n % ports.count])", token: tokens.plm)
            let candidate: JSONValue = ["entity": "item", "source": "plm", "source_key": .string("REP-\(n)"),
                                        "attributes": ["code": .string("R-\(n)"), "name": .string("Replica item \(n)"), "uom": "Units"]]
            let answer = try await through.send(.POST, "/v1/candidates", json: candidate).decode(IngestResult.self)
            let id = try #require(answer.changeRequestID)
            for (steward, port) in [(tokens.erin, ports[(n + 1) % ports.count]), (tokens.paul, ports[n % ports.count])] {
                let reply = try await APIClient(baseURL: "http://127.0.0.1:\(port)", token: steward).send(.POST, "/v1/change-requests/\(id)/approve",
                                                                                                         json: [String: JSONValue]())
                #expect(reply.status == 200, "approve \(id) through \(port): \(reply.status)")
            }
        }
    }

    /// A consumer following the feed with one cursor, asking the servers in turn.
    struct FeedReader {
        let token: String
        let ports: [Int]
        var cursor: Int64 = 0
        var positions = [Int64]()
        var versions = [String]()
        var servedBy = Set<Int>()
        var turn = 0

        struct Page { var items: [JSONValue]; var next: Int64 }

        func page(from port: Int, wait: Int) async throws -> Page {
            let reply = try await APIClient(baseURL: "http://127.0.0.1:\(port)", token: token)
                .send(.GET, "/v1/changes?after=\(cursor)&limit=3&wait=\(wait)")
            try #require(reply.status == 200, "feed through \(port): \(reply.status)")
            let page = try reply.decode(JSONValue.self).objectValue ?? [:]
            return Page(items: page["items"]?.arrayValue ?? [], next: page["next_cursor"]?.integerValue ?? -1)
        }

        /// Reads pages (from `onlyFrom`, else from the servers in turn) until `count` versions are seen.
        mutating func read(until count: Int, onlyFrom: Int? = nil) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while versions.count < count, ContinuousClock.now < deadline {
                let port = onlyFrom ?? ports[turn % ports.count]
                turn += 1
                let page = try await page(from: port, wait: 1)
                #expect(page.next >= cursor, "the cursor never goes back: \(page.next) after \(cursor)")
                for item in page.items {
                    let data = item.objectValue?["data"]?.objectValue ?? [:]
                    let position = data["position"]?.integerValue ?? -1
                    #expect(position == cursor + 1, "position \(position) right after \(cursor) (through \(port))")
                    cursor = position
                    positions.append(position)
                    versions.append("\(data["id"]?.integerValue ?? -1) v\(data["version"]?.integerValue ?? -1)")
                }
                if !page.items.isEmpty { servedBy.insert(port) }
            }
            try #require(versions.count >= count, "the feed gave \(versions.count) of \(count) versions")
        }
    }
}

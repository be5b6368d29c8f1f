@testable import AurumApp
import AurumCore
import AurumPublish
import AurumServer
import AurumStore
import AurumTestSupport
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import OdooDouble
import Synchronization
import Testing

/// Publishing through the outbox end to end: webhook endpoints (signatures checked by a verifier
/// written from the Standard Webhooks spec, not Aurum's signer), and Odoo (the double).
@Suite struct OutboxPublishingTests {
    static let secret = "whsec_" + Data("a secret of twenty-four b".utf8).base64EncodedString()

    /// Standard Webhooks 1.0, verified as the spec says: strip `whsec_`, base64-decode the key,
    /// HMAC-SHA256 over `{id}.{timestamp}.{body}`, base64, compare with each `v1,` signature.
    static func verify(id: String, timestamp: String, signatures: String, body: [UInt8], secret: String) -> Bool {
        guard let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) else { return false }
        let content = Array("\(id).\(timestamp).".utf8) + body
        let expected = Data(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))).base64EncodedString()
        return signatures.split(separator: " ").contains { $0.hasPrefix("v1,") && $0.dropFirst(3) == expected }
    }

    /// What an endpoint received: headers and body of each request.
    final class Inbox: Sendable {
        struct Message: Sendable { var id: String; var timestamp: String; var signature: String; var body: [UInt8]; var traceparent: String? = nil }
        let messages = Mutex<[Message]>([])
        /// Status codes to answer with, in turn; 200 once they are used up.
        let answers: Mutex<[Int]>
        let delay: Duration
        /// For a hanging endpoint: it answers nothing until this is set (or 30 s pass).
        let hangs: Bool
        let released = Mutex(false)
        let answered = Mutex(0)
        init(answers: [Int] = [], delay: Duration = .zero, hangs: Bool = false) {
            self.answers = Mutex(answers); self.delay = delay; self.hangs = hangs
        }
        var all: [Message] { messages.withLock { $0 } }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("hook") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                self.messages.withLock {
                    $0.append(Message(id: request.headers[.init("webhook-id")!] ?? "", timestamp: request.headers[.init("webhook-timestamp")!] ?? "",
                                      signature: request.headers[.init("webhook-signature")!] ?? "", body: Array(buffer: body),
                                      traceparent: request.headers[.init("traceparent")!]))
                }
                if self.delay > .zero { try await Task.sleep(for: self.delay) }
                if self.hangs {
                    let until = ContinuousClock.now + .seconds(30)
                    while !self.released.withLock({ $0 }), ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(20)) }
                }
                defer { self.answered.withLock { $0 += 1 } }
                let status = self.answers.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
                var headers = HTTPFields()
                if status == 302 { headers[.location] = "http://127.0.0.1:1/elsewhere" }
                if status == 429 { headers[.retryAfter] = "0" }
                return Response(status: .init(code: status), headers: headers)
            }
            return router
        }
    }

    func endpoint(_ name: String, port: Int, entities: [String] = []) -> WebhookEndpoint {
        WebhookEndpoint(name: name, url: "http://127.0.0.1:\(port)/hook", entities: entities, secretVariable: "UNUSED", timeout: 2)
    }

    func dispatcher(_ t: TestStore, _ consumers: [any DeliveryConsumer], policy: DeliveryBackOff = DeliveryBackOff(maxAttempts: 3, base: 0.05, cap: 0.2),
                    metrics: AurumMetrics? = nil) -> OutboxDispatcher {
        OutboxDispatcher(queue: PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet), consumers: consumers, policy: policy,
                         lease: 30, idle: .milliseconds(20), references: t.rules.references, metrics: metrics?.factory, logger: TestLogger.quiet)
    }

    /// Runs the dispatcher until `done` holds (or 20 s pass).
    func publish(_ dispatcher: OutboxDispatcher, until done: @Sendable () async throws -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while try await !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            group.cancelAll()
        }
    }

    func deliveryStates(_ t: TestStore) async throws -> [String] {
        let rows = try await t.client.query("SELECT consumer || ' ' || version::text || ' ' || state FROM delivery ORDER BY consumer, record_id, version",
                                            logger: TestLogger.quiet)
        var states = [String]()
        for try await state in rows.decode(String.self) { states.append(state) }
        return states
    }

    @Test func eventsArriveSignedInOrderAndARetryKeepsItsWebhookId() async throws {
        try await TestStore.with { t in
            let inbox = Inbox(answers: [503])
            try await LiveServer.with(inbox.router()) { port in
                let hook = try WebhookConsumer(endpoint: endpoint("erp", port: port), secret: Self.secret)
                let metrics = AurumMetrics()
                let d = dispatcher(t, [hook], metrics: metrics)
                try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare([hook.registration])
                let id = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
                var renamed = SampleRules.hexBolt
                renamed["name"] = "Hex bolt M8x40 zinc"
                _ = try await t.release([SampleRules.item("PLM-1", renamed)])
                try await publish(d) { try await deliveryStates(t) == ["webhook:erp 1 delivered", "webhook:erp 2 delivered"] }
                #expect(try await deliveryStates(t) == ["webhook:erp 1 delivered", "webhook:erp 2 delivered"])
                let messages = inbox.all
                #expect(messages.map(\.id) == ["item-\(id)-v1", "item-\(id)-v1", "item-\(id)-v2"], "the 503 was retried with the same id, then v2")
                // aurum_deliveries_total counts each attempt by its result.
                let scraped = metrics.registry.emitToString()
                #expect(scraped.contains(#"aurum_deliveries_total{consumer="webhook:erp",result="delivered"} 2"#), "\(scraped)")
                #expect(scraped.contains(#"aurum_deliveries_total{consumer="webhook:erp",result="retry"} 1"#), "\(scraped)")
                for message in messages {
                    #expect(Self.verify(id: message.id, timestamp: message.timestamp, signatures: message.signature, body: message.body, secret: Self.secret))
                    var flipped = message.body
                    flipped[flipped.count / 2] ^= 0x01
                    #expect(!Self.verify(id: message.id, timestamp: message.timestamp, signatures: message.signature, body: flipped, secret: Self.secret))
                    #expect(abs((Double(message.timestamp) ?? 0) - Date().timeIntervalSince1970) < 60)
                }
                let event = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(messages.last).body)).objectValue ?? [:]
                #expect(event["specversion"] == "1.0" && event["type"] == "aurum.item.released" && event["id"] == .string("item-\(id)-v2"))
                #expect(event["data"]?.objectValue?["attributes"]?.objectValue?["name"] == "Hex bolt M8x40 zinc")
            }
        }
    }

    @Test func a410DisablesTheEndpointAndARedirectIsNotFollowed() async throws {
        try await TestStore.with { t in
            let gone = Inbox(answers: [410]), moved = Inbox(answers: [302])
            try await LiveServer.with(gone.router()) { gonePort in
                try await LiveServer.with(moved.router()) { movedPort in
                    let hooks = [try WebhookConsumer(endpoint: endpoint("gone", port: gonePort), secret: Self.secret),
                                 try WebhookConsumer(endpoint: endpoint("moved", port: movedPort), secret: Self.secret)]
                    try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare(hooks.map(\.registration))
                    _ = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)])
                    try await publish(dispatcher(t, hooks)) { try await deliveryStates(t) == ["webhook:gone 1 pending", "webhook:moved 1 dead"] }
                    #expect(try await deliveryStates(t) == ["webhook:gone 1 pending", "webhook:moved 1 dead"], "the 410's delivery waits for the endpoint")
                    #expect(moved.all.count == 1 && gone.all.count == 1)
                    let consumers = try await t.client.query("SELECT name, enabled FROM consumer ORDER BY name", logger: TestLogger.quiet)
                    var enabled = [String: Bool]()
                    for try await (name, on) in consumers.decode((String, Bool).self) { enabled[name] = on }
                    #expect(enabled == ["webhook:gone": false, "webhook:moved": true])
                    let errors = try await t.client.query("SELECT last_error FROM delivery WHERE consumer = 'webhook:moved'", logger: TestLogger.quiet)
                    #expect(try await errors.decode(String.self).first(where: { _ in true })?.contains("redirects are not followed") == true)
                    // Released after the 410: written for the disabled endpoint too, and waiting, never sent.
                    _ = try await t.release([SampleRules.item("PLM-2", ["code": "B-2", "name": "Washer"])])
                    try await publish(dispatcher(t, hooks)) { try await deliveryStates(t).filter { $0.hasPrefix("webhook:moved") }.count == 2 }
                    #expect(try await deliveryStates(t).filter { $0.hasPrefix("webhook:gone") } == ["webhook:gone 1 pending", "webhook:gone 1 pending"])
                    #expect(gone.all.count == 1, "nothing sent to a disabled endpoint")
                }
            }
        }
    }

    /// The worker looks again only once an hour when idle: what wakes it is the release's NOTIFY,
    /// relayed from the database.
    @Test func aReleaseWakesAnIdleWorkerThroughTheDatabasesNotification() async throws {
        try await TestStore.with { t in
            let inbox = Inbox()
            try await LiveServer.with(inbox.router()) { port in
                let hook = try WebhookConsumer(endpoint: endpoint("erp", port: port), secret: Self.secret)
                let releases = ReleaseSignal()
                let idle = OutboxDispatcher(queue: PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet), consumers: [hook],
                                            idle: .seconds(3600), releases: releases, logger: TestLogger.quiet)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await ReleaseNotifications.relay(settings: t.settings, to: releases, availability: DatabaseAvailability(), logger: TestLogger.quiet) }
                    group.addTask { try await idle.run() }
                    // Listening (the relay rings once when it starts) and the worker waiting.
                    for _ in 0..<2000 where releases.rings == 0 || releases.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
                    #expect(releases.rings >= 1 && releases.waiting == 1)
                    let id = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
                    for _ in 0..<2000 where inbox.all.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                    #expect(inbox.all.map(\.id) == ["item-\(id)-v1"])
                    group.cancelAll()
                }
            }
        }
    }

    @Test func aHangingEndpointDoesNotDelayAnother() async throws {
        try await TestStore.with { t in
            let slow = Inbox(hangs: true), quick = Inbox()
            try await LiveServer.with(slow.router()) { slowPort in
                try await LiveServer.with(quick.router()) { quickPort in
                    var hanging = endpoint("slow", port: slowPort)
                    hanging.timeout = 60
                    let hooks = [try WebhookConsumer(endpoint: hanging, secret: Self.secret),
                                 try WebhookConsumer(endpoint: endpoint("quick", port: quickPort), secret: Self.secret)]
                    try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare(hooks.map(\.registration))
                    for n in 1...5 { _ = try await t.release([SampleRules.item("PLM-\(n)", ["code": .string("B-\(n)"), "name": "Washer"])]) }
                    try await publish(dispatcher(t, hooks)) { quick.all.count == 5 && slow.all.count >= 1 }
                    #expect(quick.all.count == 5)
                    #expect(slow.all.count >= 1 && slow.answered.withLock { $0 } == 0,
                            "the quick endpoint got its five while the slow one had not answered its first")
                    slow.released.withLock { $0 = true }
                }
            }
        }
    }

    @Test func odooThroughTheOutboxDeadLettersAPermanentErrorWithOdoosMessageAndAReplayDeliversItOnceOdooHasTheUnit() async throws {
        try await TestStore.with { t in
            let server = OdooDoubleServer(.init(version: .v18, database: "odoo_test", apiKey: "outbox-key"))
            try await LiveServer.with(server.router()) { port in
                let settings = OdooSettings(url: "http://127.0.0.1:\(port)", database: "odoo_test", login: "admin", secret: "outbox-key")
                let mapping = try #require(t.rules.odoo)
                let odoo = OdooConsumer(publisher: OdooPublisher(client: OdooClient(settings: settings, logger: TestLogger.quiet), mapping: mapping))
                try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare([odoo.registration])
                var item = SampleRules.hexBolt
                item["uom"] = "Furlongs"
                let id = try #require(try await t.release([SampleRules.item("PLM-1", item)]).first)
                try await publish(dispatcher(t, [odoo])) { try await deliveryStates(t) == ["odoo 1 dead"] }
                let error = try await t.client.query("SELECT last_error FROM delivery", logger: TestLogger.quiet)
                let message = try #require(try await error.decode(String.self).first(where: { _ in true }))
                #expect(message.contains("Furlongs"), "Odoo's own words: \(message)")
                // The unit made in Odoo, the dead delivery is replayed by the same publisher and goes through.
                let units = try #require(server.database.records("uom.uom").first { $0["name"] == "Units" })
                let client = OdooClient(settings: settings, logger: TestLogger.quiet)
                _ = try await client.call(OdooCall("uom.uom", "create", ["vals_list": [.struct([
                    "name": "Furlongs", "category_id": .int(units["category_id"]?.int ?? units["category_id"]?.array?.first?.int ?? 1),
                    "uom_type": "bigger", "factor": .double(0.005)])]]))
                let replayed = try await t.store.replay(delivery: nil, consumer: "odoo", since: Date(timeIntervalSince1970: 0), entities: t.allEntities,
                                                        by: try await t.actor("ops", .admin).principal, requestID: "r")
                #expect(replayed.count == 1)
                try await publish(dispatcher(t, [odoo])) { try await deliveryStates(t) == ["odoo 1 delivered"] }
                #expect(try await deliveryStates(t) == ["odoo 1 delivered"], "a look-up Odoo lacked is asked again, not cached as missing")
                // The next version goes through as well.
                _ = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)])
                try await publish(dispatcher(t, [odoo])) { try await deliveryStates(t) == ["odoo 1 delivered", "odoo 2 delivered"] }
                #expect(try await deliveryStates(t) == ["odoo 1 delivered", "odoo 2 delivered"])
                let products = server.database.records("ir.model.data").filter { $0["module"] == "aurum" && $0["name"] == .string("item_\(id)") }
                #expect(products.count == 1)
            }
        }
    }

    @Test func aDeadDeliveryIsListedAndReplayedThroughTheCLIWithItsEventId() async throws {
        try await TestStore.with { t in
            let inbox = Inbox(answers: [400])
            try await LiveServer.with(inbox.router()) { hookPort in
                try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                    let alice = try await t.actor("alice", .steward).token
                    let url = "http://127.0.0.1:\(port)"
                    let hook = try WebhookConsumer(endpoint: endpoint("erp", port: hookPort), secret: Self.secret)
                    try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare([hook.registration])
                    let id = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
                    try await publish(dispatcher(t, [hook])) { try await deliveryStates(t) == ["webhook:erp 1 dead"] }
                    let dead = try await runAurumCapturingAll(["deliveries", "--state", "dead", "--json", "--url", url, "--token-file", tokenFile(alice)])
                    #expect(dead.code == 0, "\(dead.errors)")
                    let listed = try JSONDecoder().decode([DeliveryView].self, from: Data(dead.output.utf8))
                    let delivery = try #require(listed.first)
                    #expect(listed.count == 1 && delivery.eventID == "item-\(id)-v1" && delivery.lastError?.hasPrefix("400") == true)
                    let record = try await runAurumCapturingAll(["record", "item", String(id), "--url", url, "--token-file", tokenFile(alice)])
                    #expect(record.output.contains("deliveries: webhook:erp v1 dead (400"), "\(record.output)")
                    let replay = try await runAurumCapturingAll(["replay", String(delivery.id), "--url", url, "--token-file", tokenFile(alice)])
                    #expect(replay.code == 0 && replay.output.contains("1 delivery queued again"), "\(replay.output) \(replay.errors)")
                    try await publish(dispatcher(t, [hook])) { try await deliveryStates(t) == ["webhook:erp 1 delivered"] }
                    #expect(inbox.all.map(\.id) == ["item-\(id)-v1", "item-\(id)-v1"], "the replay keeps the event id")
                    #expect(try await t.auditActions(subject: "delivery:\(delivery.id)") == ["delivery.dead", "delivery.replayed", "delivery.delivered"],
                            "each outcome is in the audit trail")
                    let outcome = try await t.client.query("""
                        SELECT actor, after ->> 'consumer', reason, version FROM audit_entry WHERE subject = \("delivery:\(delivery.id)") ORDER BY seq LIMIT 1
                        """, logger: TestLogger.quiet).decode((String, String, String?, Int).self).rows()
                    #expect(outcome.first?.0.hasPrefix("outbox@") == true && outcome.first?.1 == "webhook:erp" && outcome.first?.3 == 1)
                    #expect(outcome.first?.2?.hasPrefix("400") == true, "the dead delivery's reason is its last error")
                    do {
                        _ = try Aurum.parseAsRoot(["replay", "--consumer", "webhook:erp", "--url", url, "--token-file", tokenFile(alice)])
                        Issue.record("--consumer without --since was accepted")
                    } catch {
                        #expect(Aurum.exitCode(for: error).rawValue == 64, "--consumer needs --since")
                    }
                    let board = try await runAurumCapturingAll(["status", "--json", "--url", url, "--token-file", tokenFile(alice)])
                    let items = try JSONDecoder().decode(StatusBoard.self, from: Data(board.output.utf8)).entities.first { $0.entity == "item" }
                    #expect(items?.deliveriesDead == 0 && items?.deliveriesPending == 0)
                }
            }
        }
    }
}

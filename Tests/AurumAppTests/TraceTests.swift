@testable import AurumApp
import AurumCore
import AurumPublish
import AurumServer
import AurumStore
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// A change followed from its request to its consumer: the caller's traceparent is on the
/// request's log lines and answer, kept with the release, and carried by the webhook delivery.
@Suite struct TraceTests {
    /// Keeps every log line's message and metadata.
    final class Captured: Sendable {
        let lines = Mutex<[(message: String, metadata: [String: String])]>([])
        struct Handler: LogHandler {
            let captured: Captured
            var logLevel: Logger.Level = .info
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
            func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
                     function: String, line: UInt) {
                let all = metadata.merging(explicit ?? [:]) { _, new in new }.mapValues { "\($0)" }
                captured.lines.withLock { $0.append((message.description, all)) }
            }
        }
    }

    @Test func aRequestsTraceIsLoggedKeptWithTheReleaseAndCarriedByTheWebhook() async throws {
        try await TestStore.with { t in
            let inbox = OutboxPublishingTests.Inbox()
            try await LiveServer.with(inbox.router()) { port in
                let hook = try WebhookConsumer(endpoint: OutboxPublishingTests().endpoint("erp", port: port), secret: OutboxPublishingTests.secret)
                try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare([hook.registration])
                let plm = try await t.actor("plm-sync", .source).token, steward = try await t.actor("alice", .steward).token
                let captured = Captured()
                let logger = Logger(label: "aurum") { _ in Captured.Handler(captured: captured) }
                let app = Application(router: AurumHTTPServer.router(store: t.store, rules: t.rules), logger: logger)
                let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
                try await app.test(.router) { client in
                    func post(_ path: String, _ token: String, _ body: String) async throws -> (JSONValue, String?) {
                        try await client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json",
                                                                                    .init("traceparent")!: "00-\(trace)-00f067aa0ba902b7-01"],
                                                 body: ByteBuffer(string: body)) { response in
                            (try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body)), response.headers[.init("traceparent")!])
                        }
                    }
                    let (created, answered) = try await post("/v1/candidates", plm, #"{"entity":"item","source":"plm","source_key":"PLM-4711","attributes":{"code":"B-1001","name":"Hex bolt M8x40","uom":"Units"}}"#)
                    #expect(answered?.hasPrefix("00-\(trace)-") == true && answered?.contains("00f067aa0ba902b7") == false,
                            "the answer continues the trace with a span of its own: \(String(describing: answered))")
                    let request = try #require(created.objectValue?["change_request_id"]?.integerValue)
                    _ = try await post("/v1/change-requests/\(request)/approve", steward, "{}")
                    let feed = try await client.execute(uri: "/v1/changes?after=0", method: .get, headers: [.authorization: "Bearer \(steward)"]) { response in
                        try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                    }
                    let first = feed.objectValue?["items"]?.arrayValue?.first?.objectValue
                    #expect(first?["traceparent"]?.stringValue?.hasPrefix("00-\(trace)-") == true, "\(feed)")
                }
                let answeredLines = captured.lines.withLock { $0 }.filter { $0.message == "request answered" }
                #expect(answeredLines.count >= 2 && answeredLines.prefix(2).allSatisfy { $0.metadata["trace_id"] == trace },
                        "\(answeredLines.map(\.metadata))")
                #expect(answeredLines.first?.metadata["aurum.actor"] == "plm-sync", "the token's name: \(answeredLines.first?.metadata ?? [:])")
                let approval = answeredLines.first { $0.metadata["http.route"] == "/v1/change-requests/{id}/approve" }
                #expect(approval?.metadata["aurum.change_request"] != nil && approval?.metadata["aurum.actor"] == "alice", "\(approval?.metadata ?? [:])")
                #expect(!answeredLines.contains { $0.metadata.values.contains(plm) }, "never the token")
                let dispatcher = OutboxPublishingTests().dispatcher(t, [hook])
                try await OutboxPublishingTests().publish(dispatcher) { !inbox.all.isEmpty }
                let delivered = try #require(inbox.all.first)
                #expect(delivered.traceparent?.hasPrefix("00-\(trace)-") == true, "the webhook carries the trace: \(String(describing: delivered.traceparent))")
                let event = try JSONDecoder().decode(JSONValue.self, from: Data(delivered.body))
                #expect(event.objectValue?["traceparent"]?.stringValue == delivered.traceparent, "the event says it too (CloudEvents' tracing extension)")
            }
        }
    }

    @Test func aMalformedTraceparentStartsATraceOfItsOwn() {
        #expect(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        for bad in ["", "00-0000000000000000000000000000000-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"] {
            #expect(TraceContext(traceparent: bad) == nil, "\(bad)")
        }
        let started = TraceContext.start()
        #expect(TraceContext(traceparent: started.traceparent) == started)
        #expect(started.child(named: "item-1-v1") == started.child(named: "item-1-v1"), "a delivery's span is the same at every retry")
    }
}

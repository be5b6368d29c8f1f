@testable import AurumApp
import AurumCore
import AurumPublish
import AurumServer
import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

/// Bank details masked where a steward reads them in the CLI (table and --json) and in the
/// events of a webhook endpoint not entitled to them; in clear for one that is.
@Suite struct MaskingSurfacesTests {
    static let iban = "DE89370400440532013000"

    static func supplier() -> CandidateSubmission {
        CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "P-1",
                            attributes: ["name": "Acme Fasteners GmbH", "country": "DE", "bank_account": .string(iban), "bank_bic": "COBADEFFXXX"])
    }

    @Test func theCLIShowsAStewardMaskedValuesAndFinanceClearOnes() async throws {
        try await TestStore.with { t in
            let record = try #require(try await t.release([Self.supplier()]).first)
            let steward = try await t.actor("sam", .steward).token, finance = try await t.actor("fiona", .steward, groups: ["finance"]).token
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let url = "http://127.0.0.1:\(port)"
                for arguments in [["record", "supplier", String(record)], ["record", "supplier", String(record), "--json"],
                                  ["record", "supplier", String(record), "--versions"], ["show", "1"], ["show", "1", "--json"]] {
                    let masked = try await runAurumCapturingAll(arguments + ["--url", url, "--token-file", tokenFile(steward)])
                    #expect(masked.code == 0, "\(arguments): \(masked.errors)")
                    #expect(!masked.output.contains(Self.iban) && masked.output.contains("****3000"), "\(arguments): \(masked.output)")
                    let clear = try await runAurumCapturingAll(arguments + ["--url", url, "--token-file", tokenFile(finance)])
                    #expect(clear.output.contains(Self.iban), "\(arguments) for finance: \(clear.output)")
                }
            }
        }
    }

    @Test func aWebhookGetsBankDetailsOnlyWhenItsGroupsAreEntitled() async throws {
        try await TestStore.with { t in
            let inbox = OutboxPublishingTests.Inbox(), books = OutboxPublishingTests.Inbox()
            try await LiveServer.with(inbox.router()) { port in
                try await LiveServer.with(books.router()) { booksPort in
                    let plain = OutboxPublishingTests().endpoint("erp", port: port)
                    var entitled = OutboxPublishingTests().endpoint("books", port: booksPort)
                    entitled.groups = ["finance"]
                    let hooks = try [plain, entitled].map { endpoint in
                        try WebhookConsumer(endpoint: endpoint, secret: OutboxPublishingTests.secret,
                                            masking: Masking(rules: t.rules, viewer: endpoint.entitlement))
                    }
                    try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare(hooks.map(\.registration))
                    _ = try await t.release([Self.supplier()])
                    let harness = OutboxPublishingTests()
                    try await harness.publish(harness.dispatcher(t, hooks)) { inbox.all.count == 1 && books.all.count == 1 }
                    let masked = String(decoding: try #require(inbox.all.first).body, as: UTF8.self)
                    #expect(!masked.contains(Self.iban) && masked.contains("\"bank_account\":\"****3000\""), "\(masked)")
                    let message = try #require(inbox.all.first)
                    #expect(OutboxPublishingTests.verify(id: message.id, timestamp: message.timestamp, signatures: message.signature,
                                                         body: message.body, secret: OutboxPublishingTests.secret), "signed as sent")
                    #expect(String(decoding: try #require(books.all.first).body, as: UTF8.self).contains(Self.iban))
                }
            }
        }
    }
}

/// A consumer whose refusal quotes the value it was sent (as an ERP's validation message may):
/// the delivery's last error, its audit entry and the log get the value masked.
struct QuotingConsumer: DeliveryConsumer {
    let registration = ConsumerRegistration(name: "webhook:quoting", kind: .webhook, entities: [], latestOnly: false)
    let batchSize = 10
    let timeLimit = 2.0

    func deliver(_ jobs: [DeliveryJob]) async -> [DeliveryOutcome] {
        jobs.map { job in
            .failed(error: "400 Bad Request: account \(job.event.data.attributes["bank_account"]?.stringValue ?? "?") is blocked at our bank")
        }
    }
}

extension MaskingSurfacesTests {
    @Test func aConsumersAnswerQuotingTheValueIsKeptMasked() async throws {
        try await TestStore.with { t in
            let consumer = QuotingConsumer()
            try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare([consumer.registration])
            _ = try await t.release([Self.supplier()])
            let dispatcher = OutboxDispatcher(queue: PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet), consumers: [consumer],
                                              policy: DeliveryBackOff(maxAttempts: 1, base: 0.05, cap: 0.1), lease: 30, idle: .milliseconds(20),
                                              references: t.rules.references, sensitive: SensitiveNames(rules: t.rules), logger: TestLogger.quiet)
            try await OutboxPublishingTests().publish(dispatcher) { try await OutboxPublishingTests().deliveryStates(t) == ["webhook:quoting 1 dead"] }
            let kept = try await t.client.query("""
                SELECT d.last_error, e.reason FROM delivery d JOIN audit_entry e ON e.subject = 'delivery:' || d.id AND e.action = 'delivery.dead'
                """, logger: TestLogger.quiet).decode((String?, String?).self).rows()
            try #require(kept.count == 1)
            #expect(kept[0].0 == "400 Bad Request: account ****3000 is blocked at our bank" && kept[0].1 == kept[0].0, "\(kept)")
        }
    }
}

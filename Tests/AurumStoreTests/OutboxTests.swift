import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import Testing

/// The outbox: a delivery per declared consumer written with each release, claimed per record in
/// version order under a lease with a fencing token, retried with back-off, dead after the
/// attempts or at a permanent error, and a 410 disabling its consumer while its deliveries wait.
@Suite struct OutboxTests {
    static func bolt(_ n: Int, name: String? = nil) -> CandidateSubmission {
        SampleRules.item("PLM-\(n)", ["code": .string("B-\(n)"), "name": .string(name ?? "Bolt \(n)"), "uom": "Units"])
    }

    func queue(_ t: TestStore) -> PostgresDeliveryQueue { PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet) }

    func states(_ t: TestStore, consumer: String) async throws -> [String] {
        let rows = try await t.client.query("""
            SELECT version::text || ':' || state FROM delivery WHERE consumer = \(consumer) ORDER BY record_id, version
            """, logger: TestLogger.quiet)
        var result = [String]()
        for try await state in rows.decode(String.self) { result.append(state) }
        return result
    }

    @Test func eachReleaseWritesADeliveryPerDeclaredConsumerOfItsEntityEnabledOrNot() async throws {
        try await TestStore.with { t in
            let q = queue(t)
            try await q.declare([.init(name: "erp", kind: .webhook, entities: ["item"]), .init(name: "crm", kind: .webhook, entities: ["customer"])])
            _ = try await t.release([Self.bolt(1)])
            #expect(try await states(t, consumer: "erp") == ["1:pending"])
            #expect(try await states(t, consumer: "crm").isEmpty)
            // A process that declares fewer consumers disables none of the others.
            try await q.declare([.init(name: "crm", kind: .webhook, entities: ["customer"])])
            #expect(try await q.enabledConsumers() == ["crm", "erp"])
            // A disabled consumer still gets its deliveries written; they wait, and none is claimed.
            let admin = try await t.actor("ops", .admin)
            _ = try await t.store.setConsumer("erp", enabled: false, reason: "maintenance", by: admin.principal, requestID: "r")
            _ = try await t.release([Self.bolt(2)])
            #expect(try await states(t, consumer: "erp") == ["1:pending", "1:pending"])
            #expect(try await q.claim(consumer: "erp", worker: "w", limit: 10, lease: 30, references: [:]).isEmpty)
            _ = try await t.store.setConsumer("erp", enabled: true, reason: nil, by: admin.principal, requestID: "r")
            #expect(try await q.claim(consumer: "erp", worker: "w", limit: 10, lease: 30, references: [:]).count == 2)
            let audit = try await t.client.query("SELECT action || ' ' || coalesce(reason, '') FROM audit_entry WHERE subject = 'consumer:erp' ORDER BY id",
                                                 logger: TestLogger.quiet)
            #expect(try await audit.decode(String.self).rows() == ["consumer.disabled maintenance", "consumer.enabled "])
        }
    }

    @Test func versionsOfARecordAreClaimedInOrderAndOneAtATime() async throws {
        try await TestStore.with { t in
            let q = queue(t)
            try await q.declare([.init(name: "erp", kind: .webhook)])
            let id = try #require(try await t.release([Self.bolt(1)]).first)
            _ = try await t.release([Self.bolt(1, name: "Bolt 1 v2")])
            _ = try await t.release([Self.bolt(2)])
            let first = try await q.claim(consumer: "erp", worker: "w1", limit: 10, lease: 30, references: [:])
            #expect(first.map(\.event.data.version) == [1, 1], "version 1 of each record; version 2 waits for version 1")
            #expect(first.allSatisfy { $0.attempts == 1 })
            #expect(try await q.claim(consumer: "erp", worker: "w2", limit: 10, lease: 30, references: [:]).isEmpty, "leased to w1")
            let own = try #require(first.first { $0.event.data.id == id })
            try await q.finish(own, worker: "w1", outcome: .delivered(note: nil), policy: DeliveryBackOff())
            let next = try await q.claim(consumer: "erp", worker: "w2", limit: 10, lease: 30, references: [:])
            #expect(next.map(\.event.id) == ["item-\(id)-v2"])
            #expect(next.first?.event.data.attributes["name"] == "Bolt 1 v2")
        }
    }

    @Test func aLatestOnlyConsumerGetsTheNewestVersionAndTheOlderAreSkippedSayingSo() async throws {
        try await TestStore.with { t in
            let q = queue(t)
            try await q.declare([.init(name: "odoo", kind: .odoo, latestOnly: true)])
            let id = try #require(try await t.release([Self.bolt(1)]).first)
            _ = try await t.release([Self.bolt(1, name: "Bolt 1 v2")])
            _ = try await t.release([Self.bolt(1, name: "Bolt 1 v3")])
            let jobs = try await q.claim(consumer: "odoo", worker: "w1", limit: 10, lease: 30, references: [:])
            #expect(jobs.map(\.event.data.version) == [3])
            try await q.finish(try #require(jobs.first), worker: "w1", outcome: .delivered(note: "updated"), policy: DeliveryBackOff())
            #expect(try await states(t, consumer: "odoo") == ["1:skipped", "2:skipped", "3:delivered"])
            let notes = try await t.client.query("SELECT note FROM delivery WHERE record_id = \(id) AND version = 1", logger: TestLogger.quiet)
            #expect(try await notes.decode(String.self).first(where: { _ in true }) == "superseded by version 3, delivered in its place")
        }
    }

    @Test func anExpiredLeaseIsClaimedAgainAndTheLateFinishIsIgnored() async throws {
        try await TestStore.with { t in
            let q = queue(t)
            try await q.declare([.init(name: "erp", kind: .webhook)])
            _ = try await t.release([Self.bolt(1)])
            let lost = try #require(try await q.claim(consumer: "erp", worker: "w1", limit: 10, lease: 0.2, references: [:]).first)
            try await Task.sleep(for: .milliseconds(400))
            let again = try #require(try await q.claim(consumer: "erp", worker: "w2", limit: 10, lease: 30, references: [:]).first)
            #expect(again.id == lost.id && again.attempts == 2)
            try await q.finish(lost, worker: "w1", outcome: .failed(error: "late"), policy: DeliveryBackOff())
            #expect(try await states(t, consumer: "erp") == ["1:leased"], "w1's late answer changes nothing")
            try await q.finish(again, worker: "w2", outcome: .delivered(note: nil), policy: DeliveryBackOff())
            #expect(try await states(t, consumer: "erp") == ["1:delivered"])
        }
    }

    @Test func failuresBackOffThenGoDeadAndA410DisablesTheConsumer() async throws {
        try await TestStore.with { t in
            let q = queue(t)
            try await q.declare([.init(name: "erp", kind: .webhook)])
            _ = try await t.release([Self.bolt(1)])
            let policy = DeliveryBackOff(maxAttempts: 2, base: 60, cap: 120)
            let first = try #require(try await q.claim(consumer: "erp", worker: "w", limit: 1, lease: 30, references: [:]).first)
            try await q.finish(first, worker: "w", outcome: .retry(error: "503 Service Unavailable", retryAfter: nil), policy: policy)
            #expect(try await states(t, consumer: "erp") == ["1:failed"])
            #expect(try await q.claim(consumer: "erp", worker: "w", limit: 1, lease: 30, references: [:]).isEmpty, "not due before its back-off")
            let wait = try await t.client.query("SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM delivery", logger: TestLogger.quiet)
            let seconds = try #require(try await wait.decode(Double.self).first(where: { _ in true }))
            #expect((25...60).contains(seconds), "half the first back-off fixed, half jitter: \(seconds) s")
            // Its time comes (as if the back-off had passed).
            try await t.client.query("UPDATE delivery SET next_attempt_at = now()", logger: TestLogger.quiet)
            let second = try #require(try await q.claim(consumer: "erp", worker: "w", limit: 1, lease: 30, references: [:]).first)
            try await q.finish(second, worker: "w", outcome: .retry(error: "503 Service Unavailable", retryAfter: nil), policy: policy)
            #expect(try await states(t, consumer: "erp") == ["1:dead"])
            let error = try await t.client.query("SELECT last_error FROM delivery", logger: TestLogger.quiet)
            #expect(try await error.decode(String.self).first(where: { _ in true }) == "503 Service Unavailable (gave up after 2 attempts)")

            _ = try await t.release([Self.bolt(2)])
            let gone = try #require(try await q.claim(consumer: "erp", worker: "w", limit: 1, lease: 30, references: [:]).first)
            try await q.finish(gone, worker: "w", outcome: .gone(error: "410 Gone"), policy: policy)
            #expect(try await q.enabledConsumers().isEmpty)
            #expect(try await states(t, consumer: "erp") == ["1:dead", "1:pending"], "the delivery the 410 answered waits for the endpoint")
            try await q.declare([.init(name: "erp", kind: .webhook)])
            #expect(try await q.enabledConsumers().isEmpty, "a 410 keeps it disabled through a restart")
            let admin = try await t.actor("ops", .admin)
            let enabled = try await t.store.setConsumer("erp", enabled: true, reason: "endpoint is back", by: admin.principal, requestID: "r")
            #expect(enabled.enabled && enabled.disabledReason == nil && enabled.waiting == 1)
            #expect(try await q.claim(consumer: "erp", worker: "w", limit: 1, lease: 30, references: [:]).map(\.id) == [gone.id])
        }
    }

    @Test func aRecordWaitsForTheRecordsItReferences() async throws {
        try await TestStore.with { t in
            let q = queue(t)
            try await q.declare([.init(name: "odoo", kind: .odoo, latestOnly: true)])
            let supplier = try #require(try await t.release([CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "V-1",
                                                                                 attributes: MergeTests.acme)]).first)
            var item = SampleRules.hexBolt
            item["supplier"] = .number(Double(supplier))
            _ = try await t.release([SampleRules.item("PLM-1", item)])
            let references = ["item": ["supplier"]]
            let jobs = try await q.claim(consumer: "odoo", worker: "w", limit: 10, lease: 30, references: references)
            #expect(jobs.map(\.event.data.entity) == ["supplier"], "the item waits for its supplier")
            try await q.finish(try #require(jobs.first), worker: "w", outcome: .delivered(note: nil), policy: DeliveryBackOff())
            #expect(try await q.claim(consumer: "odoo", worker: "w", limit: 10, lease: 30, references: references).map(\.event.data.entity) == ["item"])
        }
    }

    @Test func twoWorkersClaimingAtOnceNeverTakeOneDeliveryOrTwoVersionsOfARecord() async throws {
        try await TestStore.with { t in
            let q = queue(t)
            try await q.declare([.init(name: "erp", kind: .webhook)])
            for n in 1...20 { _ = try await t.release([Self.bolt(n)]) }
            for n in 1...20 { _ = try await t.release([Self.bolt(n, name: "Bolt \(n) v2")]) }
            let claims = try await withThrowingTaskGroup(of: [DeliveryJob].self) { group in
                for worker in 0..<8 {
                    group.addTask { try await q.claim(consumer: "erp", worker: "w\(worker)", limit: 5, lease: 30, references: [:]) }
                }
                return try await group.reduce(into: [DeliveryJob]()) { $0 += $1 }
            }
            #expect(claims.count == 20 && Set(claims.map(\.id)).count == 20)
            #expect(claims.allSatisfy { $0.event.data.version == 1 } && Set(claims.map(\.event.data.id)).count == 20)
        }
    }
}

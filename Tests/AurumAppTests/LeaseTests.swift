import AurumCore
import AurumPublish
import AurumStore
import AurumTestSupport
import Foundation
import Synchronization
import Testing

/// Leases under a consumer slower than any lease: renewed while the delivery is in flight, so
/// that a second worker never sends it too; a claim's fencing token keeps a worker whose lease
/// was taken over from renewing or finishing; a replay for Odoo sends the current version.
@Suite struct LeaseTests {
    /// A consumer that takes `takes` per claim and counts what it was sent.
    final class SlowConsumer: DeliveryConsumer {
        let registration = ConsumerRegistration(name: "slow", kind: .webhook)
        let batchSize = 3
        let timeLimit: Double
        let takes: Duration
        let sent = Mutex<[String]>([])
        init(takes: Duration, timeLimit: Double) { self.takes = takes; self.timeLimit = timeLimit }

        func deliver(_ jobs: [DeliveryJob]) async -> [DeliveryOutcome] {
            sent.withLock { $0 += jobs.map(\.event.id) }
            try? await Task.sleep(for: takes)
            return jobs.map { _ in .delivered(note: nil) }
        }
    }

    static func bolt(_ n: Int, name: String? = nil) -> CandidateSubmission {
        SampleRules.item("PLM-\(n)", ["code": .string("B-\(n)"), "name": .string(name ?? "Bolt \(n)"), "uom": "Units"])
    }

    /// Runs with the tests of processes, alone: on a machine busy with the whole suite a renewal
    /// can go unconfirmed, and the worker then rightly stops and another sends again.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["AURUM_PROCESS_TESTS"] == "1", "runs alone, with the tests of processes"))
    func twoWorkersAndAConsumerSlowerThanTheLeaseDeliverEachVersionOnce() async throws {
        try await TestStore.with { t in
            let queue = PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet)
            let consumer = SlowConsumer(takes: .seconds(9), timeLimit: 0.5)
            try await queue.declare([consumer.registration])
            for n in 1...3 { _ = try await t.release([Self.bolt(n)]) }
            // One claim takes all three; a lease of 4 s against 9 s per claim (renewed every 1.3 s, so a
            // renewal must be late by over 2.6 s to lose it, even on a busy machine): without renewal
            // the idle second worker would claim them again while the first still sends them.
            let workers = ["w1", "w2"].map {
                OutboxDispatcher(queue: queue, consumers: [consumer], worker: $0, lease: 4, idle: .milliseconds(20), logger: TestLogger.quiet)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { try await worker.run() } }
                let deadline = ContinuousClock.now + .seconds(60)
                while try await Self.finished(t) < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                group.cancelAll()
            }
            let sent = consumer.sent.withLock { $0 }
            #expect(sent.count == 3 && Set(sent).count == 3, "each version sent once: \(sent.sorted())")
            #expect(try await Self.finished(t) == 3)
        }
    }

    static func finished(_ t: TestStore) async throws -> Int {
        let rows = try await t.client.query("SELECT count(*)::int8 FROM delivery WHERE state = 'delivered'", logger: TestLogger.quiet)
        return Int(try await rows.decode(Int64.self).first(where: { _ in true }) ?? 0)
    }

    @Test func aTakenOverClaimCanNeitherRenewNorFinish() async throws {
        try await TestStore.with { t in
            let queue = PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet)
            try await queue.declare([.init(name: "erp", kind: .webhook)])
            _ = try await t.release([Self.bolt(1)])
            // The same worker name claims twice (a restarted process): only the token tells the claims apart.
            let lost = try #require(try await queue.claim(consumer: "erp", worker: "w", limit: 1, lease: 0.2, references: [:]).first)
            try await Task.sleep(for: .milliseconds(400))
            let again = try #require(try await queue.claim(consumer: "erp", worker: "w", limit: 1, lease: 30, references: [:]).first)
            #expect(again.id == lost.id && again.leaseToken != lost.leaseToken)
            #expect(try await queue.renew([lost], lease: 30).isEmpty, "the old claim's lease cannot be renewed")
            try await queue.finish(lost, worker: "w", outcome: .failed(error: "late"), policy: DeliveryBackOff())
            let state = try await t.client.query("SELECT state FROM delivery", logger: TestLogger.quiet)
            #expect(try await state.decode(String.self).rows() == ["leased"], "the old claim's answer changes nothing")
            #expect(try await queue.renew([again], lease: 30) == [again.id])
        }
    }

    @Test func aReplayOfAnOlderOdooDeliverySendsTheCurrentVersion() async throws {
        try await TestStore.with { t in
            let queue = PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet)
            try await queue.declare([.init(name: "odoo", kind: .odoo, latestOnly: true), .init(name: "erp", kind: .webhook)])
            let id = try #require(try await t.release([Self.bolt(1)]).first)
            for consumer in ["odoo", "erp"] {
                let first = try #require(try await queue.claim(consumer: consumer, worker: "w", limit: 1, lease: 30, references: [:]).first)
                try await queue.finish(first, worker: "w", outcome: .delivered(note: nil), policy: DeliveryBackOff())
            }
            _ = try await t.release([Self.bolt(1, name: "Bolt 1 v2")])
            for consumer in ["odoo", "erp"] {
                let second = try #require(try await queue.claim(consumer: consumer, worker: "w", limit: 1, lease: 30, references: [:]).first)
                try await queue.finish(second, worker: "w", outcome: .delivered(note: nil), policy: DeliveryBackOff())
            }
            let admin = try await t.actor("ops", .admin)
            let versionOne = try await t.client.query("SELECT id FROM delivery WHERE version = 1 ORDER BY consumer", logger: TestLogger.quiet)
            let ids = try await versionOne.decode(Int64.self).rows()  // erp's, then odoo's
            let forOdoo = try await t.store.replay(delivery: ids[1], consumer: nil, since: nil, entities: t.allEntities, by: admin.principal, requestID: "r")
            #expect(forOdoo.map(\.version) == [2] && forOdoo.map(\.recordID) == [id], "Odoo gets the current values, never version 1's back")
            let forERP = try await t.store.replay(delivery: ids[0], consumer: nil, since: nil, entities: t.allEntities, by: admin.principal, requestID: "r")
            #expect(forERP.map(\.version) == [1], "an endpoint told of every version gets the one replayed")
            let audit = try await t.client.query("SELECT count(*)::int8 FROM audit_entry WHERE action = 'delivery.replayed'", logger: TestLogger.quiet)
            #expect(try await audit.decode(Int64.self).rows() == [2], "one audit entry per replay")
        }
    }
}

import AurumCore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// A consumer the outbox delivers to: Odoo, a webhook endpoint.
public protocol DeliveryConsumer: Sendable {
    var registration: ConsumerRegistration { get }
    /// How many of its deliveries one worker takes at once.
    var batchSize: Int { get }
    /// The longest one request to the consumer may take, in seconds: a lease is always longer.
    var timeLimit: Double { get }
    /// Delivers `jobs`, one outcome per job, in order.
    func deliver(_ jobs: [DeliveryJob]) async -> [DeliveryOutcome]
}

/// The publishing worker: claims each consumer's due deliveries from the outbox (several
/// workers, in one process or many, share it through SKIP LOCKED and leases), hands them to the
/// consumer and records the answers. Each consumer has a loop of its own, so one slow endpoint
/// never delays another. A claim's lease is longer than the consumer's own time limit and is
/// renewed while its deliveries are in flight; a worker that finds its lease taken over stops
/// sending, and its answers are refused by the claim's fencing token.
public struct OutboxDispatcher: Service {
    let queue: any DeliveryQueue
    let consumers: [any DeliveryConsumer]
    let worker: String
    let policy: DeliveryBackOff
    /// Seconds a claim is held at least (renewed every third of it while the consumer works); a
    /// worker killed meanwhile has its deliveries claimed again after it.
    let lease: Double
    /// The consumers the rules declare, this process's or not: every process declares them all.
    let declared: [ConsumerRegistration]
    /// How long an idle loop waits before it looks again, unless a release rings `releases` first.
    let idle: Duration
    /// Rung at each committed release (see `ReleaseNotifications`).
    let releases: ReleaseSignal
    /// Per entity, the attributes that reference other records, which reach a consumer first.
    let references: [String: [String]]
    /// The rules' sensitive attributes, masked in what a consumer answers before it is kept or logged.
    let sensitive: SensitiveNames?
    /// Where deliveries are counted (`aurum_deliveries_total`), when anywhere.
    let metrics: (any MetricsFactory)?
    let logger: Logger

    public init(queue: any DeliveryQueue, consumers: [any DeliveryConsumer], declared: [ConsumerRegistration]? = nil,
                worker: String = OutboxDispatcher.workerName(), policy: DeliveryBackOff = DeliveryBackOff(), lease: Double = 60,
                idle: Duration = .milliseconds(500), releases: ReleaseSignal = ReleaseSignal(), references: [String: [String]] = [:],
                sensitive: SensitiveNames? = nil, metrics: (any MetricsFactory)? = nil, logger: Logger) {
        self.sensitive = sensitive
        self.metrics = metrics
        self.queue = queue; self.consumers = consumers; self.worker = worker; self.policy = policy
        self.declared = declared ?? consumers.map(\.registration)
        self.lease = lease; self.idle = idle; self.releases = releases; self.references = references; self.logger = logger
    }

    /// `host:pid`, naming the worker in the leases it holds.
    public static func workerName() -> String {
        "outbox@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Declares the consumers, then delivers until the service group shuts down.
    public func run() async throws {
        try await queue.declare(declared)
        guard !consumers.isEmpty else {
            // Nothing to publish to: stay until the group shuts down (a service that returns ends it).
            logger.info("no consumer configured: releases are kept in the change feed, and nothing is delivered")
            try? await gracefulShutdown()
            return
        }
        logger.info("publishing", metadata: ["aurum.consumers": "\(consumers.map(\.registration.name))", "aurum.worker": "\(worker)"])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for consumer in consumers {
                    group.addTask { await loop(consumer) }
                }
            }
        } onGracefulShutdown: {
            logger.info("publishing stops after the deliveries in hand")
        }
    }

    /// Delivers what is due now, for every consumer, until nothing is due; for `aurum publish --drain`.
    /// Returns how many deliveries were worked.
    public func drain() async throws -> Int {
        try await queue.declare(declared)
        var total = 0
        for consumer in consumers {
            while let worked = try? await once(consumer), worked > 0 { total += worked }
        }
        return total
    }

    func loop(_ consumer: any DeliveryConsumer) async {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let seen = releases.rings
                let worked = try await once(consumer)
                failures = 0
                // Idle: until the next release, or `idle` for retries falling due.
                if worked == 0 { await releases.wait(beyond: seen, upTo: idle) }
            } catch is CancellationError {
                return
            } catch {
                // The database away: wait and look again, longer each time, never giving up.
                failures += 1
                logger.warning("publishing cannot reach the outbox; trying again", metadata: [
                    "aurum.consumer": "\(consumer.registration.name)", "aurum.error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(min(200 * (1 << min(failures, 6)), 10_000)))
            }
        }
    }

    /// The lease for `consumer`'s claims: the configured one, and always longer than the
    /// consumer's own time limit.
    func lease(for consumer: any DeliveryConsumer) -> Double { max(lease, consumer.timeLimit * 2) }

    /// One claim of `consumer`'s due deliveries, delivered and finished; how many there were.
    func once(_ consumer: any DeliveryConsumer) async throws -> Int {
        let lease = lease(for: consumer)
        let jobs = try await queue.claim(consumer: consumer.registration.name, worker: worker, limit: consumer.batchSize,
                                         lease: lease, references: references)
        guard !jobs.isEmpty else { return 0 }
        guard let answered = await deliverHoldingLease(jobs, to: consumer, lease: lease) else {
            logger.warning("a claim's lease was taken over while its deliveries were in flight; sending stopped, another worker has them",
                           metadata: ["aurum.consumer": "\(consumer.registration.name)", "aurum.deliveries": "\(jobs.count)"])
            return jobs.count
        }
        // A consumer's answer may quote a value it was sent: sensitive ones are masked before it is kept or logged.
        let outcomes = zip(jobs, answered).map { job, outcome in sensitive.map { names in outcome.text { names.scrub($0, of: job.event) } } ?? outcome }
        for (job, outcome) in zip(jobs, outcomes) {
            if let metrics {
                Counter(label: "aurum_deliveries_total", dimensions: [("consumer", job.consumer), ("result", outcome.result)], factory: metrics).increment()
            }
            var metadata: Logger.Metadata = ["aurum.consumer": "\(job.consumer)", "aurum.event": "\(job.event.id)", "aurum.outcome": "\(outcome)"]
            if let traceparent = job.event.traceparent, let trace = TraceContext(traceparent: traceparent) { metadata["trace_id"] = "\(trace.traceID)" }
            if case .delivered = outcome {
                logger.info("delivered", metadata: metadata)
            } else {
                logger.notice("a delivery failed", metadata: metadata)
            }
        }
        try await queue.finish(Array(zip(jobs, outcomes)).map { (job: $0.0, outcome: $0.1) }, worker: worker, policy: policy)
        return jobs.count
    }

    /// The consumer's outcomes for `jobs`, their lease renewed every third of `lease` meanwhile;
    /// nil when a renewal did not confirm every delivery (another worker claimed one since, or
    /// the database did not answer within that third): the sending is then cancelled at once.
    /// A worker therefore sends only while its lease is confirmed for at least two thirds of
    /// `lease` ahead, and a call in flight (at most half the lease) ends before anyone else may
    /// claim the delivery; the fencing token still keeps a late answer from being recorded.
    func deliverHoldingLease(_ jobs: [DeliveryJob], to consumer: any DeliveryConsumer, lease: Double) async -> [DeliveryOutcome]? {
        let third = Duration.milliseconds(Int(lease * 1000 / 3))
        return await withTaskGroup(of: [DeliveryOutcome]?.self) { group in
            group.addTask { await consumer.deliver(jobs) }
            group.addTask {
                while true {
                    try? await Task.sleep(for: third)
                    if Task.isCancelled { return [] }
                    guard await renewed(jobs, lease: lease, within: third) else { return nil }
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Whether every delivery of `jobs` is still this worker's, its lease extended, as the
    /// database said within `limit`.
    func renewed(_ jobs: [DeliveryJob], lease: Double, within limit: Duration) async -> Bool {
        let queue = queue
        return await answer(within: limit) { (try? await queue.renew(jobs, lease: lease)).map { $0.count == jobs.count } ?? false } ?? false
    }
}

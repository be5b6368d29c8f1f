import AurumCore
import CoreMetrics
import Foundation
import Hummingbird
import Metrics
import Prometheus
import Synchronization

/// Aurum's metrics in Prometheus's text format (`GET /metrics`), through swift-metrics with
/// swift-prometheus as its backend, on a registry of the server's own (never the process-global
/// one, so that every server and test counts alone). Names start with `aurum_`, are in base units
/// and counters end in `_total`; every label takes a bounded set of values (routes as templates,
/// entities, sources, gates and consumers as the rules name them, statuses and outcomes).
///
/// Counters and histograms count what this process did; the gauges (open change requests by gate
/// and age, deliveries waiting and dead, the oldest waiting delivery's age, the feed's position,
/// this process's database connections by state against its pool's size)
/// are read from the database at each scrape, so every server reports the same.
public final class AurumMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    /// The most connections this process's pool opens (`aurum_db_pool_max_connections`).
    let poolSize: Int

    public init(poolSize: Int = 20) {
        self.poolSize = poolSize
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                   .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10)]
        self.registry = registry
        self.factory = factory
    }

    /// One request answered: its route (the template), method and status, and how long it took.
    func request(route: String, method: String, status: Int, duration: Duration) {
        Counter(label: "aurum_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
            .increment()
        Timer(label: "aurum_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            .recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The outcomes of one ingest batch: candidates by entity, source and outcome; match bands.
    public func ingested(_ submissions: [CandidateSubmission], _ results: [IngestResult]) {
        for (submission, result) in zip(submissions, results) {
            let outcome = result.released != nil ? "released" : result.status.rawValue
            Counter(label: "aurum_candidates_total", dimensions: [("entity", submission.entity), ("source", submission.source), ("outcome", outcome)],
                    factory: factory).increment()
            if let band = result.match?.band {
                Counter(label: "aurum_match_decisions_total", dimensions: [("entity", submission.entity), ("band", band.rawValue)], factory: factory)
                    .increment()
            }
            if result.released != nil { released(entity: submission.entity) }
        }
    }

    /// A version released (by an approval, or an auto-approve gate at ingest).
    public func released(entity: String) {
        Counter(label: "aurum_releases_total", dimensions: [("entity", entity)], factory: factory).increment()
    }

    /// The text a scrape answers, the gauges read from `store` first.
    func scrape(store: any StewardshipStore, entities: [String]) async throws -> String {
        // The board holds the outbox's figures too (per consumer, and the feed's position): one read of each.
        let board = try await store.statusBoard(entities: entities)
        for entity in board.entities {
            for (age, count) in [("under_1d", entity.open.underOneDay), ("1d_to_7d", entity.open.oneToSevenDays), ("over_7d", entity.open.overSevenDays)] {
                gauge("aurum_change_requests_open", [("entity", entity.entity), ("age", age)], Double(count))
            }
            for gate in entity.gates {
                for (age, count) in [("under_1d", gate.pending.underOneDay), ("1d_to_7d", gate.pending.oneToSevenDays), ("over_7d", gate.pending.overSevenDays)] {
                    gauge("aurum_change_requests_pending_at_gate", [("entity", entity.entity), ("gate", gate.gate), ("age", age)], Double(count))
                }
            }
        }
        let now = Date()
        let consumers = Dictionary(board.consumers.map { ($0.consumer, $0) }) { first, _ in first }
        for name in Set(consumers.keys).union(registeredConsumers.withLock { $0 }) {
            let consumer = consumers[name]
            let oldest = consumer?.oldestPendingAt.flatMap(Instant.parse).map { max(0, now.timeIntervalSince($0)) } ?? 0
            gauge("aurum_deliveries_waiting", [("consumer", name)], Double(consumer?.pending ?? 0))
            gauge("aurum_delivery_oldest_waiting_seconds", [("consumer", name)], oldest)
            gauge("aurum_deliveries_dead", [("consumer", name)], Double(consumer?.dead ?? 0))
        }
        registeredConsumers.withLock { $0.formUnion(consumers.keys) }
        gauge("aurum_feed_position", [], Double(board.feedPosition))
        let connections = try await store.databaseConnections()
        for state in Set(DatabaseConnections.states).union(connections.byState.keys) {
            gauge("aurum_db_connections", [("state", state)], Double(connections.byState[state] ?? 0))
        }
        gauge("aurum_db_pool_max_connections", [], Double(poolSize))
        return registry.emitToString()
    }

    /// Consumers seen once keep their gauges (at 0) when nothing waits for them any more.
    private let registeredConsumers = Mutex(Set<String>())

    private func gauge(_ name: String, _ labels: [(String, String)], _ value: Double) {
        registry.makeGauge(name: name, labels: labels).set(value)
    }
}

/// Counts every request answered by the router, by its route template, method and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: AurumMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
                            duration: ContinuousClock.now - started)
            return response
        } catch let error as HTTPResponseError {
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: error.status.code,
                            duration: ContinuousClock.now - started)
            throw error
        } catch {
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: 500, duration: ContinuousClock.now - started)
            throw error
        }
    }
}

import AurumCore
import Foundation
import Logging
import PostgresNIO

/// The outbox on PostgreSQL: deliveries written by the releasing transaction (see migration
/// 0009), claimed by workers with `FOR UPDATE SKIP LOCKED` and a lease, finished with what the
/// consumer answered.
public struct PostgresDeliveryQueue: DeliveryQueue {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func declare(_ consumers: [ConsumerRegistration]) async throws {
        guard !consumers.isEmpty else { return }
        try await client.withConnection { connection in try await Consumers.declare(consumers, on: connection, logger: logger) }
    }

    public func enabledConsumers() async throws -> [String] {
        let rows = try await client.query("SELECT name FROM consumer WHERE enabled ORDER BY name", logger: logger)
        var names = [String]()
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    public func claim(consumer: String, worker: String, limit: Int, lease: Double, references: [String: [String]]) async throws -> [DeliveryJob] {
        let unfinished = DeliveryLifecycle.unfinished.map(\.rawValue), leased = DeliveryLifecycle.claimed.rawValue, dead = DeliveryState.dead.rawValue
        return try await client.transaction(logger: logger) { connection in
            // One claimer per consumer at a time, so that two workers never take two versions of
            // one record (the rows they would compare are not yet leased when both look).
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("delivery:" + consumer), 0))", logger: logger)
            let rows = try await connection.query("""
                WITH cons AS (SELECT latest_only FROM consumer WHERE name = \(consumer) AND enabled),
                due AS (
                    SELECT d.id FROM delivery d
                    JOIN golden_version gv ON gv.record_id = d.record_id AND gv.version = d.version
                    CROSS JOIN cons
                    WHERE d.consumer = \(consumer) AND d.state IN \(unescaped: DeliveryLifecycle.sqlList(DeliveryLifecycle.claimable))
                      AND d.next_attempt_at <= clock_timestamp()
                      -- in order: nothing earlier of the record still to deliver (latest-only: nothing later)
                      AND NOT EXISTS (SELECT 1 FROM delivery e
                                      WHERE e.consumer = d.consumer AND e.record_id = d.record_id AND e.id <> d.id
                                        AND CASE WHEN cons.latest_only
                                                 -- never two versions of a record in flight, and only the newest sent
                                                 THEN (e.version > d.version AND e.state = ANY(\(unfinished)))
                                                      OR (e.state = \(leased) AND e.lease_until > clock_timestamp())
                                                 ELSE e.version < d.version AND (e.state = ANY(\(unfinished)) OR e.state = \(dead)) END)
                      -- the records it references reach this consumer first
                      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(\(SQLJSON.text(references))::jsonb -> d.entity) AS a(name)
                                      JOIN delivery r ON r.consumer = d.consumer
                                       AND r.record_id = CASE WHEN jsonb_typeof(gv.attributes -> a.name) = 'number'
                                                              THEN (gv.attributes ->> a.name)::numeric::bigint END
                                       AND r.state = ANY(\(unfinished)))
                    ORDER BY d.next_attempt_at, d.id
                    LIMIT \(limit)
                    FOR UPDATE OF d SKIP LOCKED
                )
                UPDATE delivery d
                SET state = \(leased), attempts = d.attempts + 1, leased_by = \(worker), lease_token = nextval('delivery_lease_token'),
                    -- from the moment of the claim, not the transaction's start (the lock above may have been waited for)
                    lease_until = clock_timestamp() + make_interval(secs => \(lease)),
                    next_attempt_at = clock_timestamp() + make_interval(secs => \(lease))
                FROM due WHERE d.id = due.id
                RETURNING d.id, d.consumer, d.attempts, d.position, d.lease_token
                """, logger: logger)
            var claimed = [(Int64, String, Int, Int64, Int64)]()
            for try await row in rows.decode((Int64, String, Int, Int64, Int64).self) { claimed.append(row) }
            guard !claimed.isEmpty else { return [] }
            let events = try await ChangeFeed.events(positions: claimed.map(\.3), on: connection, logger: logger)
            return claimed.compactMap { id, consumer, attempts, position, token in
                events[position].map { DeliveryJob(id: id, consumer: consumer, attempts: attempts, event: $0, leaseToken: token) }
            }.sorted { $0.event.data.position < $1.event.data.position }
        }
    }

    public func renew(_ jobs: [DeliveryJob], lease: Double) async throws -> Set<Int64> {
        guard !jobs.isEmpty else { return [] }
        let rows = try await client.query("""
            UPDATE delivery d
            SET lease_until = clock_timestamp() + make_interval(secs => \(lease)), next_attempt_at = clock_timestamp() + make_interval(secs => \(lease))
            FROM unnest(\(jobs.map(\.id))::bigint[], \(jobs.map(\.leaseToken))::bigint[]) AS j(id, token)
            WHERE d.id = j.id AND d.lease_token = j.token AND d.state = \(DeliveryLifecycle.claimed.rawValue)
            RETURNING d.id
            """, logger: logger)
        var held = Set<Int64>()
        for try await id in rows.decode(Int64.self) { held.insert(id) }
        return held
    }

    /// The audit entry of a delivery's outcome (`delivery.delivered`, `.dead`, `.skipped`, `.replayed`),
    /// by the worker that reached it.
    static func outcome(_ state: String, id: Int64, consumer: String, entity: String, record: Int64, version: Int, worker: String,
                        after: [String: JSONValue] = [:], reason: String?) -> AuditEntry {
        AuditEntry(actor: worker, action: "delivery.\(state)", entity: entity, subject: "delivery:\(id)", recordID: record, version: version,
                   after: .object(after.merging(["consumer": .string(consumer)]) { a, _ in a }), reason: reason, requestID: "outbox")
    }

    public func finish(_ answers: [(job: DeliveryJob, outcome: DeliveryOutcome)], worker: String, policy: DeliveryBackOff) async throws {
        guard !answers.isEmpty else { return }
        let transitions = answers.map { DeliveryTransition.after($0.outcome, attempts: $0.job.attempts, policy: policy, random: Double.random(in: 0..<1)) }
        let finished = DeliveryState.allCases.filter(\.isFinished).map(\.rawValue)
        let rows: [JSONValue] = zip(answers, transitions).map { answer, transition in
            let note: String? = if case .delivered(let note) = answer.outcome { note } else { nil }
            return ["id": .number(Double(answer.job.id)), "token": .number(Double(answer.job.leaseToken)), "state": .string(transition.state.rawValue),
                    "error": transition.error.map(JSONValue.string) ?? .null, "note": note.map(JSONValue.string) ?? .null,
                    "retry_in": .number(transition.retryIn ?? 0)]
        }
        try await client.transaction(logger: logger) { connection in
            // One statement for the claim's answers; only rows still held under this claim's
            // fencing token change (a worker whose lease was lost and claimed again changes nothing).
            let updated = try await connection.query("""
                UPDATE delivery d
                SET state = u.state, last_error = coalesce(u.error, d.last_error), note = coalesce(u.note, d.note),
                    lease_until = NULL, leased_by = NULL, lease_token = NULL,
                    next_attempt_at = now() + make_interval(secs => u.retry_in),
                    finished_at = CASE WHEN u.state = ANY(\(finished)) THEN now() END
                FROM jsonb_to_recordset(\(SQLJSON.text(rows))::jsonb) AS u(id bigint, token bigint, state text, error text, note text, retry_in float8)
                WHERE d.id = u.id AND d.state = \(DeliveryLifecycle.claimed.rawValue) AND d.lease_token = u.token
                RETURNING d.id, d.consumer, d.record_id, d.version, u.state, d.entity, d.attempts, coalesce(u.note, u.error)
                """, logger: logger)
            var done = [(id: Int64, consumer: String, record: Int64, version: Int, state: String)]()
            var outcomes = [AuditEntry]()
            for try await (id, consumer, record, version, state, entity, attempts, note) in updated.decode(
                (Int64, String, Int64, Int, String, String, Int, String?).self) {
                done.append((id, consumer, record, version, state))
                // Delivered and dead are outcomes; a failed attempt that will be retried is not.
                guard state == DeliveryState.delivered.rawValue || state == DeliveryState.dead.rawValue else { continue }
                outcomes.append(Self.outcome(state, id: id, consumer: consumer, entity: entity, record: record, version: version, worker: worker,
                                             after: ["attempts": .number(Double(attempts))], reason: note))
            }
            if done.count < answers.count {
                logger.info("leases ran out before their deliveries finished; other workers have them",
                            metadata: ["aurum.deliveries": "\(answers.count - done.count)"])
            }
            // Older versions a latest-only consumer never got are skipped in favour of the delivered one.
            let delivered = done.filter { $0.state == DeliveryState.delivered.rawValue }
            if !delivered.isEmpty {
                let skipped = try await connection.query("""
                    UPDATE delivery d
                    SET state = \(DeliveryLifecycle.skipped.rawValue), note = 'superseded by version ' || u.version || ', delivered in its place',
                        finished_at = now()
                    FROM unnest(\(delivered.map(\.consumer))::text[], \(delivered.map(\.record))::bigint[], \(delivered.map { Int64($0.version) })::bigint[])
                         AS u(consumer, record_id, version)
                    JOIN consumer c ON c.name = u.consumer AND c.latest_only
                    WHERE d.consumer = u.consumer AND d.record_id = u.record_id AND d.version < u.version
                      AND d.state = ANY(\(DeliveryLifecycle.skippable.map(\.rawValue)))
                    RETURNING d.id, d.consumer, d.entity, d.record_id, d.version, d.note
                    """, logger: logger)
                for try await (id, consumer, entity, record, version, note) in skipped.decode((Int64, String, String, Int64, Int, String?).self) {
                    outcomes.append(Self.outcome(DeliveryLifecycle.skipped.rawValue, id: id, consumer: consumer, entity: entity, record: record,
                                                 version: version, worker: worker, reason: note))
                }
            }
            // A latest-only consumer whose older version landed after a newer one (a lease lost
            // while both were in flight) may hold the older values now: the newest goes again.
            if !delivered.isEmpty {
                let again = try await connection.query("""
                    UPDATE delivery n
                    SET state = \(DeliveryLifecycle.replayed.rawValue), attempts = 0, next_attempt_at = now(), finished_at = NULL,
                        note = 'sent again: version ' || u.version || ' was delivered after it'
                    FROM unnest(\(delivered.map(\.consumer))::text[], \(delivered.map(\.record))::bigint[], \(delivered.map { Int64($0.version) })::bigint[])
                         AS u(consumer, record_id, version)
                    JOIN consumer c ON c.name = u.consumer AND c.latest_only
                    WHERE n.consumer = u.consumer AND n.record_id = u.record_id AND n.state = \(DeliveryState.delivered.rawValue)
                      AND n.version = (SELECT max(version) FROM delivery m WHERE m.consumer = u.consumer AND m.record_id = u.record_id)
                      AND n.version > u.version
                    RETURNING n.id, n.consumer, n.entity, n.record_id, n.version, n.note
                    """, logger: logger)
                for try await (id, consumer, entity, record, version, note) in again.decode((Int64, String, String, Int64, Int, String?).self) {
                    outcomes.append(Self.outcome(DeliveryLifecycle.replayed.rawValue, id: id, consumer: consumer, entity: entity, record: record,
                                                 version: version, worker: worker, reason: note))
                }
            }
            try await AuditLog.append(contentsOf: outcomes, on: connection, logger: logger)
            let held = Set(done.map(\.id))
            for (answer, transition) in zip(answers, transitions) where transition.disablesConsumer && held.contains(answer.job.id) {
                try await Consumers.disable(answer.job.consumer, reason: transition.error ?? "gone", by: worker, requestID: "outbox",
                                            rulesVersion: nil, on: connection, logger: logger)
            }
        }
    }
}

/// Reading the change feed: released versions by position.
enum ChangeFeed {
    /// Feed positions and deliveries for version 1 of `records`, loaded in bulk, by the function
    /// the commit trigger calls for one version (migration 0010); the last statement of its
    /// transaction, as the counter's lock is held until commit.
    static func appendFirstVersions(entity: String, records: [Int64], on connection: PostgresConnection, logger: Logger) async throws {
        guard !records.isEmpty else { return }
        try await connection.query("""
            SELECT aurum_feed_append_versions(\(entity), \(records)::bigint[], array_fill(1, ARRAY[\(records.count)::int]), now())
            """, logger: logger)
    }

    /// The events at `positions`, by position.
    static func events(positions: [Int64], on connection: PostgresConnection, logger: Logger) async throws -> [Int64: ChangeEvent] {
        let rows = try await connection.query("""
            SELECT \(unescaped: eventColumns) FROM change_feed f
            JOIN golden_version gv ON gv.record_id = f.record_id AND gv.version = f.version
            JOIN golden_record gr ON gr.id = f.record_id
            WHERE f.position = ANY(\(positions))
            """, logger: logger)
        var events = [Int64: ChangeEvent]()
        for try await row in rows {
            let event = try Self.event(row.makeRandomAccess())
            events[event.data.position] = event
        }
        return events
    }

    static let eventColumns = """
        f.position, f.entity, f.record_id, f.version, \(SQLTime.iso("f.released_at")) AS released_at, gv.state, gv.attributes::text AS attributes,
        CASE WHEN gv.state = 'superseded' THEN gr.superseded_by END AS superseded_by, f.trace_id
        """

    static func event(_ r: PostgresRandomAccessRow) throws -> ChangeEvent {
        ChangeEvent(.init(entity: try r.get("entity"), id: try r.get("record_id"), version: try r.get("version"),
                          state: try r.strict(RecordState.self, "state"), attributes: try SQLJSON.decode(Attributes.self, try r.get("attributes")),
                          position: try r.get("position"), supersededBy: try r.get("superseded_by")),
                    releasedAt: try r.get("released_at"), traceID: try r.get("trace_id"))
    }
}

extension PostgresStewardshipStore {
    /// Released versions after feed position `after`, in position order, in `entities` (all
    /// when empty): at most `limit`, and whether more follow.
    public func changes(after: Int64, entities: [String], limit: Int) async throws -> ChangePage {
        let rows = try await client.query("""
            SELECT \(unescaped: ChangeFeed.eventColumns) FROM change_feed f
            JOIN golden_version gv ON gv.record_id = f.record_id AND gv.version = f.version
            JOIN golden_record gr ON gr.id = f.record_id
            WHERE f.position > \(after) AND f.entity = ANY(\(entities))
            ORDER BY f.position LIMIT \(limit + 1)
            """, logger: logger)
        var events = [ChangeEvent]()
        for try await row in rows { events.append(try ChangeFeed.event(row.makeRandomAccess())) }
        let hasMore = events.count > limit
        if hasMore { events.removeLast() }
        return ChangePage(items: events, nextCursor: events.last?.data.position ?? after, hasMore: hasMore)
    }

    /// The version of record `id` current at `instant` (ISO 8601), as a record view; nil when the
    /// record did not exist yet.
    public func record(entity: String, id: Int64, asOf instant: Date) async throws -> RecordView? {
        let rows = try await client.query("""
            SELECT gv.version, gv.state, gv.attributes::text, gv.lineage::text, \(unescaped: SQLTime.iso("gv.released_at")),
                   CASE WHEN gv.state = 'superseded' THEN gr.superseded_by END
            FROM golden_record gr JOIN golden_version gv ON gv.record_id = gr.id
            WHERE gr.id = \(id) AND gr.entity = \(entity) AND gv.released_at <= \(instant)
            ORDER BY gv.version DESC LIMIT 1
            """, logger: logger)
        for try await (version, state, attributes, lineage, at, into) in rows.decode((Int, String, String, String, String, Int64?).self) {
            let sources = try await self.record(entity: entity, id: id)?.sources ?? []
            return RecordView(id: id, entity: entity, version: version, state: RecordState(rawValue: state) ?? .active,
                              attributes: try SQLJSON.decode(Attributes.self, attributes), sources: sources, updatedAt: at,
                              lineage: try SQLJSON.decode([String: Lineage].self, lineage), supersededBy: into)
        }
        return nil
    }
}

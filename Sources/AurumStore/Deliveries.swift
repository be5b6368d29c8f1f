import AurumCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    static let deliveryColumns = """
        d.id, d.consumer, d.entity, d.record_id, d.version, d.position, d.state, d.attempts,
        CASE WHEN d.state IN \(DeliveryLifecycle.sqlList(DeliveryLifecycle.unfinished)) THEN \(SQLTime.iso("d.next_attempt_at")) END AS next_attempt_at,
        d.last_error, d.note, \(SQLTime.iso("d.created_at")) AS created_at, \(SQLTime.iso("d.finished_at")) AS finished_at
        """

    static func delivery(_ r: PostgresRandomAccessRow) throws -> DeliveryView {
        let entity: String = try r.get("entity"), record: Int64 = try r.get("record_id"), version: Int = try r.get("version")
        return DeliveryView(id: try r.get("id"), consumer: try r.get("consumer"), eventID: ChangeEvent.id(entity: entity, record: record, version: version),
                            entity: entity, recordID: record, version: version, position: try r.get("position"),
                            state: try r.strict(DeliveryState.self, "state"), attempts: try r.get("attempts"),
                            nextAttemptAt: try r.get("next_attempt_at"), lastError: try r.get("last_error"), note: try r.get("note"),
                            createdAt: try r.get("created_at"), finishedAt: try r.get("finished_at"))
    }

    /// Deliveries, newest first: of `consumer`, in `state`, of `record` (each optional), in `entities`.
    public func deliveries(consumer: String?, state: DeliveryState?, record: Int64?, entities: [String], limit: Int) async throws -> [DeliveryView] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.deliveryColumns) FROM delivery d
            WHERE (\(consumer)::text IS NULL OR d.consumer = \(consumer)) AND (\(state?.rawValue)::text IS NULL OR d.state = \(state?.rawValue))
              AND (\(record)::bigint IS NULL OR d.record_id = \(record))
              AND d.entity = ANY(\(entities))
            ORDER BY d.id DESC LIMIT \(limit)
            """, logger: logger)
        var result = [DeliveryView]()
        for try await row in rows { result.append(try Self.delivery(row.makeRandomAccess())) }
        return result
    }

    /// The most deliveries one replay queues again.
    public static let replayCap = 10_000

    /// Sends deliveries again, with their event ids: delivery `id`, or every delivery of
    /// `consumer` of versions released at or after `since` (at most `replayCap`, oldest first).
    /// A latest-only consumer (Odoo) gets the record's current version, never an older one's
    /// values back. What waits already is left as it is. One statement, one audit entry.
    /// Returns the deliveries queued again.
    public func replay(delivery id: Int64?, consumer: String?, since: Date?, entities: [String], by caller: Principal,
                       requestID: String) async throws -> [DeliveryView] {
        guard caller.role == .admin || caller.role == .steward else {
            throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not replay deliveries; a steward or admin may")
        }
        let replayable = DeliveryLifecycle.replayable.map(\.rawValue)
        return try await transaction { connection in
            let rows = try await connection.query("""
                WITH chosen AS (
                    SELECT d.id, d.consumer, d.record_id, d.version, c.latest_only FROM delivery d
                    JOIN change_feed f ON f.position = d.position JOIN consumer c ON c.name = d.consumer
                    WHERE d.state = ANY(\(replayable))
                      AND (\(id)::bigint IS NULL OR d.id = \(id))
                      AND (\(consumer)::text IS NULL OR d.consumer = \(consumer))
                      AND (\(since)::timestamptz IS NULL OR f.released_at >= \(since))
                      AND d.entity = ANY(\(entities))
                    ORDER BY d.id LIMIT \(Self.replayCap)
                ), target AS (
                    SELECT DISTINCT cf.position, cf.entity, cf.record_id, cf.version, ch.consumer FROM chosen ch
                    JOIN golden_record gr ON gr.id = ch.record_id
                    JOIN change_feed cf ON cf.record_id = ch.record_id
                     AND cf.version = CASE WHEN ch.latest_only THEN gr.current_version ELSE ch.version END
                )
                INSERT INTO delivery AS d (consumer, position, entity, record_id, version, note)
                SELECT consumer, position, entity, record_id, version, \("replayed by \(caller.name)") FROM target
                ON CONFLICT (consumer, record_id, version) DO UPDATE
                SET state = \(DeliveryLifecycle.replayed.rawValue), attempts = 0, next_attempt_at = now(), lease_until = NULL, leased_by = NULL,
                    lease_token = NULL, finished_at = NULL, note = excluded.note
                WHERE d.state = ANY(\(replayable))
                RETURNING \(unescaped: Self.deliveryColumns)
                """, logger: logger)
            var replayed = [DeliveryView]()
            for try await row in rows { replayed.append(try Self.delivery(row.makeRandomAccess())) }
            if !replayed.isEmpty {
                let first = replayed[0]
                try await AuditLog.append(AuditEntry(
                    actor: caller.name, action: "delivery.replayed", entity: replayed.count == 1 ? first.entity : nil,
                    subject: replayed.count == 1 ? "delivery:\(first.id)" : "deliveries",
                    recordID: replayed.count == 1 ? first.recordID : nil, version: replayed.count == 1 ? first.version : nil,
                    after: ["count": .number(Double(replayed.count)), "consumers": .array(Set(replayed.map(\.consumer)).sorted().map(JSONValue.string)),
                            "deliveries": .array(replayed.prefix(1000).map { .number(Double($0.id)) })],
                    rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
            }
            return replayed.sorted { $0.id < $1.id }
        }
    }

    /// Per consumer, the state of the record's latest delivery.
    public func deliveryStates(record id: Int64) async throws -> [DeliveryView] {
        let rows = try await client.query("""
            SELECT DISTINCT ON (d.consumer) \(unescaped: Self.deliveryColumns) FROM delivery d
            WHERE d.record_id = \(id) ORDER BY d.consumer, d.version DESC, d.id DESC
            """, logger: logger)
        var result = [DeliveryView]()
        for try await row in rows { result.append(try Self.delivery(row.makeRandomAccess())) }
        return result
    }
}

extension PostgresStewardshipStore {
    /// Queues the current version of each of `records` for `consumer` again (a drift repaired by
    /// the outbox): its delivery set pending, or one written when it had none. Returns how many.
    /// A consumer not declared yet is declared, as a publisher would declare it.
    public func requeueCurrent(consumer registration: ConsumerRegistration, records: [Int64], why: String = "drift in the consumer", by actor: String,
                               requestID: String) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        return try await transaction { connection in
            try await Consumers.declare([registration], on: connection, logger: logger)
            return try await requeueCurrent(consumer: registration.name, records: records, why: why, by: actor, requestID: requestID, on: connection)
        }
    }

    /// The same inside a transaction, for a consumer already declared (none when it is not):
    /// `why` is said in the delivery's note and its audit entry.
    func requeueCurrent(consumer: String, records: [Int64], why: String, by actor: String, requestID: String,
                        on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("""
            INSERT INTO delivery (consumer, position, entity, record_id, version, note)
            SELECT c.name, f.position, f.entity, f.record_id, f.version, \("queued again by \(actor): \(why)")
            FROM golden_record gr JOIN change_feed f ON f.record_id = gr.id AND f.version = gr.current_version
            JOIN consumer c ON c.name = \(consumer) AND (c.entities = '{}' OR gr.entity = ANY(c.entities))
            WHERE gr.id = ANY(\(records))
            ON CONFLICT (consumer, record_id, version) DO UPDATE
            SET state = \(DeliveryLifecycle.replayed.rawValue), attempts = 0, next_attempt_at = now(), lease_until = NULL, leased_by = NULL,
                lease_token = NULL, finished_at = NULL, note = excluded.note
            WHERE delivery.state = ANY(\(DeliveryLifecycle.replayable.map(\.rawValue)))
            RETURNING id, entity, record_id, version
            """, logger: logger)
        var count = 0
        for try await (id, entity, record, version) in rows.decode((Int64, String, Int64, Int).self) {
            count += 1
            try await AuditLog.append(AuditEntry(
                actor: actor, action: "delivery.replayed", entity: entity, subject: "delivery:\(id)", recordID: record, version: version,
                after: ["consumer": .string(consumer), "why": .string(why)], rulesVersion: rules.version, requestID: requestID),
                on: connection, logger: logger)
        }
        return count
    }
}

extension PostgresStewardshipStore {
    /// This process's connections (by its `application_name`) by state. The query runs as the
    /// login user (`SET LOCAL ROLE NONE`, for this one read-only transaction): PostgreSQL shows a
    /// connection's state only to its own user, and the pool's connections act as the application role.
    public func databaseConnections() async throws -> DatabaseConnections {
        var connections = DatabaseConnections()
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SET LOCAL ROLE NONE", logger: logger)
            try await connection.query("SET LOCAL transaction_read_only = on", logger: logger)
            let rows = try await connection.query("""
                SELECT coalesce(state, 'hidden'), count(*)::int8 FROM pg_stat_activity
                WHERE application_name = \(DatabaseSettings.applicationName) AND pid IS NOT NULL GROUP BY 1
                """, logger: logger)
            for try await (state, count) in rows.decode((String, Int64).self) {
                connections.byState[DatabaseConnections.label(state), default: 0] += Int(count)
            }
        }
        return connections
    }
}

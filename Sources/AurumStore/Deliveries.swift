import AurumCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    static let deliveryColumns = """
        d.id, d.consumer, d.entity, d.record_id, d.version, d.position, d.state, d.attempts,
        CASE WHEN d.state IN ('pending', 'failed', 'leased') THEN \(SQLTime.iso("d.next_attempt_at")) END AS next_attempt_at,
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

    /// Sends deliveries again, with their event ids: delivery `id`, or every delivery of
    /// `consumer` of versions released at or after `since`. Pending ones are left as they are.
    /// Returns the deliveries queued again; each replay is audited.
    public func replay(delivery id: Int64?, consumer: String?, since: Date?, entities: [String], by caller: Principal,
                       requestID: String) async throws -> [DeliveryView] {
        guard caller.role == .admin || caller.role == .steward else {
            throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not replay deliveries; a steward or admin may")
        }
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE delivery d
                SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL, leased_by = NULL, finished_at = NULL,
                    note = \("replayed by \(caller.name)")
                FROM change_feed f
                WHERE f.position = d.position AND d.state IN ('delivered', 'dead', 'skipped', 'failed')
                  AND (\(id)::bigint IS NULL OR d.id = \(id))
                  AND (\(consumer)::text IS NULL OR d.consumer = \(consumer))
                  AND (\(since)::timestamptz IS NULL OR f.released_at >= \(since))
                  AND d.entity = ANY(\(entities))
                RETURNING \(unescaped: Self.deliveryColumns)
                """, logger: logger)
            var replayed = [DeliveryView]()
            for try await row in rows { replayed.append(try Self.delivery(row.makeRandomAccess())) }
            for delivery in replayed {
                try await AuditLog.append(AuditEntry(
                    actor: caller.name, action: "delivery.replayed", entity: delivery.entity, subject: "delivery:\(delivery.id)",
                    recordID: delivery.recordID, version: delivery.version, after: ["consumer": .string(delivery.consumer)],
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
    /// A consumer no publisher registered yet is registered (disabled until one is configured with it).
    public func requeueCurrent(consumer registration: ConsumerRegistration, records: [Int64], by actor: String, requestID: String) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        let consumer = registration.name
        return try await client.transaction(logger: logger) { connection in
            try await connection.query("""
                INSERT INTO consumer (name, kind, entities, enabled, latest_only)
                VALUES (\(consumer), \(registration.kind.rawValue), \(registration.entities), false, \(registration.latestOnly))
                ON CONFLICT (name) DO NOTHING
                """, logger: logger)
            let rows = try await connection.query("""
                INSERT INTO delivery (consumer, position, entity, record_id, version, note)
                SELECT \(consumer), f.position, f.entity, f.record_id, f.version, \("queued again by \(actor): drift in the consumer")
                FROM golden_record gr JOIN change_feed f ON f.record_id = gr.id AND f.version = gr.current_version
                WHERE gr.id = ANY(\(records))
                ON CONFLICT (consumer, record_id, version) DO UPDATE
                SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL, leased_by = NULL, finished_at = NULL,
                    note = excluded.note
                WHERE delivery.state IN ('delivered', 'dead', 'skipped', 'failed')
                RETURNING id, entity, record_id, version
                """, logger: logger)
            var count = 0
            for try await (id, entity, record, version) in rows.decode((Int64, String, Int64, Int).self) {
                count += 1
                try await AuditLog.append(AuditEntry(
                    actor: actor, action: "delivery.replayed", entity: entity, subject: "delivery:\(id)", recordID: record, version: version,
                    after: ["consumer": .string(consumer), "why": "drift"], rulesVersion: rules.version, requestID: requestID),
                    on: connection, logger: logger)
            }
            return count
        }
    }
}

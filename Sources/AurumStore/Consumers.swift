import AurumCore
import Logging
import PostgresNIO

/// The consumers table: listed for operators, enabled and disabled by them (audited) or by an
/// endpoint's 410. Disabling never drops a delivery: releases keep writing them, and they wait.
enum Consumers {
    /// Declares `consumers` as the rules configure them: new ones enabled, known ones keeping
    /// whether they are enabled (only an operator or a 410 changes that).
    static func declare(_ consumers: [ConsumerRegistration], on connection: PostgresConnection, logger: Logger) async throws {
        let rows: [JSONValue] = consumers.map {
            ["name": .string($0.name), "kind": .string($0.kind.rawValue), "entities": .array($0.entities.map(JSONValue.string)),
             "latest_only": .bool($0.latestOnly)]
        }
        try await connection.query("""
            INSERT INTO consumer (name, kind, entities, enabled, latest_only)
            SELECT c.name, c.kind, ARRAY(SELECT jsonb_array_elements_text(c.entities)), true, c.latest_only
            FROM jsonb_to_recordset(\(SQLJSON.text(rows))::jsonb) AS c(name text, kind text, entities jsonb, latest_only boolean)
            ON CONFLICT (name) DO UPDATE
            SET kind = excluded.kind, entities = excluded.entities, latest_only = excluded.latest_only, updated_at = now()
            WHERE (consumer.kind, consumer.entities, consumer.latest_only) IS DISTINCT FROM (excluded.kind, excluded.entities, excluded.latest_only)
            """, logger: logger)
    }

    /// Disables `name` for `reason`, in the caller's transaction; false when it was disabled already.
    @discardableResult
    static func disable(_ name: String, reason: String, by actor: String, requestID: String, rulesVersion: String?,
                        on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE consumer SET enabled = false, disabled_reason = \(reason), disabled_by = \(actor), disabled_at = now(), updated_at = now()
            WHERE name = \(name) AND enabled RETURNING name
            """, logger: logger)
        guard try await rows.decode(String.self).first(where: { _ in true }) != nil else { return false }
        try await AuditLog.append(AuditEntry(actor: actor, action: "consumer.disabled", subject: "consumer:\(name)", reason: reason,
                                             rulesVersion: rulesVersion, requestID: requestID), on: connection, logger: logger)
        return true
    }
}

extension PostgresStewardshipStore {
    /// Every consumer, by name, with its waiting and dead deliveries.
    public func consumers() async throws -> [ConsumerView] {
        let unfinished = DeliveryLifecycle.unfinished.map(\.rawValue)
        let rows = try await client.query("""
            SELECT c.name, c.kind, c.entities, c.latest_only, c.enabled, c.disabled_reason, c.disabled_by, \(unescaped: SQLTime.iso("c.disabled_at")),
                   (SELECT count(*) FROM delivery d WHERE d.consumer = c.name AND d.state = ANY(\(unfinished)))::int8,
                   (SELECT count(*) FROM delivery d WHERE d.consumer = c.name AND d.state = \(DeliveryState.dead.rawValue))::int8
            FROM consumer c ORDER BY c.name
            """, logger: logger)
        var result = [ConsumerView]()
        for try await (name, kind, entities, latestOnly, enabled, reason, by, at, waiting, dead)
            in rows.decode((String, String, [String], Bool, Bool, String?, String?, String?, Int64, Int64).self) {
            guard let kind = ConsumerRegistration.Kind(rawValue: kind) else { throw StoreError.unavailable("consumer \(name) has an unknown kind \(kind)") }
            result.append(ConsumerView(name: name, kind: kind, entities: entities, latestOnly: latestOnly, enabled: enabled, disabledReason: reason,
                                       disabledBy: by, disabledAt: at, waiting: Int(waiting), dead: Int(dead)))
        }
        return result
    }

    /// Enables or disables consumer `name` (an admin's decision, audited with its reason);
    /// returns the consumer as it is now. Enabling clears a 410's reason.
    public func setConsumer(_ name: String, enabled: Bool, reason: String?, by caller: Principal, requestID: String) async throws -> ConsumerView {
        guard caller.role == .admin else {
            throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not enable or disable consumers; an admin may")
        }
        let rulesVersion = rules.version
        try await transaction { connection in
            let known = try await connection.query("SELECT enabled FROM consumer WHERE name = \(name) FOR UPDATE", logger: logger)
            guard let was = try await known.decode(Bool.self).first(where: { _ in true }) else {
                throw StoreError.notFound("no consumer \(name); aurum consumers list shows them")
            }
            if enabled {
                guard !was else { return }
                try await connection.query("""
                    UPDATE consumer SET enabled = true, disabled_reason = NULL, disabled_by = NULL, disabled_at = NULL, updated_at = now()
                    WHERE name = \(name)
                    """, logger: logger)
                try await AuditLog.append(AuditEntry(actor: caller.name, action: "consumer.enabled", subject: "consumer:\(name)", reason: reason,
                                                     rulesVersion: rulesVersion, requestID: requestID), on: connection, logger: logger)
            } else {
                try await Consumers.disable(name, reason: reason ?? "disabled by \(caller.name)", by: caller.name, requestID: requestID,
                                            rulesVersion: rulesVersion, on: connection, logger: logger)
            }
        }
        guard let now = try await consumers().first(where: { $0.name == name }) else { throw StoreError.notFound("no consumer \(name)") }
        return now
    }
}

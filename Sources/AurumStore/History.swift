import AurumCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// The audit entries about record `id` or one of its change requests (a merge's too), in
    /// order, the newest `HistoryView.limit` of them; nil when the record does not exist in `entity`.
    public func history(entity: String, id: Int64) async throws -> HistoryView? {
        let exists = try await client.query("SELECT 1 FROM golden_record WHERE id = \(id) AND entity = \(entity)", logger: logger)
        guard try await exists.decode(Int.self).first(where: { _ in true }) != nil else { return nil }
        let rows = try await client.query("""
            SELECT \(unescaped: SQLTime.iso("e.at")) AS at, e.actor, e.action, e.subject, e.version, e.reason,
                   e.before::text AS before, e.after::text AS after
            FROM audit_entry e
            WHERE e.id IN (SELECT a.id FROM audit_entry a WHERE a.record_id = \(id) AND a.entity = \(entity)
                           UNION
                           SELECT a.id FROM change_request cr JOIN audit_entry a ON a.subject = 'change_request:' || cr.id
                           WHERE cr.entity = \(entity) AND (cr.record_id = \(id) OR cr.merge_record_id = \(id)))
            ORDER BY e.id DESC LIMIT \(HistoryView.limit + 1)
            """, logger: logger)
        var events = [HistoryView.Event]()
        for try await row in rows {
            let r = row.makeRandomAccess()
            let subject: String? = try r.get("subject")
            let before = try (r.get("before") as String?).map { try SQLJSON.decode(JSONValue.self, $0) }
            let after = try (r.get("after") as String?).map { try SQLJSON.decode(JSONValue.self, $0) }
            let state = before?.objectValue?["state"]?.stringValue.flatMap { from in
                after?.objectValue?["state"]?.stringValue.map { HistoryView.StateChange(from: from, to: $0) }
            }
            events.append(HistoryView.Event(
                at: try r.get("at"), actor: try r.get("actor"), action: try r.get("action"),
                changeRequestID: subject.flatMap { $0.hasPrefix("change_request:") ? Int64($0.dropFirst("change_request:".count)) : nil },
                version: try r.get("version"), reason: try r.get("reason"), gate: after?.objectValue?["gate"]?.stringValue, state: state))
        }
        let truncated = events.count > HistoryView.limit
        return HistoryView(id: id, entity: entity, events: Array(events.prefix(HistoryView.limit).reversed()), truncated: truncated)
    }

    /// Per entity of `entities` (none when empty): open change requests by age and by gate,
    /// unsettled possible duplicates, blocked and obsolete records, candidates rejected in the
    /// last 24 hours. Counts and ages are PostgreSQL's; the gates are asked of each open change
    /// request, read in the few columns a gate plan needs.
    public func statusBoard(entities: [String]) async throws -> StatusBoard {
        let names = entities.sorted()
        var board = [String: StatusBoard.Entity]()
        for name in names { board[name] = StatusBoard.Entity(entity: name) }
        let counts = try await client.query("""
            SELECT e.entity,
                   (SELECT count(*) FROM golden_record gr WHERE gr.entity = e.entity AND gr.state = \(RecordState.blocked.rawValue))::int8,
                   (SELECT count(*) FROM golden_record gr WHERE gr.entity = e.entity AND gr.state = \(RecordState.obsolete.rawValue))::int8,
                   (SELECT count(*) FROM candidate c WHERE c.entity = e.entity AND c.status = 'rejected'
                      AND c.received_at > now() - interval '24 hours')::int8,
                   (SELECT count(*) FROM change_request cr WHERE cr.entity = e.entity AND cr.status = 'open'
                      AND EXISTS (SELECT 1 FROM possible_duplicate d WHERE d.change_request_id = cr.id AND d.resolution IS NULL))::int8,
                   o.under_1d, o.d1_to_7d, o.over_7d, o.oldest
            FROM unnest(\(names)::text[]) AS e(entity)
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE cr.created_at > now() - interval '1 day')::int8 AS under_1d,
                       count(*) FILTER (WHERE cr.created_at <= now() - interval '1 day' AND cr.created_at > now() - interval '7 days')::int8 AS d1_to_7d,
                       count(*) FILTER (WHERE cr.created_at <= now() - interval '7 days')::int8 AS over_7d,
                       \(unescaped: SQLTime.iso("min(cr.created_at)")) AS oldest
                FROM change_request cr WHERE cr.entity = e.entity AND cr.status = 'open') AS o
            """, logger: logger)
        for try await (entity, blocked, obsolete, rejected, duplicates, under, week, older, oldest)
            in counts.decode((String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, String?).self) {
            board[entity]!.blocked = Int(blocked)
            board[entity]!.obsolete = Int(obsolete)
            board[entity]!.rejectedLast24h = Int(rejected)
            board[entity]!.possibleDuplicates = Int(duplicates)
            board[entity]!.open = StatusBoard.Ages(underOneDay: Int(under), oneToSevenDays: Int(week), overSevenDays: Int(older))
            board[entity]!.oldestOpenAt = oldest
        }
        let deliveries = try await deliveryBoard(entities: names)
        for (entity, figures) in deliveries.byEntity {
            board[entity]?.deliveriesPending = figures.pending
            board[entity]?.deliveriesDead = figures.dead
            board[entity]?.lastDeliveryError = figures.lastError
        }
        let now = Date()
        // Where each open change request waits, counted by group: the database groups the open
        // requests by what their gates depend on (kind, source, the attributes that change, the
        // proposed values a gate's condition tests, the approvals and revision) and by age, so
        // that the gates are worked out once per group, not once per request (a bulk import
        // leaves a hundred thousand open, nearly all alike).
        let tested = Array(Set(rules.entities.values.flatMap { $0.gates.compactMap(\.when).flatMap(\.values).map(\.attribute) })).sorted()
        let rows = try await client.query("""
            WITH approvals AS (
                SELECT a.change_request_id,
                       json_agg(json_build_object('approver', a.approver, 'revision', a.revision, 'at', '', 'gate', a.gate)
                                ORDER BY a.approver, a.revision, a.gate)::text AS approvals
                FROM approval a JOIN change_request c ON c.id = a.change_request_id AND c.status = 'open' AND c.entity = ANY(\(names))
                GROUP BY a.change_request_id)
            SELECT cr.entity, cr.kind, cr.source, cr.revision, jsonb_path_query_array(cr.diff, '$[*].attribute')::text AS changed,
                   CASE WHEN cardinality(\(tested)::text[]) = 0 THEN '{}'
                        ELSE (SELECT coalesce(jsonb_object_agg(p.key, p.value), '{}') FROM jsonb_each(cr.proposed) p WHERE p.key = ANY(\(tested)))::text
                   END AS tested,
                   coalesce(ap.approvals, '[]') AS approvals,
                   CASE WHEN cr.created_at > now() - interval '1 day' THEN 0 WHEN cr.created_at > now() - interval '7 days' THEN 1 ELSE 2 END AS age,
                   count(*)::int8
            FROM change_request cr LEFT JOIN approvals ap ON ap.change_request_id = cr.id
            WHERE cr.status = 'open' AND cr.entity = ANY(\(names))
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            """, logger: logger)
        for try await (entity, kindText, source, revision, changedText, testedText, approvalsText, age, count)
            in rows.decode((String, String, String, Int, String, String, String, Int, Int64).self) {
            guard var entry = board[entity], let kind = ChangeKind(rawValue: kindText) else { continue }
            let plan = gatePlan(entity: entity, kind: kind, changed: Set(try SQLJSON.decode([String].self, changedText)), source: source,
                                proposed: try SQLJSON.decode(Attributes.self, testedText))
            let gates = GateView.of(plan, approvals: try SQLJSON.decode([ApprovalView].self, approvalsText), revision: revision)
            for gate in gates where gate.status != .satisfied {
                var counted = entry.gates.first { $0.gate == gate.name } ?? StatusBoard.Gate(gate: gate.name)
                if gate.status == .waiting {
                    counted.waiting += Int(count)
                } else {
                    counted.pending.add(Int(count), inBucket: age)
                }
                entry.gates.removeAll { $0.gate == gate.name }
                entry.gates.append(counted)
            }
            board[entity] = entry
        }
        for name in names { board[name]!.gates.sort { $0.gate < $1.gate } }
        let generated = ISO8601DateFormatter().string(from: now)
        return StatusBoard(generatedAt: generated, entities: names.map { board[$0]! },
                           consumers: deliveries.byConsumer, feedPosition: try await feedPosition())
    }

    /// The deliveries of `entities` not done yet and given up, per entity and per consumer (every
    /// consumer of these entities, those with none too), with the oldest waiting one and the
    /// latest error of one not done. Three reads, each on its own partial index (unfinished,
    /// given up, failing), never every delivery ever made.
    func deliveryBoard(entities names: [String]) async throws
        -> (byEntity: [String: (pending: Int, dead: Int, lastError: StatusBoard.Entity.DeliveryError?)], byConsumer: [StatusBoard.Consumer]) {
        let unfinished = DeliveryLifecycle.unfinished.map(\.rawValue)
        var byEntity = [String: (pending: Int, dead: Int, lastError: StatusBoard.Entity.DeliveryError?)]()
        var byConsumer = [String: StatusBoard.Consumer]()
        let consumers = try await client.query("""
            SELECT name FROM consumer WHERE cardinality(entities) = 0 OR entities && \(names)::text[] ORDER BY name
            """, logger: logger)
        for try await name in consumers.decode(String.self) { byConsumer[name] = StatusBoard.Consumer(consumer: name) }
        let waiting = try await client.query("""
            SELECT d.entity, d.consumer, count(*)::int8, \(unescaped: SQLTime.iso("min(d.created_at)")) FROM delivery d
            WHERE d.state = ANY(\(unfinished)) AND d.entity = ANY(\(names)) GROUP BY 1, 2
            """, logger: logger)
        for try await (entity, consumer, count, oldest) in waiting.decode((String, String, Int64, String).self) {
            byEntity[entity, default: (0, 0, nil)].pending += Int(count)
            byConsumer[consumer, default: .init(consumer: consumer)].pending += Int(count)
            if byConsumer[consumer]!.oldestPendingAt.map({ oldest < $0 }) ?? true { byConsumer[consumer]!.oldestPendingAt = oldest }
        }
        let dead = try await client.query("""
            SELECT d.entity, d.consumer, count(*)::int8 FROM delivery d
            WHERE d.state = \(DeliveryState.dead.rawValue) AND d.entity = ANY(\(names)) GROUP BY 1, 2
            """, logger: logger)
        for try await (entity, consumer, count) in dead.decode((String, String, Int64).self) {
            byEntity[entity, default: (0, 0, nil)].dead += Int(count)
            byConsumer[consumer, default: .init(consumer: consumer)].dead += Int(count)
        }
        // The latest error per entity and consumer; the latest of those per entity and per consumer.
        let errors = try await client.query("""
            SELECT DISTINCT ON (d.entity, d.consumer) d.entity, d.consumer, d.last_error, \(unescaped: SQLTime.iso("d.next_attempt_at"))
            FROM delivery d
            WHERE d.state = ANY(\(unfinished)) AND d.last_error IS NOT NULL AND d.entity = ANY(\(names))
            ORDER BY d.entity, d.consumer, d.next_attempt_at DESC, d.id DESC
            """, logger: logger)
        var latestPerConsumer = [String: String]()
        for try await (entity, consumer, error, at) in errors.decode((String, String, String, String).self) {
            if byEntity[entity]?.lastError.map({ at > $0.nextAttemptAt }) ?? true {
                byEntity[entity, default: (0, 0, nil)].lastError = .init(consumer: consumer, error: error, nextAttemptAt: at)
            }
            if latestPerConsumer[consumer].map({ at > $0 }) ?? true {
                latestPerConsumer[consumer] = at
                byConsumer[consumer, default: .init(consumer: consumer)].lastError = error
            }
        }
        return (byEntity, byConsumer.values.sorted { $0.consumer < $1.consumer })
    }

    /// The change feed's newest position.
    func feedPosition() async throws -> Int64 {
        let rows = try await client.query("SELECT coalesce(max(position), 0)::int8 FROM change_feed", logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }
}

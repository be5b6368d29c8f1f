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
                   (SELECT count(*) FROM delivery d WHERE d.entity = e.entity AND d.state = ANY(\(DeliveryLifecycle.unfinished.map(\.rawValue))))::int8,
                   (SELECT count(*) FROM delivery d WHERE d.entity = e.entity AND d.state = \(DeliveryState.dead.rawValue))::int8,
                   o.under_1d, o.d1_to_7d, o.over_7d, o.oldest
            FROM unnest(\(names)::text[]) AS e(entity)
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE cr.created_at > now() - interval '1 day')::int8 AS under_1d,
                       count(*) FILTER (WHERE cr.created_at <= now() - interval '1 day' AND cr.created_at > now() - interval '7 days')::int8 AS d1_to_7d,
                       count(*) FILTER (WHERE cr.created_at <= now() - interval '7 days')::int8 AS over_7d,
                       \(unescaped: SQLTime.iso("min(cr.created_at)")) AS oldest
                FROM change_request cr WHERE cr.entity = e.entity AND cr.status = 'open') AS o
            """, logger: logger)
        for try await (entity, blocked, obsolete, rejected, duplicates, pending, dead, under, week, older, oldest)
            in counts.decode((String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, String?).self) {
            board[entity]!.deliveriesPending = Int(pending)
            board[entity]!.deliveriesDead = Int(dead)
            board[entity]!.blocked = Int(blocked)
            board[entity]!.obsolete = Int(obsolete)
            board[entity]!.rejectedLast24h = Int(rejected)
            board[entity]!.possibleDuplicates = Int(duplicates)
            board[entity]!.open = StatusBoard.Ages(underOneDay: Int(under), oneToSevenDays: Int(week), overSevenDays: Int(older))
            board[entity]!.oldestOpenAt = oldest
        }
        // Per entity, the latest error of a delivery not done yet.
        let errors = try await client.query("""
            SELECT DISTINCT ON (d.entity) d.entity, d.consumer, d.last_error, \(unescaped: SQLTime.iso("d.next_attempt_at"))
            FROM delivery d
            WHERE d.entity = ANY(\(names)) AND d.state = ANY(\(DeliveryLifecycle.unfinished.map(\.rawValue))) AND d.last_error IS NOT NULL
            ORDER BY d.entity, d.next_attempt_at DESC, d.id DESC
            """, logger: logger)
        for try await (entity, consumer, error, at) in errors.decode((String, String, String, String).self) {
            board[entity]?.lastDeliveryError = .init(consumer: consumer, error: error, nextAttemptAt: at)
        }
        let now = Date()
        let rows = try await client.query("""
            SELECT cr.entity, cr.kind, cr.source, cr.revision, cr.diff::text, cr.proposed::text,
                   extract(epoch FROM now() - cr.created_at)::float8,
                   (SELECT coalesce(json_agg(json_build_object('approver', a.approver, 'revision', a.revision, 'at', '', 'gate', a.gate)), '[]')
                    FROM approval a WHERE a.change_request_id = cr.id)::text
            FROM change_request cr WHERE cr.status = 'open' AND cr.entity = ANY(\(names))
            """, logger: logger)
        for try await (entity, kindText, source, revision, diffText, proposedText, waited, approvalsText)
            in rows.decode((String, String, String, Int, String, String, Double, String).self) {
            guard var entry = board[entity], let kind = ChangeKind(rawValue: kindText) else { continue }
            let plan = gatePlan(entity: entity, kind: kind, diff: try SQLJSON.decode([AttributeChange].self, diffText), source: source,
                                proposed: try SQLJSON.decode(Attributes.self, proposedText))
            let gates = GateView.of(plan, approvals: try SQLJSON.decode([ApprovalView].self, approvalsText), revision: revision)
            for gate in gates where gate.status != .satisfied {
                var counted = entry.gates.first { $0.gate == gate.name } ?? StatusBoard.Gate(gate: gate.name)
                if gate.status == .waiting { counted.waiting += 1 } else { counted.pending.add(waited: waited) }
                entry.gates.removeAll { $0.gate == gate.name }
                entry.gates.append(counted)
            }
            board[entity] = entry
        }
        for name in names { board[name]!.gates.sort { $0.gate < $1.gate } }
        let generated = ISO8601DateFormatter().string(from: now)
        return StatusBoard(generatedAt: generated, entities: names.map { board[$0]! },
                           consumers: try await consumerBoard(entities: names), feedPosition: try await feedPosition())
    }

    /// Per consumer, the deliveries of `entities` not done yet and given up, the oldest waiting
    /// one's creation time and the latest error of one not done.
    func consumerBoard(entities names: [String]) async throws -> [StatusBoard.Consumer] {
        let unfinished = DeliveryLifecycle.unfinished.map(\.rawValue)
        // One sub-query per figure, each on its partial index (unfinished, dead), never every delivery ever made.
        let rows = try await client.query("""
            SELECT c.name,
                   (SELECT count(*) FROM delivery d WHERE d.consumer = c.name AND d.entity = ANY(\(names)) AND d.state = ANY(\(unfinished)))::int8,
                   (SELECT count(*) FROM delivery d WHERE d.consumer = c.name AND d.entity = ANY(\(names)) AND d.state = 'dead')::int8,
                   (SELECT \(unescaped: SQLTime.iso("min(d.created_at)")) FROM delivery d
                    WHERE d.consumer = c.name AND d.entity = ANY(\(names)) AND d.state = ANY(\(unfinished))),
                   (SELECT e.last_error FROM delivery e
                    WHERE e.consumer = c.name AND e.entity = ANY(\(names)) AND e.state = ANY(\(unfinished)) AND e.last_error IS NOT NULL
                    ORDER BY e.next_attempt_at DESC, e.id DESC LIMIT 1)
            FROM consumer c
            WHERE cardinality(c.entities) = 0 OR c.entities && \(names)::text[]
            ORDER BY c.name
            """, logger: logger)
        var consumers = [StatusBoard.Consumer]()
        for try await (name, pending, dead, oldest, error) in rows.decode((String, Int64, Int64, String?, String?).self) {
            consumers.append(.init(consumer: name, pending: Int(pending), dead: Int(dead), oldestPendingAt: oldest, lastError: error))
        }
        return consumers
    }

    /// The change feed's newest position.
    func feedPosition() async throws -> Int64 {
        let rows = try await client.query("SELECT coalesce(max(position), 0)::int8 FROM change_feed", logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }
}

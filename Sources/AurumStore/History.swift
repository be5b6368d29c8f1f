import AurumCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// Every audit entry about record `id` or one of its change requests (a merge's too), in
    /// order; nil when the record does not exist in `entity`.
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
            ORDER BY e.id
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
        return HistoryView(id: id, entity: entity, events: events)
    }

    /// Per entity of `entities` (none when empty): open change requests by age and by gate,
    /// unsettled possible duplicates, blocked and obsolete records, candidates rejected in the
    /// last 24 hours. The gates are asked of each open change request, as the queue asks them.
    public func statusBoard(entities: [String]) async throws -> StatusBoard {
        let names = entities.sorted()
        var board = [String: StatusBoard.Entity]()
        for name in names { board[name] = StatusBoard.Entity(entity: name) }
        let counts = try await client.query("""
            SELECT e.entity,
                   (SELECT count(*) FROM golden_record gr WHERE gr.entity = e.entity AND gr.state = 'blocked')::int8,
                   (SELECT count(*) FROM golden_record gr WHERE gr.entity = e.entity AND gr.state = 'obsolete')::int8,
                   (SELECT count(*) FROM candidate c WHERE c.entity = e.entity AND c.status = 'rejected'
                      AND c.received_at > now() - interval '24 hours')::int8,
                   (SELECT count(*) FROM change_request cr WHERE cr.entity = e.entity AND cr.status = 'open'
                      AND EXISTS (SELECT 1 FROM possible_duplicate d WHERE d.change_request_id = cr.id AND d.resolution IS NULL))::int8,
                   (SELECT count(*) FROM delivery d WHERE d.entity = e.entity AND d.state = ANY(\(DeliveryLifecycle.unfinished.map(\.rawValue))))::int8,
                   (SELECT count(*) FROM delivery d WHERE d.entity = e.entity AND d.state = \(DeliveryState.dead.rawValue))::int8
            FROM unnest(\(names)::text[]) AS e(entity)
            """, logger: logger)
        for try await (entity, blocked, obsolete, rejected, duplicates, pending, dead)
            in counts.decode((String, Int64, Int64, Int64, Int64, Int64, Int64).self) {
            board[entity]!.deliveriesPending = Int(pending)
            board[entity]!.deliveriesDead = Int(dead)
            board[entity]!.blocked = Int(blocked)
            board[entity]!.obsolete = Int(obsolete)
            board[entity]!.rejectedLast24h = Int(rejected)
            board[entity]!.possibleDuplicates = Int(duplicates)
        }
        var filter = QueueFilter()
        (filter.status, filter.entities, filter.limit) = (.open, names, Int.max)
        let now = Date()
        for request in try await changeRequests(filter) {
            guard var entry = board[request.entity] else { continue }
            let waited = Instant.parse(request.createdAt).map { now.timeIntervalSince($0) } ?? 0
            entry.open.add(waited: waited)
            if entry.oldestOpenAt == nil || request.createdAt < entry.oldestOpenAt! { entry.oldestOpenAt = request.createdAt }
            for gate in request.gates where gate.status != .satisfied {
                var counted = entry.gates.first { $0.gate == gate.name } ?? StatusBoard.Gate(gate: gate.name)
                if gate.status == .waiting { counted.waiting += 1 } else { counted.pending.add(waited: waited) }
                entry.gates.removeAll { $0.gate == gate.name }
                entry.gates.append(counted)
            }
            board[request.entity] = entry
        }
        for name in names { board[name]!.gates.sort { $0.gate < $1.gate } }
        let generated = ISO8601DateFormatter().string(from: now)
        return StatusBoard(generatedAt: generated, entities: names.map { board[$0]! })
    }
}

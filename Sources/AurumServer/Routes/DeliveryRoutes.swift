import AurumCore
import Foundation
import Hummingbird

/// The outbox for operators: deliveries and their state, and replays.
struct DeliveryRoutes {
    let store: any StewardshipStore
    let rules: RuleSet

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.get("deliveries", use: list)
        group.post("deliveries/replay", use: replay)
    }

    /// The caller's entities, for a steward or admin.
    func entities(_ context: AurumRequestContext) throws -> [String] {
        let caller = try context.caller()
        let entities = caller.scope(rules.entities.keys) { .review(entity: $0) }
        guard !entities.isEmpty else {
            throw Problem.forbidden("\(caller.name) (\(caller.role.rawValue)) may not see deliveries; a steward or admin may")
        }
        return entities
    }

    /// `?consumer=C&state=S&record_id=N&limit=L`: deliveries, newest first.
    @Sendable func list(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let scope = try entities(context)
        let query = QueryValues(request)
        let state = try query.choice("state", of: DeliveryState.self)
        let record = try query.integer("record_id", in: Int64(1)...Int64.max)
        let limit = try query.clampedInteger("limit", in: 1...1000, default: 100)
        return JSONBody.response(try await store.deliveries(consumer: try query.text("consumer"), state: state, record: record,
                                                            entities: scope, limit: limit))
    }

    /// `{"delivery_id": N}` or `{"consumer": C, "since": INSTANT}`: the deliveries queued again.
    @Sendable func replay(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let scope = try entities(context)
        let body = try await JSONBody.object(of: request, allowed: ["delivery_id", "consumer", "since"])
        let id = body["delivery_id"]?.integerValue
        let consumer = body["consumer"]?.stringValue
        var since: Date?
        if let text = body["since"]?.stringValue {
            guard let instant = Instant.parse(text) else {
                throw Problem.unprocessable("since \"\(text)\" is not an instant; give an ISO 8601 time with its zone, e.g. 2026-12-01T09:30:00Z")
            }
            since = instant
        }
        guard (id != nil) != (consumer != nil) else {
            throw Problem.unprocessable("give {\"delivery_id\": n}, or {\"consumer\": \"odoo\", \"since\": \"2026-12-01T00:00:00Z\"}")
        }
        if consumer != nil, since == nil { throw Problem.unprocessable("a replay of a consumer needs since: the instant from which to send again") }
        let caller = try context.caller()
        struct Answer: Encodable { var count: Int; var replayed: [DeliveryView] }
        return try await context.answer({ (replayed: [DeliveryView]) in
            JSONBody.stored(Answer(count: replayed.count, replayed: Array(replayed.prefix(1000))))
        }) {
            let replayed = try await store.replay(delivery: id, consumer: consumer, since: since, entities: scope, by: caller, requestID: context.requestID)
            if let id, replayed.isEmpty {
                throw Problem.conflict("delivery \(id) does not exist or waits already; only a delivered, failed, skipped or dead one is replayed")
            }
            return replayed
        }
    }
}

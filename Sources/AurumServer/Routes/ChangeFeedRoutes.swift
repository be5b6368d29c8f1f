import AurumCore
import Foundation
import Hummingbird

/// The pull change feed: released versions as CloudEvents in commit order.
struct ChangeFeedRoutes {
    let readers: Readers
    let rules: RuleSet
    let releases: ReleaseSignal

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.get("changes", use: changes)
    }

    /// `?after=CURSOR&entity=E&limit=N&wait=S`: the versions released after the cursor, in the
    /// caller's entities; with `wait`, an empty answer waits up to S seconds for a release.
    @Sendable func changes(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let caller = try context.caller()
        let query = QueryValues(request)
        var entities = caller.scope(rules.entities.keys) { .read(entity: $0) }
        guard !entities.isEmpty else {
            throw Problem.forbidden("\(caller.name) (\(caller.role.rawValue)) may not read the change feed; a consumer, steward or admin may")
        }
        if let entity = try query.text("entity") {
            guard entities.contains(entity) else { throw Problem.notFound("no entity \"\(QueryValues.shown(entity))\" for this token") }
            entities = [entity]
        }
        let asked = entities
        let after = try query.integer("after", in: Int64(0)...Int64.max, default: 0) ?? 0
        // Out-of-range sizes and waits are clamped, not refused: a follower asks the same way each time.
        let limit = try query.clampedInteger("limit", in: 1...1000, default: 100)
        let wait = try query.clampedSeconds("wait", in: 0...60, default: 0)
        let deadline = ContinuousClock.now + .milliseconds(Int(wait * 1000))
        var seen = releases.rings
        var page = try await readers.read { try await $0.changes(after: after, entities: asked, limit: limit) }
        // Woken by each release; looking again every second as well covers a server whose
        // releases nobody relays (the notifications' connection lost). A replica hears of a
        // release from the primary before it has replayed it: it is looked at every 100 ms.
        let every: Duration = readers.hasReplicas ? .milliseconds(100) : .seconds(1)
        while page.items.isEmpty, ContinuousClock.now < deadline {
            await releases.wait(beyond: seen, upTo: min(every, deadline - ContinuousClock.now))
            try Task.checkCancellation()
            seen = releases.rings
            page = try await readers.read { try await $0.changes(after: after, entities: asked, limit: limit) }
        }
        return JSONBody.response(direct: page.jsonValue)
    }
}

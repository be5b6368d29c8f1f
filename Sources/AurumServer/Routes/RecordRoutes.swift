import AurumCore
import Hummingbird

/// Golden-record look-ups: the current version and the version history.
struct RecordRoutes {
    let store: any StewardshipStore
    let rules: RuleSet

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.get("records/:entity/:id", use: current)
        group.get("records/:entity/:id/versions", use: versions)
    }

    @Sendable func current(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        guard let record = try await store.record(entity: entity, id: id) else {
            throw Problem.notFound("\(entity) \(id) does not exist")
        }
        return JSONBody.response(record)
    }

    @Sendable func versions(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        guard let versions = try await store.versions(entity: entity, id: id) else {
            throw Problem.notFound("\(entity) \(id) does not exist")
        }
        struct History: Encodable { let id: Int64; let entity: String; let versions: [VersionView] }
        return JSONBody.response(History(id: id, entity: entity, versions: versions))
    }

    /// The entity and id from the path, checked against the rules and the caller's scope.
    func target(_ context: AurumRequestContext) throws -> (String, Int64) {
        let entity = context.parameters.get("entity") ?? ""
        let caller = try context.caller()
        guard rules.entities[entity] != nil, caller.covers(entity) else {
            throw Problem.notFound("no entity \"\(entity)\"; the rules define \(rules.entities.keys.sorted().joined(separator: ", "))")
        }
        _ = try context.caller(may: .read(entity: entity))
        guard let id = context.parameters.get("id", as: Int64.self), id > 0 else {
            throw Problem.notFound("a record id is a positive whole number")
        }
        return (entity, id)
    }
}

import AurumCore
import Foundation
import Hummingbird

/// Golden records: the current version, the version history, merge and unmerge, and the
/// cross-reference from a source's key to its record.
struct RecordRoutes {
    let store: any StewardshipStore
    let rules: RuleSet

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.get("records/:entity/:id", use: current)
        group.get("records/:entity/:id/versions", use: versions)
        group.get("records/:entity/:id/history", use: history)
        group.get("status", use: status)
        group.post("records/:entity/:id/merge", use: merge)
        group.post("records/:entity/:id/unmerge", use: unmerge)
        for change in RecordStateChange.allCases {
            group.post("records/:entity/:id/\(change.rawValue)") { request, context in
                try await changeState(change, request, context: context)
            }
        }
        group.get("xref/:source/:source_key", use: crossReference)
    }

    /// Opens a merge: `{"into": id, "reason": "..."}`; the answer is the change request.
    @Sendable func merge(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        let body = try await JSONBody.object(of: request, allowed: ["into", "reason"])
        guard let into = body["into"]?.integerValue, into > 0 else {
            throw Problem.unprocessable("a merge needs {\"into\": n, \"reason\": \"...\"}: the golden record that stays")
        }
        let reason = try Self.reason(body), caller = try context.caller()
        return try await context.answer({ JSONBody.stored($0, status: .created) }) {
            try await store.merge(entity: entity, record: id, into: into, by: caller, reason: reason, requestID: context.requestID)
        }
    }

    /// Opens an unmerge: `{"reason": "..."}`; the answer is the change request.
    @Sendable func unmerge(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        let body = try await JSONBody.object(of: request, allowed: ["reason"])
        let reason = try Self.reason(body), caller = try context.caller()
        return try await context.answer({ JSONBody.stored($0, status: .created) }) {
            try await store.unmerge(entity: entity, record: id, by: caller, reason: reason, requestID: context.requestID)
        }
    }

    /// Opens a block, unblock or obsolete: `{"reason": "..."}`; the answer is the change request.
    @Sendable func changeState(_ change: RecordStateChange, _ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        let body = try await JSONBody.object(of: request, allowed: ["reason"])
        let reason = try Self.reason(body, for: "a \(change.rawValue)"), caller = try context.caller()
        return try await context.answer({ JSONBody.stored($0, status: .created) }) {
            try await store.changeState(change, entity: entity, record: id, by: caller, reason: reason, requestID: context.requestID)
        }
    }

    static func reason(_ body: [String: JSONValue], for what: String = "a merge or unmerge") throws -> String {
        guard let reason = body["reason"]?.stringValue, !reason.allSatisfy(\.isWhitespace), reason.count <= 4000 else {
            throw Problem.unprocessable("\(what) needs {\"reason\": \"...\"} (at most 4000 characters), kept in the audit trail")
        }
        return reason
    }

    /// `{"entity", "record_id", "state"}` of the record a source's key is linked to, after any merge;
    /// `?entity=` chooses when the key names records of several entities.
    @Sendable func crossReference(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let caller = try context.caller()
        let source = try context.pathText("source")
        let key = try context.pathText("source_key", maxLength: 1_000)
        // A source token looks up its own sources' keys in its entities; others the entities they read.
        var readable = caller.role == .source ? caller.scope(rules.entities.keys) { .submit(entity: $0, source: source) }
            : Array(Set(caller.scope(rules.entities.keys) { .read(entity: $0) } + caller.scope(rules.entities.keys) { .review(entity: $0) })).sorted()
        if let entity = try QueryValues(request).text("entity") {
            guard readable.contains(entity) else { throw Problem.notFound("no entity \"\(QueryValues.shown(entity))\" for this token") }
            readable = [entity]
        }
        guard !readable.isEmpty else {
            throw Problem.notFound("\(source) key \"\(QueryValues.shown(key))\" is not linked to a golden record this token may see")
        }
        let found = try await store.crossReference(source: source, sourceKey: key, entities: readable)
        guard let first = found.first else {
            throw Problem.notFound("\(source) key \"\(key)\" is not linked to a golden record (it may still wait for approval)")
        }
        guard found.count == 1 else {
            throw Problem.conflict("\(source) key \"\(key)\" names records of \(found.map(\.entity).joined(separator: " and ")); add ?entity=")
        }
        return JSONBody.response(first)
    }

    @Sendable func current(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        if let instant = try QueryValues(request).instant("as_of") {
            guard let record = try await store.record(entity: entity, id: id, asOf: instant) else {
                throw Problem.notFound("\(entity) \(id) did not exist at \(Instant.format(instant))")
            }
            return JSONBody.response(record)
        }
        guard var record = try await store.record(entity: entity, id: id) else {
            throw Problem.notFound("\(entity) \(id) does not exist")
        }
        record.deliveries = try await store.deliveryStates(record: id)
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

    /// Every version and decision of a record, with actors and reasons (stewards and admins).
    @Sendable func history(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        _ = try context.caller(may: .review(entity: entity))
        guard let history = try await store.history(entity: entity, id: id) else {
            throw Problem.notFound("\(entity) \(id) does not exist")
        }
        return JSONBody.response(history)
    }

    /// The status board over the caller's entities (stewards and admins).
    @Sendable func status(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let caller = try context.caller()
        let entities = caller.scope(rules.entities.keys) { .review(entity: $0) }
        guard !entities.isEmpty else {
            throw Problem.forbidden("\(caller.name) (\(caller.role.rawValue)) may not read the status board; a steward or admin may")
        }
        return JSONBody.response(try await store.statusBoard(entities: entities))
    }

    /// The entity and id from the path, checked against the rules and the caller's scope.
    func target(_ context: AurumRequestContext) throws -> (String, Int64) {
        let entity = context.parameters.get("entity") ?? ""
        let caller = try context.caller()
        guard rules.entities[entity] != nil, caller.covers(entity) else {
            throw Problem.notFound("no entity \"\(QueryValues.shown(entity))\"; the rules define \(rules.entities.keys.sorted().joined(separator: ", "))")
        }
        _ = try context.caller(may: .read(entity: entity))
        return (entity, try context.pathID(what: "a record"))
    }
}

import AurumCore
import Foundation
import Hummingbird

/// Golden records: the current version, the version history, merge and unmerge, and the
/// cross-reference from a source's key to its record.
struct RecordRoutes {
    let store: any StewardshipStore
    let rules: RuleSet
    /// Where the reads go (a replica when there is one).
    let readers: Readers

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.get("records/:entity", use: search)
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
        let entities = readable
        let found = try await readers.read { try await $0.crossReference(source: source, sourceKey: key, entities: entities) }
        guard let first = found.first else {
            throw Problem.notFound("\(source) key \"\(key)\" is not linked to a golden record (it may still wait for approval)")
        }
        guard found.count == 1 else {
            throw Problem.conflict("\(source) key \"\(key)\" names records of \(found.map(\.entity).joined(separator: " and ")); add ?entity=")
        }
        return JSONBody.response(first)
    }

    /// The parameters a record search takes besides `attr.NAME`.
    static let searchParameters = ["q", "state", "source", "changed_since", "changed_before", "after", "limit"]

    /// Golden records of an entity, current versions in id order (stewards, consumers, admins):
    /// `q` words of the name (each a word or the start of one), `attr.NAME=value` an attribute
    /// equal to a value (several ANDed), `state` (comma-separated), `source` (records with a key of
    /// it), `changed_since` / `changed_before` (an instant, or `changed_since=2d`), `after` (the
    /// last id of the page before) and `limit` (1 to 1000, default 100). Answer:
    /// `{"records": [...], "next_after": id or null}`. Sensitive attributes are masked as in every
    /// answer, and may be searched only by those who see them in clear.
    @Sendable func search(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let entity = context.parameters.get("entity") ?? ""
        let caller = try context.caller()
        guard let schema = rules.entities[entity], caller.covers(entity) else {
            throw Problem.notFound("no entity \"\(QueryValues.shown(entity))\" for this token")
        }
        guard caller.may(.read(entity: entity)) else {
            throw Problem.forbidden("\(caller.name) (\(caller.role.rawValue)) may not read \(entity) records; a steward, consumer or admin may")
        }
        let values = QueryValues(request)
        var query = RecordQuery(entity: entity)
        var conditions = 0
        for (key, _) in values.parameters {
            let name = String(key)
            if name.hasPrefix("attr.") {
                conditions += 1
                guard conditions <= RecordQuery.maxConditions else {
                    throw Problem.unprocessable("at most \(RecordQuery.maxConditions) attr. conditions in one search")
                }
                let attribute = String(name.dropFirst(5))
                guard let text = try values.text(name) else { continue }
                if let sensitivity = schema.attribute(attribute)?.sensitive, !sensitivity.isClear(for: caller.entitlement) {
                    throw Problem.forbidden("\(attribute) is sensitive: only those who see it in clear may search by it")
                }
                switch RecordQuery.condition(attribute, text, schema: schema) {
                case .success(let (attribute, value)): query.equals[attribute] = value
                case .failure(let problem): throw QueryValues.problem(name, text, problem.message)
                }
            } else if !Self.searchParameters.contains(name) {
                throw Problem.unprocessable("query parameter \(QueryValues.shown(name)) is not one a record search takes"
                                            + "\(Suggestion.didYouMean(name, in: Self.searchParameters)); it takes \(Self.searchParameters.joined(separator: ", ")) "
                                            + "and attr.NAME=value")
            }
        }
        if let text = try values.text("q") {
            guard let words = RecordQuery.words(text) else { throw QueryValues.problem("q", text, "at most \(RecordQuery.maxWords) words") }
            query.words = words
        }
        if let text = try values.text("state") {
            query.states = try text.split(separator: ",").map { word in
                guard let state = RecordState(rawValue: String(word)) else {
                    throw QueryValues.problem("state", text, "states among " + RecordState.allCases.map(\.rawValue).joined(separator: ", ") + ", comma-separated")
                }
                return state
            }
        }
        query.source = try values.name("source", among: Array(rules.sources.keys), what: "source")
        if let text = try values.text("changed_since") {
            if let seconds = DurationText.seconds(text) {
                query.changedSince = Date().addingTimeInterval(-Double(seconds))
            } else {
                guard let instant = Instant.parse(text) else {
                    throw QueryValues.problem("changed_since", text, "a duration (\(DurationText.allowed)) or an ISO 8601 time with its zone")
                }
                query.changedSince = instant
            }
        }
        query.changedBefore = try values.instant("changed_before")
        query.after = try values.integer("after", in: 0...Int64.max, default: 0) ?? 0
        query.limit = try values.integer("limit", in: 1...RecordQuery.maxLimit, default: 100) ?? 100
        let asked = query
        let records = try await readers.read { try await $0.records(matching: asked) }
        struct Page: Encodable {
            let records: [RecordView]
            let nextAfter: Int64?
            enum CodingKeys: String, CodingKey { case records, nextAfter = "next_after" }
            // `next_after` is null on the last page, never left out.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(records, forKey: .records)
                try container.encode(nextAfter, forKey: .nextAfter)
            }
        }
        return JSONBody.response(Page(records: records, nextAfter: records.count == query.limit ? records.last?.id : nil))
    }

    @Sendable func current(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        if let instant = try QueryValues(request).instant("as_of") {
            guard let record = try await readers.read({ try await $0.record(entity: entity, id: id, asOf: instant) }) else {
                throw Problem.notFound("\(entity) \(id) did not exist at \(Instant.format(instant))")
            }
            return JSONBody.response(record)
        }
        guard var record = try await readers.read({ try await $0.record(entity: entity, id: id) }) else {
            throw Problem.notFound("\(entity) \(id) does not exist")
        }
        record.deliveries = try await readers.read { try await $0.deliveryStates(record: id) }
        return JSONBody.response(record)
    }

    @Sendable func versions(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        guard let versions = try await readers.read({ try await $0.versions(entity: entity, id: id) }) else {
            throw Problem.notFound("\(entity) \(id) does not exist")
        }
        struct History: Encodable { let id: Int64; let entity: String; let versions: [VersionView] }
        return JSONBody.response(History(id: id, entity: entity, versions: versions))
    }

    /// Every version and decision of a record, with actors and reasons (stewards and admins).
    @Sendable func history(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let (entity, id) = try target(context)
        _ = try context.caller(may: .review(entity: entity))
        guard let history = try await readers.read({ try await $0.history(entity: entity, id: id) }) else {
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
        return JSONBody.response(try await readers.read { try await $0.statusBoard(entities: entities) })
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

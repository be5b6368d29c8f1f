import AurumCore
import Hummingbird

/// The steward's queue: list, show, approve, reject, edit, and settle possible duplicates (link, distinct).
struct ChangeRequestRoutes {
    let store: any StewardshipStore
    let rules: RuleSet
    let metrics: AurumMetrics
    /// Where the queue's reads go (a replica when there is one); decisions stay on the primary.
    let readers: Readers

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.get("change-requests", use: list)
        group.get("change-requests/:id", use: show)
        group.post("change-requests/:id/approve", use: approve)
        group.post("change-requests/:id/reject", use: reject)
        group.post("change-requests/:id/withdraw", use: withdraw)
        group.post("change-requests/:id/comments", use: comment)
        group.post("change-requests/:id/edit", use: edit)
        group.post("change-requests/:id/link", use: link)
        group.post("change-requests/:id/distinct", use: markDistinct)
    }

    /// A possible duplicate settled as the same thing: `{"record_id": n, "comment": "..."}`.
    @Sendable func link(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        let body = try await JSONBody.object(of: request, allowed: ["record_id", "comment"])
        guard let recordID = body["record_id"]?.integerValue, recordID > 0 else {
            throw Problem.unprocessable("a link needs {\"record_id\": n}, the golden record the change request is a change of")
        }
        let comment = try Self.optionalText(body["comment"], "comment")
        return try await context.answer { try await store.link(changeRequest: id, to: recordID, by: caller, comment: comment, requestID: context.requestID) }
    }

    /// The possible duplicates settled as different things: `{"comment": "..."}`.
    @Sendable func markDistinct(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        let body = try await JSONBody.object(of: request, allowed: ["comment"])
        let comment = try Self.optionalText(body["comment"], "comment")
        return try await context.answer { try await store.markDistinct(changeRequest: id, by: caller, comment: comment, requestID: context.requestID) }
    }

    @Sendable func list(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let caller = try context.caller()
        guard caller.role == .steward || caller.role == .admin else {
            throw Problem.forbidden("\(caller.name) (\(caller.role.rawValue)) may not review change requests; a steward or admin may")
        }
        let query = QueryValues(request)
        var filter = QueueFilter()
        filter.status = try query.choice("status", of: ChangeRequestStatus.self)
        filter.entities = caller.scope(rules.entities.keys) { .review(entity: $0) }
        filter.entity = try query.name("entity", among: rules.entities.keys.sorted(), what: "entity")
        filter.source = try query.name("source", among: rules.sources.keys.sorted(), what: "source")
        filter.gate = try query.text("gate")
        if let gate = filter.gate, !rules.gateNames.contains(gate) {
            throw Problem.unprocessable("gate \"\(QueryValues.shown(gate))\" is not a gate of the rules\(Suggestion.didYouMean(gate, in: rules.gateNames)); "
                                        + "they name \(rules.gateNames.sorted().joined(separator: ", "))")
        }
        filter.olderThanSeconds = try query.duration("older_than")
        filter.approvableBy = try query.flag("mine") ? caller.approver : nil
        filter.withDuplicates = try query.flag("duplicates")
        filter.limit = try query.integer("limit", in: 1...1000, default: 100) ?? 100
        let asked = filter
        return JSONBody.response(try await readers.read { try await $0.changeRequests(asked) })
    }

    @Sendable func show(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        guard let changeRequest = try await readers.read({ try await $0.changeRequest(id: id) }), caller.covers(changeRequest.entity) else {
            throw Problem.notFound("change request \(id) does not exist")
        }
        _ = try context.caller(may: .review(entity: changeRequest.entity))
        return JSONBody.response(changeRequest)
    }

    @Sendable func approve(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        let body = try await JSONBody.object(of: request, allowed: ["comment", "revision", "dry_run"])
        let comment = try Self.optionalText(body["comment"], "comment")
        let revision = try Self.revision(body["revision"])
        let dryRun: Bool
        switch body["dry_run"] {
        case nil, .null: dryRun = false
        case .bool(let value): dryRun = value
        default: throw Problem.unprocessable("dry_run must be true or false", errors: [.init(path: "dry_run", message: "must be a boolean")])
        }
        return try await context.answer {
            let decision = try await store.approve(changeRequest: id, by: caller, comment: comment, revision: revision, dryRun: dryRun,
                                                   requestID: context.requestID)
            if decision.status == .released, !dryRun, let entity = try? await store.changeRequest(id: id)?.entity { metrics.released(entity: entity) }
            return decision
        }
    }

    @Sendable func reject(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        let body = try await JSONBody.object(of: request, allowed: ["reason"])
        guard let reason = try Self.optionalText(body["reason"], "reason"), !reason.allSatisfy(\.isWhitespace) else {
            throw Problem.unprocessable("a rejection needs {\"reason\": \"...\"} so that the source can correct its data")
        }
        return try await context.answer { try await store.reject(changeRequest: id, by: caller, reason: reason, requestID: context.requestID) }
    }

    /// A steward closes an open change request without deciding it: `{"reason": "..."}` (optional).
    @Sendable func withdraw(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        let body = try await JSONBody.object(of: request, allowed: ["reason"])
        let reason = try Self.optionalText(body["reason"], "reason")
        return try await context.answer { try await store.withdraw(changeRequest: id, by: caller, reason: reason, requestID: context.requestID) }
    }

    /// A steward's comment: `{"text": "..."}`; answers the change request with its comments.
    @Sendable func comment(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        let body = try await JSONBody.object(of: request, allowed: ["text"])
        guard let text = try Self.optionalText(body["text"], "text"), !text.allSatisfy(\.isWhitespace) else {
            throw Problem.unprocessable("a comment needs {\"text\": \"...\"}")
        }
        return try await context.answer { try await store.comment(changeRequest: id, by: caller, text: text, requestID: context.requestID) }
    }

    /// A steward's edit: `{"set": {"attribute": value, ...}, "revision": n, "comment": "..."}`.
    @Sendable func edit(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let caller = try context.caller()
        let body = try await JSONBody.object(of: request, allowed: ["set", "revision", "comment"])
        guard let set = body["set"]?.objectValue, !set.isEmpty else {
            throw Problem.unprocessable("an edit needs {\"set\": {\"attribute\": value}} with at least one attribute (null clears one)")
        }
        guard let changeRequest = try await store.changeRequest(id: id), caller.covers(changeRequest.entity) else {
            throw Problem.notFound("change request \(id) does not exist")
        }
        guard let schema = rules.entities[changeRequest.entity] else {
            throw Problem.unprocessable("the rules no longer define entity \(changeRequest.entity)")
        }
        let attributes: Attributes
        do {
            attributes = try CandidateSubmission.attributeMembers(.object(set), path: "body.set", schema: schema)
        } catch {
            throw Problem.unprocessable(error.description, errors: [error])
        }
        let revision = try Self.revision(body["revision"]), comment = try Self.optionalText(body["comment"], "comment")
        return try await context.answer {
            try await store.edit(changeRequest: id, by: caller, set: attributes, revision: revision, comment: comment, requestID: context.requestID)
        }
    }

    /// The optional `revision` member: the revision of the proposal the caller saw.
    static func revision(_ value: JSONValue?) throws -> Int? {
        guard let value, !value.isNull else { return nil }
        guard let number = value.integerValue, number > 0 else { throw Problem.unprocessable("revision must be a positive whole number") }
        return Int(number)
    }

    static func id(_ context: AurumRequestContext) throws -> Int64 {
        try context.pathID(what: "a change request")
    }

    static func optionalText(_ value: JSONValue?, _ name: String) throws -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else { throw Problem.unprocessable("\(name) must be a string, got \(value.typeName)") }
        guard text.count <= 4000 else { throw Problem.unprocessable("\(name) is longer than 4000 characters") }
        return text
    }
}

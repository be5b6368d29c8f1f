import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    static let changeRequestColumns = changeRequestCore + """
        ,
        (SELECT coalesce(json_agg(json_build_object(
                 -- A possible duplicate that was a proposal is named by the record its release made.
                 'record_id', coalesce(pd.record_id, (SELECT o.record_id FROM change_request o
                                                      WHERE o.id = pd.other_change_request_id AND o.status = 'released')),
                 'change_request_id', pd.other_change_request_id,
                 'score', pd.weight, 'band', pd.band, 'explanation', pd.explanation, 'resolution', pd.resolution)
                 ORDER BY pd.weight DESC, pd.record_id, pd.other_change_request_id), '[]')
         FROM possible_duplicate pd WHERE pd.change_request_id = cr.id)::text AS possible_duplicates
        """

    /// A change request's columns but its possible duplicates, which ingest never reads (a busy
    /// proposal may have many).
    static let changeRequestCore = """
        cr.id, cr.entity, cr.kind, cr.record_id, cr.status, cr.revision, cr.base_version, cr.source, cr.source_key,
        cr.candidate_id, cr.submitted_by, cr.edited_by, cr.proposed::text AS proposed, cr.diff::text AS diff, cr.warnings::text AS warnings,
        cr.required_approvals, cr.reason, cr.superseded_by, cr.rules_version,
        \(SQLTime.iso("cr.created_at")) AS created_at, \(SQLTime.iso("cr.decided_at")) AS decided_at,
        (SELECT coalesce(json_agg(json_build_object('approver', a.approver, 'revision', a.revision, 'comment', a.comment,
                 'at', \(SQLTime.iso("a.approved_at")), 'gate', a.gate) ORDER BY a.approved_at), '[]')
         FROM approval a WHERE a.change_request_id = cr.id)::text AS approvals,
        cr.contributions::text AS contributions, cr.steward_values::text AS steward_values, cr.lineage::text AS lineage,
        cr.match::text AS match, cr.merge_record_id, cr.auto_approved_by,
        (SELECT coalesce(json_agg(json_build_object('by', e.actor, 'at', \(SQLTime.iso("e.at")), 'text', e.reason) ORDER BY e.id), '[]')
         FROM audit_entry e WHERE e.subject = 'change_request:' || cr.id AND e.action = 'change_request.commented')::text AS comments
        """

    /// `changeRequestColumns` with the possible duplicates left out (read back as none).
    static let changeRequestPlanningColumns = changeRequestCore + ", '[]' AS possible_duplicates"

    /// What the database can filter it filters (status, entity, source, age, unsettled
    /// duplicates); gates and who may approve are asked of each change request's gates, a page
    /// at a time, until `limit` are found.
    public func changeRequests(_ filter: QueueFilter) async throws -> [ChangeRequestView] {
        // An entity outside the caller's has nothing to show them.
        if let entity = filter.entity, !filter.entities.contains(entity) { return [] }
        let entities = filter.entity.map { [$0] } ?? filter.entities
        let byGates = filter.gate != nil || filter.approvableBy != nil
        let page = byGates ? 500 : filter.limit
        var result = [ChangeRequestView]()
        var after: Int64 = 0
        while result.count < filter.limit {
            let rows = try await client.query("""
                SELECT \(unescaped: Self.changeRequestColumns) FROM change_request cr
                WHERE cr.id > \(after)
                  AND (\(filter.status?.rawValue)::text IS NULL OR cr.status = \(filter.status?.rawValue))
                  AND cr.entity = ANY(\(entities))
                  AND (\(filter.source)::text IS NULL OR cr.source = \(filter.source))
                  AND (\(filter.olderThanSeconds.map(Double.init))::float8 IS NULL
                       OR cr.created_at <= now() - make_interval(secs => \(filter.olderThanSeconds.map(Double.init))))
                  AND (NOT \(filter.withDuplicates)
                       OR EXISTS (SELECT 1 FROM possible_duplicate d WHERE d.change_request_id = cr.id AND d.resolution IS NULL))
                ORDER BY cr.id LIMIT \(page)
                """, logger: logger)
            var read = 0
            for try await row in rows {
                read += 1
                let loaded = try Self.changeRequest(row.makeRandomAccess())
                let plan = gatePlan(for: loaded)
                let request = withGates(loaded, plan: plan)
                after = request.id
                if byGates, !takes(filter, request, plan: plan) { continue }
                result.append(request)
                if result.count == filter.limit { break }
            }
            if read < page { break }
        }
        return result
    }

    /// Whether `request` has `filter`'s gate pending and `filter`'s approver may approve it now.
    func takes(_ filter: QueueFilter, _ request: ChangeRequestView, plan: GatePlan) -> Bool {
        if let gate = filter.gate, !request.gates.contains(where: { $0.name == gate && $0.status == .pending }) {
            return false
        }
        if let approver = filter.approvableBy {
            var lifecycle = Self.lifecycle(of: request, gates: plan)
            guard (try? lifecycle.approve(by: approver)) != nil else { return false }
        }
        return true
    }

    public func changeRequest(id: Int64) async throws -> ChangeRequestView? {
        try await changeRequest(id: id, lock: false, on: nil).map { withGates($0) }
    }

    /// `request`, when open, with the gates it must pass and where each stands (a closed one keeps
    /// its approvals, each naming the gate it counted at).
    func withGates(_ request: ChangeRequestView, plan: GatePlan? = nil) -> ChangeRequestView {
        guard request.status == .open else { return request }
        var request = request
        request.gates = GateView.of(plan ?? gatePlan(for: request), approvals: request.approvals, revision: request.revision)
        // How many approvals the change needs in all: the sum over its gates that take people.
        request.requiredApprovals = request.gates.filter { $0.approvers != nil }.map(\.needs).reduce(0, +)
        return request
    }

    func changeRequest(id: Int64, lock: Bool, on connection: PostgresConnection?) async throws -> ChangeRequestView? {
        let query: PostgresQuery = lock
            ? "SELECT \(unescaped: Self.changeRequestColumns) FROM change_request cr WHERE cr.id = \(id) FOR UPDATE"
            : "SELECT \(unescaped: Self.changeRequestColumns) FROM change_request cr WHERE cr.id = \(id)"
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
        for try await row in rows { return try Self.changeRequest(row.makeRandomAccess()) }
        return nil
    }

    /// The change request as this transaction now sees it, after writing it.
    func reloaded(_ id: Int64, on connection: PostgresConnection) async throws -> ChangeRequestView {
        guard let request = try await changeRequest(id: id, lock: false, on: connection) else {
            throw StoreError.notFound("change request \(id) does not exist")
        }
        return request
    }

    static func changeRequest(_ row: PostgresRandomAccessRow) throws -> ChangeRequestView {
        var view = ChangeRequestView(
            id: try row.get("id"), entity: try row.get("entity"),
            kind: try row.strict(ChangeKind.self, "kind"), recordID: try row.get("record_id"),
            status: try row.strict(ChangeRequestStatus.self, "status"), revision: try row.get("revision"),
            baseVersion: try row.get("base_version"), source: try row.get("source"), sourceKey: try row.get("source_key"),
            candidateID: try row.get("candidate_id"), submittedBy: try row.get("submitted_by"), editedBy: try row.get("edited_by"),
            proposed: try SQLJSON.decode(Attributes.self, try row.get("proposed")),
            diff: try SQLJSON.decode([AttributeChange].self, try row.get("diff")),
            warnings: try SQLJSON.decode([Finding].self, try row.get("warnings")),
            approvals: try SQLJSON.decode([ApprovalView].self, try row.get("approvals")),
            requiredApprovals: try row.get("required_approvals"), reason: try row.get("reason"),
            supersededBy: try row.get("superseded_by"), rulesVersion: try row.get("rules_version"),
            createdAt: try row.get("created_at"), decidedAt: try row.get("decided_at"))
        view.contributions = try SQLJSON.decode([SourceContribution].self, try row.get("contributions"))
        view.stewardValues = try SQLJSON.decode([String: StewardValue].self, try row.get("steward_values"))
        view.lineage = try SQLJSON.decode([String: Lineage].self, try row.get("lineage"))
        view.match = try (row.get("match") as String?).map { try SQLJSON.decode(FlowMatch.self, $0) }
        view.possibleDuplicates = try SQLJSON.decode([PossibleDuplicate].self, try row.get("possible_duplicates"))
        view.mergeRecordID = try row.get("merge_record_id")
        view.autoApprovedBy = try row.get("auto_approved_by")
        view.comments = try SQLJSON.decode([CommentView].self, try row.get("comments"))
        return view
    }

    /// Loads a change request for a decision, in the caller's entities, as a lifecycle; locked in
    /// Aurum's lock order (its source key, its golden record, then the change request itself), so
    /// that a decision and an ingest of the same record never wait for each other in a circle.
    /// `alsoRecord` is another golden record the decision changes (a link's target), locked with
    /// the change request's own record, in id order.
    func decidable(_ id: Int64, by caller: Principal, alsoRecord: Int64? = nil,
                   on connection: PostgresConnection) async throws -> (ChangeRequestView, ChangeRequestLifecycle) {
        let subjects = try await connection.query(
            "SELECT entity, source, source_key, record_id, merge_record_id FROM change_request WHERE id = \(id)", logger: logger)
        guard let (entity, source, sourceKey, recordID, mergeRecordID) = try await subjects.decode((String, String, String, Int64?, Int64?).self)
                .first(where: { _ in true }),
              caller.covers(entity) else {
            throw StoreError.notFound("change request \(id) does not exist")
        }
        guard caller.may(.decide(entity: entity)) else {
            throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not decide \(entity) changes; a steward or admin must")
        }
        try await Locks.sourceKey(entity: entity, source: source, sourceKey: sourceKey, on: connection, logger: logger)
        for record in Set([recordID, alsoRecord, mergeRecordID].compactMap { $0 }).sorted() {
            _ = try await Locks.record(record, on: connection, logger: logger)
        }
        guard let request = try await changeRequest(id: id, lock: true, on: connection) else {
            throw StoreError.notFound("change request \(id) does not exist")
        }
        return (request, Self.lifecycle(of: request, gates: gatePlan(for: request)))
    }

    /// The state machine of a loaded change request, with the gates it must pass.
    static func lifecycle(of request: ChangeRequestView, gates: GatePlan = .oneSteward) -> ChangeRequestLifecycle {
        ChangeRequestLifecycle(status: request.status, submittedBy: request.submittedBy, editedBy: request.editedBy,
                               revision: request.revision, gates: gates,
                               approvals: request.approvals.filter { $0.revision == request.revision }.map(\.counted))
    }

    /// The gates `request` must pass under the rules in force: its entity's `approve:` gates,
    /// asked about its kind, the attributes it changes, its source and that source's trust.
    func gatePlan(for request: ChangeRequestView) -> GatePlan {
        gatePlan(entity: request.entity, kind: request.kind, diff: request.diff, source: request.source, proposed: request.proposed)
    }

    /// The gates of a change of `entity`: one proposed at ingest, or one stored.
    func gatePlan(entity: String, kind: ChangeKind, diff: [AttributeChange], source: String, proposed: Attributes) -> GatePlan {
        gatePlan(entity: entity, kind: kind, changed: Set(diff.map(\.attribute)), source: source, proposed: proposed)
    }

    /// The same from the attributes that change (and the proposed values the gates test).
    func gatePlan(entity: String, kind: ChangeKind, changed: Set<String>, source: String, proposed: Attributes) -> GatePlan {
        let subject = GateSubject(kind: kind, changed: changed, source: source, sourceTrust: rules.sources[source]?.trust, proposed: proposed)
        return GatePlan(rules.entities[entity]?.gates ?? [], for: subject)
    }

    /// Writes the status the lifecycle reached: the state machine decides every transition, the
    /// store only carries it out (with the reason and, when final, the time of the decision).
    /// `autoApprovedBy`: the auto-approve gate that released it.
    func persist(_ lifecycle: ChangeRequestLifecycle, changeRequest id: Int64, reason: String? = nil, autoApprovedBy: String? = nil,
                 on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE change_request
            SET status = \(lifecycle.status.rawValue), reason = coalesce(\(reason), reason),
                auto_approved_by = coalesce(\(autoApprovedBy), auto_approved_by),
                decided_at = CASE WHEN \(lifecycle.status.isFinal) THEN now() ELSE decided_at END
            WHERE id = \(id)
            """, logger: logger)
    }

    public func approve(changeRequest id: Int64, by caller: Principal, comment: String?, revision: Int?, dryRun: Bool,
                        requestID: String) async throws -> DecisionResult {
        try await transaction { connection in
            var (request, lifecycle) = try await decidable(id, by: caller, on: connection)
            let action = try Self.decide { () throws(ChangeRequestError) in try lifecycle.approve(by: caller.approver, seenRevision: revision) }
            let gate = lifecycle.approvals.last?.gate
            if dryRun {
                return DecisionResult(changeRequestID: id, status: lifecycle.status, recordID: request.recordID, version: nil, gate: gate, dryRun: true)
            }
            try await connection.query("""
                INSERT INTO approval (change_request_id, approver, revision, comment, gate)
                VALUES (\(id), \(caller.name), \(request.revision), \(comment), \(gate))
                """, logger: logger)
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.approved", entity: request.entity, subject: "change_request:\(id)",
                recordID: request.recordID, after: gate.map { ["gate": .string($0)] }, reason: comment, rulesVersion: rules.version,
                requestID: requestID), on: connection, logger: logger)
            guard case .recordApprovalAndRelease = action else {
                return DecisionResult(changeRequestID: id, status: lifecycle.status, recordID: request.recordID, version: nil, gate: gate)
            }
            let (recordID, version) = try await release(&request, by: caller, requestID: requestID, on: connection)
            try await persist(lifecycle, changeRequest: id, on: connection)
            return DecisionResult(changeRequestID: id, status: .released, recordID: recordID, version: version, gate: gate)
        }
    }

    public func reject(changeRequest id: Int64, by caller: Principal, reason: String, requestID: String) async throws -> DecisionResult {
        try await transaction { connection in
            var (request, lifecycle) = try await decidable(id, by: caller, on: connection)
            _ = try Self.decide { () throws(ChangeRequestError) in try lifecycle.reject(by: caller.name, reason: reason) }
            try await persist(lifecycle, changeRequest: id, reason: reason, on: connection)
            try await MatchKeys.drop(changeRequest: id, on: connection, logger: logger)
            request.status = lifecycle.status
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.rejected", entity: request.entity, subject: "change_request:\(id)",
                recordID: request.recordID, after: .object(request.proposed), reason: reason, rulesVersion: rules.version,
                requestID: requestID), on: connection, logger: logger)
            // A change a consumer proposed itself (an edit made in Odoo, read back by an import)
            // is rejected: the consumer gets the current version again, and Aurum's value is put back.
            if let record = request.recordID, request.kind == .update {
                _ = try await requeueCurrent(consumer: request.source, records: [record], why: "its own change \(id) was rejected",
                                             by: caller.name, requestID: requestID, on: connection)
            }
            return DecisionResult(changeRequestID: id, status: .rejected, recordID: request.recordID, version: nil)
        }
    }

    public func withdraw(changeRequest id: Int64, by caller: Principal, reason: String?, requestID: String) async throws -> DecisionResult {
        try await transaction { connection in
            var (request, lifecycle) = try await decidable(id, by: caller, on: connection)
            _ = try Self.decide { () throws(ChangeRequestError) in try lifecycle.withdraw() }
            try await persist(lifecycle, changeRequest: id, reason: reason, on: connection)
            try await MatchKeys.drop(changeRequest: id, on: connection, logger: logger)
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.withdrawn", entity: request.entity, subject: "change_request:\(id)",
                recordID: request.recordID, reason: reason, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
            return DecisionResult(changeRequestID: id, status: .withdrawn, recordID: request.recordID, version: nil)
        }
    }

    public func comment(changeRequest id: Int64, by caller: Principal, text: String, requestID: String) async throws -> ChangeRequestView {
        guard !text.allSatisfy(\.isWhitespace) else { throw StoreError.invalid("a comment needs some text") }
        return try await transaction { connection in
            guard let request = try await changeRequest(id: id, lock: false, on: connection), caller.covers(request.entity) else {
                throw StoreError.notFound("change request \(id) does not exist")
            }
            guard caller.may(.review(entity: request.entity)) else {
                throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not comment on \(request.entity) changes; a steward or admin may")
            }
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.commented", entity: request.entity, subject: "change_request:\(id)",
                recordID: request.recordID, reason: text, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
            try await AuditLog.flush(on: connection, logger: logger)  // the view shows the comment
            return withGates(try await reloaded(id, on: connection))
        }
    }

    /// Maps the lifecycle's refusals to store errors: four-eyes is a 403, the rest are conflicts.
    static func decide<T>(_ body: () throws(ChangeRequestError) -> T) throws(StoreError) -> T {
        do { return try body() } catch {
            switch error {
            case .selfApproval, .editorApproval, .gate(.notAnApprover): throw .forbidden(error.message)
            case .reasonRequired: throw .invalid(error.message)
            case .notOpen, .alreadyApproved, .staleRevision, .gate(.waiting): throw .conflict(error.message)
            }
        }
    }
}

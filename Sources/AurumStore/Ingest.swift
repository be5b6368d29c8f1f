import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// Ingests each submission in its own transaction, in order. When one fails, the batch stops
    /// there and says which candidates were stored (`BatchInterrupted`).
    public func ingest(_ submissions: [CandidateSubmission], by caller: Principal, requestID: String) async throws -> [IngestResult] {
        var results = [IngestResult]()
        for (index, submission) in submissions.enumerated() {
            do {
                results.append(try await ingest(submission, by: caller, requestID: requestID))
            } catch {
                throw BatchInterrupted(stored: results, failedIndex: index, cause: error)
            }
        }
        return results
    }

    /// One candidate, one transaction: serialized per (entity, source, source_key) by an advisory lock.
    func ingest(_ submission: CandidateSubmission, by caller: Principal, requestID: String) async throws -> IngestResult {
        guard caller.may(.submit(entity: submission.entity, source: submission.source)) else {
            throw StoreError.forbidden("\(caller.name) may not submit \(submission.entity) candidates as source \(submission.source)")
        }
        return try await client.transaction(logger: logger) { connection in
            let (situation, openRequest) = try await situation(of: submission, on: connection)
            let merged = IngestPlanner.merged(submission.attributes, over: situation)
            let verdict = try await validate(merged, entity: submission.entity, recordID: situation.recordID, on: connection)
            let context = IngestContext(submission: submission, caller: caller, requestID: requestID, rulesVersion: rules.version)
            switch IngestPlanner.decide(verdict, situation: situation) {
            case .reject(let errors, let warnings):
                let id = try await insertCandidate(context, status: "rejected", errors: errors, warnings: warnings, on: connection)
                try await audit(context, "candidate.rejected", candidate: id, errors: errors, on: connection)
                return IngestResult(candidateID: id, status: .rejected, changeRequestID: nil, errors: errors, warnings: warnings)
            case .unchanged(let changeRequestID, let candidateID):
                return IngestResult(candidateID: candidateID, status: .unchanged, changeRequestID: changeRequestID)
            case .propose(let proposal):
                let id = try await insertCandidate(context, status: "proposed", errors: [], warnings: proposal.warnings, on: connection)
                try await audit(context, "candidate.proposed", candidate: id, errors: [], on: connection)
                let changeRequest = try await open(proposal, context: context, situation: situation, replacing: openRequest,
                                                   candidate: id, on: connection)
                return IngestResult(candidateID: id, status: .proposed, changeRequestID: changeRequest, warnings: proposal.warnings)
            }
        }
    }

    /// The golden record the candidate maps to and the open proposal it would meet (also whole,
    /// for superseding it), locked in Aurum's lock order (source key, golden record, change request).
    func situation(of submission: CandidateSubmission, on connection: PostgresConnection) async throws
        -> (IngestPlanner.Situation, open: ChangeRequestView?) {
        var situation = IngestPlanner.Situation()
        try await Locks.sourceKey(entity: submission.entity, source: submission.source, sourceKey: submission.sourceKey,
                                  on: connection, logger: logger)
        let linked = try await connection.query("""
            SELECT record_id FROM record_source
            WHERE entity = \(submission.entity) AND source = \(submission.source) AND source_key = \(submission.sourceKey)
            """, logger: logger)
        if let recordID = try await linked.decode(Int64.self).first(where: { _ in true }),
           let version = try await Locks.record(recordID, on: connection, logger: logger) {
            let current = try await connection.query("""
                SELECT attributes::text, change_request_id FROM golden_version WHERE record_id = \(recordID) AND version = \(version)
                """, logger: logger)
            for try await (attributes, changeRequest) in current.decode((String, Int64?).self) {
                situation.recordID = recordID
                situation.currentVersion = version
                situation.currentAttributes = try SQLJSON.decode(Attributes.self, attributes)
                situation.lastReleasedChangeRequestID = changeRequest
            }
        }
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.changeRequestColumns) FROM change_request cr
            WHERE cr.status = 'open' AND (
                cr.record_id = \(situation.recordID)
                OR (\(situation.recordID)::bigint IS NULL AND cr.record_id IS NULL AND cr.entity = \(submission.entity)
                    AND cr.source = \(submission.source) AND cr.source_key = \(submission.sourceKey)))
            FOR UPDATE OF cr
            """, logger: logger)
        var open: ChangeRequestView?
        for try await row in rows { open = try Self.changeRequest(row.makeRandomAccess()) }
        if let open {
            situation.openChangeRequest = .init(id: open.id, candidateID: open.candidateID, proposed: open.proposed)
        }
        return (situation, open)
    }

    func insertCandidate(_ context: IngestContext, status: String, errors: [Finding], warnings: [Finding],
                         on connection: PostgresConnection) async throws -> Int64 {
        let s = context.submission
        let rows = try await connection.query("""
            INSERT INTO candidate (entity, source, source_key, attributes, status, errors, warnings, rules_version, submitted_by)
            VALUES (\(s.entity), \(s.source), \(s.sourceKey), \(SQLJSON.text(s.attributes))::jsonb, \(status),
                    \(SQLJSON.text(errors))::jsonb, \(SQLJSON.text(warnings))::jsonb, \(context.rulesVersion), \(context.caller.name))
            RETURNING id
            """, logger: logger)
        return try await rows.decode(Int64.self).first { _ in true }!
    }

    /// Opens the change request, superseding the open one it replaces.
    func open(_ proposal: IngestPlanner.Proposal, context: IngestContext, situation: IngestPlanner.Situation, replacing: ChangeRequestView?,
              candidate: Int64, on connection: PostgresConnection) async throws -> Int64 {
        let s = context.submission
        if let old = proposal.supersedes {
            guard let replaced = replacing, replaced.id == old else {
                throw StoreError.conflict("change request \(old) is not the open proposal any more; send the candidate again")
            }
            var lifecycle = Self.lifecycle(of: replaced)
            _ = try Self.decide { () throws(ChangeRequestError) in try lifecycle.supersede() }
            try await persist(lifecycle, changeRequest: old, on: connection)
        }
        let rows = try await connection.query("""
            INSERT INTO change_request (entity, kind, record_id, base_version, source, source_key, candidate_id, submitted_by,
                                        proposed, diff, warnings, rules_version)
            VALUES (\(s.entity), \(proposal.kind.rawValue), \(situation.recordID), \(situation.currentVersion), \(s.source),
                    \(s.sourceKey), \(candidate), \(context.caller.name), \(SQLJSON.text(proposal.attributes))::jsonb,
                    \(SQLJSON.text(proposal.diff))::jsonb, \(SQLJSON.text(proposal.warnings))::jsonb, \(context.rulesVersion))
            RETURNING id
            """, logger: logger)
        let id = try await rows.decode(Int64.self).first { _ in true }!
        try await connection.query("UPDATE candidate SET change_request_id = \(id) WHERE id = \(candidate)", logger: logger)
        if let old = proposal.supersedes {
            try await connection.query("UPDATE change_request SET superseded_by = \(id) WHERE id = \(old)", logger: logger)
            try await AuditLog.append(AuditEntry(
                actor: context.caller.name, action: "change_request.superseded", entity: s.entity, subject: "change_request:\(old)",
                recordID: situation.recordID, after: ["superseded_by": .number(Double(id))], rulesVersion: context.rulesVersion,
                requestID: context.requestID), on: connection, logger: logger)
        }
        try await AuditLog.append(AuditEntry(
            actor: context.caller.name, action: "change_request.opened", entity: s.entity, subject: "change_request:\(id)",
            recordID: situation.recordID, version: situation.currentVersion,
            before: situation.recordID == nil ? nil : .object(situation.currentAttributes), after: .object(proposal.attributes),
            rulesVersion: context.rulesVersion, requestID: context.requestID), on: connection, logger: logger)
        return id
    }

    func audit(_ context: IngestContext, _ action: String, candidate: Int64, errors: [Finding], on connection: PostgresConnection) async throws {
        let s = context.submission
        var after: [String: JSONValue] = ["source": .string(s.source), "source_key": .string(s.sourceKey), "attributes": .object(s.attributes)]
        if !errors.isEmpty {
            after["errors"] = .array(errors.map { ["attribute": .string($0.attribute), "rule": .string($0.rule), "message": .string($0.message)] })
        }
        try await AuditLog.append(AuditEntry(
            actor: context.caller.name, action: action, entity: s.entity, subject: "candidate:\(candidate)", after: .object(after),
            rulesVersion: context.rulesVersion, requestID: context.requestID), on: connection, logger: logger)
    }
}

/// What every write of one ingest shares.
struct IngestContext {
    var submission: CandidateSubmission
    var caller: Principal
    var requestID: String
    var rulesVersion: String
}

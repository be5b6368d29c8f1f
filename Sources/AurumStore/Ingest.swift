import Foundation
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
    ///
    /// A candidate whose source key no golden record has yet is matched first (against the stored
    /// keys of golden records and open create proposals): an automatic link makes it an update of
    /// the record it matched, a pair at review flags the create as a possible duplicate. The golden
    /// values are then chosen by survivorship among the record's sources and validated whole.
    func ingest(_ submission: CandidateSubmission, by caller: Principal, requestID: String) async throws -> IngestResult {
        guard caller.may(.submit(entity: submission.entity, source: submission.source)) else {
            throw StoreError.forbidden("\(caller.name) may not submit \(submission.entity) candidates as source \(submission.source)")
        }
        guard let schema = rules.entities[submission.entity] else { throw StoreError.invalid("the rules no longer define entity \(submission.entity)") }
        return try await client.transaction(logger: logger) { connection in
            var (situation, openRequest) = try await situation(of: submission, on: connection)
            let context = IngestContext(submission: submission, caller: caller, requestID: requestID, rulesVersion: rules.version)
            let validator = Validator(schema: schema)
            let prepared = validator.prepare(submission.attributes)
            guard prepared.errors.isEmpty else {
                let id = try await insertCandidate(context, status: "rejected", errors: prepared.errors, warnings: [], on: connection)
                try await audit(context, "candidate.rejected", candidate: id, errors: prepared.errors, on: connection)
                return IngestResult(candidateID: id, status: .rejected, changeRequestID: nil, errors: prepared.errors)
            }
            let sent = Self.sent(submission.attributes, prepared: prepared.attributes)
            let instant = Self.instant()
            var match: FlowMatch?
            var ownCreate: ChangeRequestView?
            func survive() -> (pending: [SourceContribution], result: Survivorship.Result) {
                IngestPlanner.golden(source: submission.source, sourceKey: submission.sourceKey, attributes: sent, at: instant,
                                     situation: situation, rules: schema.survive, trust: rules.trust)
            }
            var (pending, golden) = survive()
            if situation.recordID == nil, let matchRules = schema.match {
                let found = try await self.match(golden.attributes, of: submission, excluding: openRequest?.id, rules: matchRules, on: connection)
                match = found
                if found.band == .autoLink, let target = found.recordID {
                    // An update of the record it matched: its values chosen again among that record's sources.
                    ownCreate = openRequest
                    (situation, openRequest) = try await self.situation(ofRecord: target, on: connection)
                    (pending, golden) = survive()
                }
            }
            let verdict = try await validate(golden.attributes, entity: submission.entity, recordID: situation.recordID, on: connection)
            let outcome = IngestPlanner.decide(verdict, situation: situation, pending: pending, lineage: golden.lineage)
            switch outcome {
            case .reject(let errors, let warnings):
                let id = try await insertCandidate(context, status: "rejected", errors: errors, warnings: warnings, on: connection)
                try await audit(context, "candidate.rejected", candidate: id, errors: errors, on: connection)
                return IngestResult(candidateID: id, status: .rejected, changeRequestID: nil, errors: errors, warnings: warnings)
            case .unchanged(let changeRequestID, let candidateID):
                if let recordID = situation.recordID, openRequest == nil, let mine = pending.first,
                   situation.contributions.first(where: { $0.source == mine.source && $0.sourceKey == mine.sourceKey }) != mine {
                    // The source said something that does not survive: kept as its own, the golden record unchanged.
                    try await storeContribution(mine, entity: submission.entity, record: recordID, on: connection)
                    try await AuditLog.append(AuditEntry(
                        actor: caller.name, action: "source.values_kept", entity: submission.entity,
                        subject: "record:\(recordID)", recordID: recordID, version: situation.currentVersion,
                        after: ["source": .string(mine.source), "source_key": .string(mine.sourceKey), "attributes": .object(mine.attributes)],
                        rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
                }
                return IngestResult(candidateID: candidateID, status: .unchanged, changeRequestID: changeRequestID, match: match)
            case .propose(let proposal):
                let id = try await insertCandidate(context, status: "proposed", errors: [], warnings: proposal.warnings, on: connection)
                try await audit(context, "candidate.proposed", candidate: id, errors: [], on: connection)
                let changeRequest = try await open(proposal, context: context, situation: situation, replacing: openRequest,
                                                   candidate: id, match: match, on: connection)
                if let ownCreate {
                    // The candidate's own create, replaced by the update of the record it was linked to.
                    try await retire(ownCreate, on: connection)
                    try await pointSuperseded(ownCreate, to: changeRequest, context: context, on: connection)
                }
                if proposal.kind == .create {
                    try await MatchKeys.add(changeRequest: changeRequest, entity: submission.entity, attributes: proposal.attributes,
                                            rules: schema.match, on: connection, logger: logger)
                }
                return IngestResult(candidateID: id, status: .proposed, changeRequestID: changeRequest, warnings: proposal.warnings, match: match)
            }
        }
    }

    /// The candidate's attributes as its source key's contribution: normalized, and a null (or an
    /// empty value) where it clears one.
    static func sent(_ raw: Attributes, prepared: Attributes) -> Attributes {
        var sent = prepared
        for name in raw.keys where prepared[name] == nil { sent[name] = .null }
        return sent
    }

    /// Now, as survivorship's instants are written: ISO 8601 in UTC with milliseconds.
    static func instant() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The golden record the candidate maps to and the open proposal it would meet (also whole,
    /// for superseding it), locked in Aurum's lock order (source key, golden record, change request).
    func situation(of submission: CandidateSubmission, on connection: PostgresConnection) async throws
        -> (IngestPlanner.Situation, open: ChangeRequestView?) {
        try await Locks.sourceKey(entity: submission.entity, source: submission.source, sourceKey: submission.sourceKey,
                                  on: connection, logger: logger)
        let linked = try await connection.query("""
            SELECT record_id FROM record_source
            WHERE entity = \(submission.entity) AND source = \(submission.source) AND source_key = \(submission.sourceKey)
            """, logger: logger)
        if let recordID = try await linked.decode(Int64.self).first(where: { _ in true }) {
            return try await situation(ofRecord: recordID, on: connection)
        }
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.changeRequestColumns) FROM change_request cr
            WHERE cr.status = 'open' AND cr.record_id IS NULL AND cr.entity = \(submission.entity)
              AND cr.source = \(submission.source) AND cr.source_key = \(submission.sourceKey)
            FOR UPDATE OF cr
            """, logger: logger)
        var situation = IngestPlanner.Situation()
        var open: ChangeRequestView?
        for try await row in rows { open = try Self.changeRequest(row.makeRandomAccess()) }
        situation.openChangeRequest = open.map(Self.openProposal)
        return (situation, open)
    }

    /// A golden record's situation: its current version, its sources' contributions, the values
    /// stewards typed, and its open proposal; the record, then the proposal, locked.
    func situation(ofRecord recordID: Int64, on connection: PostgresConnection) async throws -> (IngestPlanner.Situation, open: ChangeRequestView?) {
        var situation = IngestPlanner.Situation()
        guard let version = try await Locks.record(recordID, on: connection, logger: logger) else { return (situation, nil) }
        let current = try await connection.query("""
            SELECT gv.attributes::text, gv.change_request_id,
                   (SELECT coalesce(json_agg(json_build_object('source', rs.source, 'source_key', rs.source_key, 'attributes', rs.attributes,
                                                               'changed_at', rs.changed_at) ORDER BY rs.source, rs.source_key), '[]')
                    FROM record_source rs WHERE rs.record_id = gv.record_id)::text,
                   (SELECT coalesce(json_object_agg(sv.attribute, json_build_object('value', sv.value, 'steward', sv.steward, 'at', sv.at)), '{}')
                    FROM steward_value sv WHERE sv.record_id = gv.record_id)::text
            FROM golden_version gv WHERE gv.record_id = \(recordID) AND gv.version = \(version)
            """, logger: logger)
        for try await (attributes, changeRequest, contributions, typed) in current.decode((String, Int64?, String, String).self) {
            situation.recordID = recordID
            situation.currentVersion = version
            situation.currentAttributes = try SQLJSON.decode(Attributes.self, attributes)
            situation.lastReleasedChangeRequestID = changeRequest
            situation.contributions = try SQLJSON.decode([SourceContribution].self, contributions)
            situation.stewardValues = try SQLJSON.decode([String: StewardValue].self, typed)
        }
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.changeRequestColumns) FROM change_request cr
            WHERE cr.status = 'open' AND cr.record_id = \(recordID)
            FOR UPDATE OF cr
            """, logger: logger)
        var open: ChangeRequestView?
        for try await row in rows { open = try Self.changeRequest(row.makeRandomAccess()) }
        situation.openChangeRequest = open.map(Self.openProposal)
        return (situation, open)
    }

    static func openProposal(_ open: ChangeRequestView) -> IngestPlanner.OpenProposal {
        .init(id: open.id, candidateID: open.candidateID, proposed: open.proposed, contributions: open.contributions,
              stewardValues: open.stewardValues)
    }

    /// Scores the candidate against the golden records and open create proposals it shares a
    /// blocking key with, leaving out those a steward declared distinct from its source key.
    func match(_ attributes: Attributes, of submission: CandidateSubmission, excluding: Int64?, rules matchRules: MatchRules,
               on connection: PostgresConnection) async throws -> FlowMatch {
        let candidate = MatchRecord(id: "candidate", attributes: attributes, rules: matchRules)
        let targets = try await MatchKeys.targets(of: candidate.keys, entity: submission.entity, rules: matchRules, excluding: excluding,
                                                  on: connection, logger: logger)
        guard !targets.isEmpty else { return .none }
        let separator = "\u{1f}"
        let distinctRows = try await connection.query("""
            SELECT source_b || chr(31) || source_key_b FROM distinct_pair
            WHERE entity = \(submission.entity) AND source_a = \(submission.source) AND source_key_a = \(submission.sourceKey)
            UNION ALL
            SELECT source_a || chr(31) || source_key_a FROM distinct_pair
            WHERE entity = \(submission.entity) AND source_b = \(submission.source) AND source_key_b = \(submission.sourceKey)
            """, logger: logger)
        let distinctKeys = Set(try await distinctRows.decode(String.self).reduce(into: [String]()) { $0.append($1) })
        var found = [(target: MatchTarget, attributes: Attributes)]()
        var distinct = Set<MatchTarget>()
        let records = try await connection.query("""
            SELECT gr.id, gv.attributes::text,
                   (SELECT coalesce(array_agg(rs.source || chr(31) || rs.source_key), '{}') FROM record_source rs WHERE rs.record_id = gr.id)
            FROM golden_record gr JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
            WHERE gr.id = ANY(\(targets.compactMap(\.recordID))) AND gr.state <> 'superseded'
            ORDER BY gr.id
            """, logger: logger)
        for try await (id, text, keys) in records.decode((Int64, String, [String]).self) {
            found.append((.record(id), try SQLJSON.decode(Attributes.self, text)))
            if !distinctKeys.isDisjoint(with: keys) { distinct.insert(.record(id)) }
        }
        let proposals = try await connection.query("""
            SELECT id, proposed::text, source || chr(31) || source_key FROM change_request
            WHERE id = ANY(\(targets.compactMap(\.changeRequestID))) AND status = 'open' AND kind = 'create'
            ORDER BY id
            """, logger: logger)
        for try await (id, text, key) in proposals.decode((Int64, String, String).self) {
            found.append((.changeRequest(id), try SQLJSON.decode(Attributes.self, text)))
            if distinctKeys.contains(key) || key == submission.source + separator + submission.sourceKey { distinct.insert(.changeRequest(id)) }
        }
        let match = FlowMatching.match(candidate, against: found, rules: matchRules, distinct: distinct)
        logger.debug("candidate matched", metadata: ["aurum.source_key": "\(submission.sourceKey)", "aurum.targets": "\(found.count)",
                                                     "aurum.band": "\(match.band.rawValue)"])
        return match
    }

    /// Keeps what a source key said of its record, without a new version (its values did not survive).
    func storeContribution(_ contribution: SourceContribution, entity: String, record: Int64, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO record_source (entity, source, source_key, record_id, attributes, changed_at)
            VALUES (\(entity), \(contribution.source), \(contribution.sourceKey), \(record),
                    \(SQLJSON.text(contribution.attributes))::jsonb, \(SQLJSON.text(contribution.changedAt))::jsonb)
            ON CONFLICT (entity, source, source_key) DO UPDATE
            SET record_id = excluded.record_id, attributes = excluded.attributes, changed_at = excluded.changed_at
            """, logger: logger)
    }

    /// Closes `old` as superseded (before its successor is written: one open proposal per record)
    /// and gives up its blocking keys.
    func retire(_ old: ChangeRequestView, on connection: PostgresConnection) async throws {
        var lifecycle = Self.lifecycle(of: old)
        _ = try Self.decide { () throws(ChangeRequestError) in try lifecycle.supersede() }
        try await persist(lifecycle, changeRequest: old.id, on: connection)
        try await MatchKeys.drop(changeRequest: old.id, on: connection, logger: logger)
    }

    /// Points the retired `old` at its successor `id`, in the audit trail too.
    func pointSuperseded(_ old: ChangeRequestView, to id: Int64, context: IngestContext, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE change_request SET superseded_by = \(id) WHERE id = \(old.id)", logger: logger)
        try await AuditLog.append(AuditEntry(
            actor: context.caller.name, action: "change_request.superseded", entity: old.entity, subject: "change_request:\(old.id)",
            recordID: old.recordID, after: ["superseded_by": .number(Double(id))], rulesVersion: context.rulesVersion,
            requestID: context.requestID), on: connection, logger: logger)
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
              candidate: Int64, match: FlowMatch?, on connection: PostgresConnection) async throws -> Int64 {
        let s = context.submission
        var replaced: ChangeRequestView?
        if let old = proposal.supersedes {
            guard let open = replacing, open.id == old else {
                throw StoreError.conflict("change request \(old) is not the open proposal any more; send the candidate again")
            }
            try await retire(open, on: connection)
            replaced = open
        }
        var stored = match
        stored?.possibleDuplicates = []
        let rows = try await connection.query("""
            INSERT INTO change_request (entity, kind, record_id, base_version, source, source_key, candidate_id, submitted_by,
                                        proposed, diff, warnings, rules_version, contributions, steward_values, lineage, match)
            VALUES (\(s.entity), \(proposal.kind.rawValue), \(situation.recordID), \(situation.currentVersion), \(s.source),
                    \(s.sourceKey), \(candidate), \(context.caller.name), \(SQLJSON.text(proposal.attributes))::jsonb,
                    \(SQLJSON.text(proposal.diff))::jsonb, \(SQLJSON.text(proposal.warnings))::jsonb, \(context.rulesVersion),
                    \(SQLJSON.text(proposal.contributions))::jsonb, \(SQLJSON.text(proposal.stewardValues))::jsonb,
                    \(SQLJSON.text(proposal.lineage))::jsonb, \(stored.map { SQLJSON.text($0) })::jsonb)
            RETURNING id
            """, logger: logger)
        let id = try await rows.decode(Int64.self).first { _ in true }!
        if let duplicates = match?.possibleDuplicates, !duplicates.isEmpty {
            try await connection.query("""
                INSERT INTO possible_duplicate (change_request_id, record_id, other_change_request_id, weight, band, explanation, rules_version)
                SELECT \(id), (e ->> 'record_id')::bigint, (e ->> 'change_request_id')::bigint, (e ->> 'score')::float8, e ->> 'band',
                       e -> 'explanation', \(context.rulesVersion)
                FROM jsonb_array_elements(\(SQLJSON.text(duplicates))::jsonb) AS e
                """, logger: logger)
        }
        try await connection.query("UPDATE candidate SET change_request_id = \(id) WHERE id = \(candidate)", logger: logger)
        if let replaced { try await pointSuperseded(replaced, to: id, context: context, on: connection) }
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

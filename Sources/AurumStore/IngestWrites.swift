import AurumCore
import Logging
import PostgresNIO

/// What every candidate of one ingest batch shares.
struct IngestBatch: Sendable {
    var submissions: [CandidateSubmission]
    var caller: Principal
    var requestID: String
    var rulesVersion: String
    /// When the batch's sources said what they said, for survivorship's most recent.
    var instant: String
}

extension CandidateSubmission {
    /// What the source-key lock and the look-ups key it by.
    var key: [String] { [entity, source, sourceKey] }
}

/// One candidate on its way through a batch: what it meets, what matching found, what it becomes.
struct IngestWork {
    let index: Int
    let submission: CandidateSubmission
    let schema: EntitySchema
    /// Its attributes as its source key's contribution.
    let sent: Attributes
    /// The golden record its source key is linked to.
    var linked: Int64?
    var situation = IngestPlanner.Situation()
    /// The open proposal it meets (its record's, or its own create's).
    var open: ChangeRequestView?
    /// Its own open create, retired when matching made it an update of a record.
    var ownCreate: ChangeRequestView?
    var pending: [SourceContribution] = []
    var golden = Survivorship.Result()
    /// The candidate as matching sees it, what it was scored against, and what it may not be linked to.
    var prepared: MatchRecord?
    var scored: [(target: MatchTarget, record: MatchRecord)] = []
    var distinct: Set<MatchTarget> = []
    /// The source keys a steward declared distinct from its own, and their golden records.
    var declaredDistinct: Set<[String]> = []
    var distinctRecords: Set<Int64> = []
    var match: FlowMatch?
    var outcome: IngestPlanner.Outcome?
    /// A create's proposal as matching sees it: its blocking keys are stored for later candidates.
    var proposalRecord: MatchRecord?

    init(index: Int, submission: CandidateSubmission, schema: EntitySchema, sent: Attributes) {
        self.index = index
        self.submission = submission
        self.schema = schema
        self.sent = sent
    }

    /// The golden record it changes: its own, or the one matching linked it to.
    var record: Int64? { linked ?? (match?.band == .autoLink ? match?.recordID : nil) }
}

/// A round's writes, gathered in memory as COPY rows and written at once: the candidates, the
/// proposals they open (and those they supersede), the possible duplicates, the blocking keys of
/// new creates, what less trusted sources said, and the audit entries, in the order they happened.
struct IngestWrites {
    let batch: IngestBatch
    private(set) var results = [(Int, IngestResult)]()
    private(set) var candidateIDs = [Int: Int64]()
    private(set) var changeRequestIDs = [Int: Int64]()
    private var refused = [(index: Int, errors: [Finding])]()
    private var candidates = CopyRows(), changeRequests = CopyRows(), duplicates = CopyRows(), keys = CopyRows()
    private var audit = [AuditEntry]()
    /// Candidates sent again as they were, per entity: one audit entry per request says how many.
    private var unchanged = [String: [String]]()
    private var retired = [(id: Int64, status: ChangeRequestStatus)]()
    private var pointers = [(old: Int64, new: Int64)]()
    private var kept = [(entity: String, contribution: SourceContribution, record: Int64)]()

    /// The blocking keys marked common among those the round looked up: not stored for its creates.
    var common = Set<BatchBlock>()

    /// The JSON a proposal's rows hold, worked out for a whole round at once on every core
    /// (`prepareTexts`): a batch's proposals and their matches were a tenth of its time in the
    /// server, written one after the other.
    struct ProposalTexts: Sendable {
        var attributes, diff, warnings, contributions, stewardValues, lineage: String
        var match: String?
        var explanations: [String]

        init(_ proposal: IngestPlanner.Proposal, match: FlowMatch?) {
            attributes = SQLJSON.text(proposal.attributes)
            diff = SQLJSON.text(proposal.diff)
            warnings = SQLJSON.text(proposal.warnings)
            contributions = SQLJSON.text(proposal.contributions)
            stewardValues = SQLJSON.text(proposal.stewardValues)
            lineage = SQLJSON.text(proposal.lineage)
            var stored = match
            stored?.possibleDuplicates = []
            self.match = stored.map { SQLJSON.text($0) }
            explanations = (match?.possibleDuplicates ?? []).map { SQLJSON.text($0.explanation) }
        }
    }
    private var proposalTexts = [Int: ProposalTexts]()

    /// Works out the JSON of the round's proposals, by candidate index, on every core.
    mutating func prepareTexts(_ works: [IngestWork]) async {
        let proposals = works.compactMap { work -> (index: Int, proposal: IngestPlanner.Proposal, match: FlowMatch?)? in
            guard case .propose(let proposal) = work.outcome else { return nil }
            return (work.index, proposal, work.match)
        }
        let texts = await parallelMap(proposals.count, parallelism: PostgresStewardshipStore.cores) { k in
            ProposalTexts(proposals[k].proposal, match: proposals[k].match)
        }
        proposalTexts = Dictionary(uniqueKeysWithValues: zip(proposals.map(\.index), texts))
    }

    init(batch: IngestBatch) { self.batch = batch }

    /// A candidate whose attributes cannot even be read as the rules type them.
    mutating func reject(_ index: Int, errors: [Finding]) {
        refused.append((index, errors))
    }

    /// Reserves the ids of the round's candidates and change requests (one query each), and
    /// writes the refused candidates' rows.
    mutating func reserve(_ works: [IngestWork], on connection: PostgresConnection, logger: Logger) async throws {
        let stored = works.filter { if case .unchanged = $0.outcome { false } else { true } }.map(\.index)
        let proposing = works.filter { if case .propose = $0.outcome { true } else { false } }.map(\.index)
        let (candidateIDs, changeRequestIDs) = try await Self.nextIDs(candidates: stored.count + refused.count, changeRequests: proposing.count,
                                                                      on: connection, logger: logger)
        for (index, id) in zip((stored + refused.map(\.index)).sorted(), candidateIDs) { self.candidateIDs[index] = id }
        for (index, id) in zip(proposing, changeRequestIDs) { self.changeRequestIDs[index] = id }
    }

    /// Ids of new candidates and change requests from their sequences, in one query.
    static func nextIDs(candidates: Int, changeRequests: Int, on connection: PostgresConnection, logger: Logger) async throws -> ([Int64], [Int64]) {
        guard candidates + changeRequests > 0 else { return ([], []) }
        let rows = try await connection.query("""
            SELECT ARRAY(SELECT nextval(pg_get_serial_sequence('candidate', 'id')) FROM generate_series(1, \(candidates))),
                   ARRAY(SELECT nextval(pg_get_serial_sequence('change_request', 'id')) FROM generate_series(1, \(changeRequests)))
            """, logger: logger)
        for try await (candidateIDs, changeRequestIDs) in rows.decode(([Int64], [Int64]).self) { return (candidateIDs, changeRequestIDs) }
        return ([], [])
    }

    /// The rows of the refused candidates before `index` (all of them when nil), so that the
    /// audit trail follows the batch's order.
    mutating func addRefused(before index: Int? = nil) {
        while let first = refused.first, index.map({ first.index < $0 }) ?? true {
            refused.removeFirst()
            addRejected(first.index, errors: first.errors, warnings: [])
        }
    }

    /// The rows of one planned candidate.
    mutating func add(_ work: IngestWork) throws {
        addRefused(before: work.index)
        let s = work.submission
        switch work.outcome! {
        case .reject(let errors, let warnings):
            addRejected(work.index, errors: errors, warnings: warnings)
        case .unchanged(let changeRequestID, let candidateID):
            if let recordID = work.situation.recordID, work.open == nil, let mine = work.pending.first,
               work.situation.contributions.first(where: { $0.source == mine.source && $0.sourceKey == mine.sourceKey }) != mine {
                // The source said something that does not survive: kept as its own, the golden record unchanged.
                kept.append((s.entity, mine, recordID))
                entry("source.values_kept", s.entity, subject: "record:\(recordID)", record: recordID, version: work.situation.currentVersion,
                      after: ["source": .string(mine.source), "source_key": .string(mine.sourceKey), "attributes": .object(mine.attributes)])
            }
            unchanged[s.entity, default: []].append("\(s.source)/\(s.sourceKey)")
            results.append((work.index, IngestResult(candidateID: candidateID, status: .unchanged, changeRequestID: changeRequestID, match: work.match)))
        case .propose(let proposal):
            let candidate = candidateIDs[work.index]!, id = changeRequestIDs[work.index]!
            addCandidate(candidate, s, status: "proposed", errors: [], warnings: proposal.warnings, changeRequest: id, match: work.match)
            if let old = proposal.supersedes {
                guard let open = work.open, open.id == old else {
                    throw StoreError.conflict("change request \(old) is not the open proposal any more; send the candidate again")
                }
                try retire(open, successor: id)
            }
            let texts = proposalTexts[work.index] ?? ProposalTexts(proposal, match: work.match)
            changeRequests.add([String(id), s.entity, proposal.kind.rawValue, work.situation.recordID.map(String.init),
                                work.situation.currentVersion.map(String.init), s.source, s.sourceKey, String(candidate), batch.caller.name,
                                texts.attributes, texts.diff, texts.warnings, batch.rulesVersion,
                                texts.contributions, texts.stewardValues, texts.lineage, texts.match])
            for (duplicate, explanation) in zip(work.match?.possibleDuplicates ?? [], texts.explanations) {
                duplicates.add([String(id), duplicate.recordID.map(String.init), duplicate.changeRequestID.map(String.init), String(duplicate.score),
                                duplicate.band.rawValue, explanation, batch.rulesVersion])
            }
            if proposal.kind == .create, let rules = work.schema.match {
                let hashes = work.proposalRecord.map { $0.keys.map { Int64(bitPattern: $0) } } ?? MatchKeys.hashes(proposal.attributes, rules: rules)
                for hash in hashes where !common.contains(BatchBlock(entity: s.entity, hash: UInt64(bitPattern: hash))) {
                    keys.add([s.entity, String(hash), String(id)])
                }
            }
            entry("change_request.opened", s.entity, subject: "change_request:\(id)", record: work.situation.recordID,
                  version: work.situation.currentVersion,
                  before: work.situation.recordID == nil ? nil : .object(work.situation.currentAttributes), after: .object(proposal.attributes))
            if let own = work.ownCreate {
                // The candidate's own create, replaced by the update of the record it was linked to.
                try retire(own, successor: id)
            }
            results.append((work.index, IngestResult(candidateID: candidate, status: .proposed, changeRequestID: id, warnings: proposal.warnings,
                                                     match: work.match)))
        }
    }

    private mutating func addRejected(_ index: Int, errors: [Finding], warnings: [Finding]) {
        let id = candidateIDs[index]!
        addCandidate(id, batch.submissions[index], status: "rejected", errors: errors, warnings: warnings, changeRequest: nil)
        results.append((index, IngestResult(candidateID: id, status: .rejected, changeRequestID: nil, errors: errors, warnings: warnings)))
    }

    private mutating func addCandidate(_ id: Int64, _ s: CandidateSubmission, status: String, errors: [Finding], warnings: [Finding],
                                       changeRequest: Int64?, match: FlowMatch? = nil) {
        candidates.add([String(id), s.entity, s.source, s.sourceKey, SQLJSON.text(s.attributes), status, SQLJSON.text(errors),
                        SQLJSON.text(warnings), batch.rulesVersion, batch.caller.name, changeRequest.map(String.init)])
        var after: [String: JSONValue] = ["source": .string(s.source), "source_key": .string(s.sourceKey), "attributes": .object(s.attributes)]
        if !errors.isEmpty {
            after["errors"] = .array(errors.map { ["attribute": .string($0.attribute), "rule": .string($0.rule), "message": .string($0.message)] })
        }
        if !warnings.isEmpty {
            after["warnings"] = .array(warnings.map { ["attribute": .string($0.attribute), "rule": .string($0.rule), "message": .string($0.message)] })
        }
        if let match, match.band != .distinct {
            // The match that decided the candidate's way: the band, and the record it met.
            after["match"] = ["band": .string(match.band.rawValue), "record_id": match.recordID.map { .number(Double($0)) } ?? .null,
                              "score": match.score.map(JSONValue.number) ?? .null,
                              "possible_duplicates": .number(Double(match.possibleDuplicates.count))]
        }
        entry("candidate.\(status)", s.entity, subject: "candidate:\(id)", after: .object(after))
    }

    /// Closes `old` as superseded by `successor` (the state machine deciding), gives up its
    /// blocking keys, and says so in the audit trail.
    private mutating func retire(_ old: ChangeRequestView, successor: Int64) throws {
        var lifecycle = PostgresStewardshipStore.lifecycle(of: old)
        _ = try PostgresStewardshipStore.decide { () throws(ChangeRequestError) in try lifecycle.supersede() }
        retired.append((old.id, lifecycle.status))
        pointers.append((old.id, successor))
        entry("change_request.superseded", old.entity, subject: "change_request:\(old.id)", record: old.recordID,
              after: ["superseded_by": .number(Double(successor))])
    }

    private mutating func entry(_ action: String, _ entity: String, subject: String, record: Int64? = nil, version: Int? = nil,
                                before: JSONValue? = nil, after: JSONValue?) {
        audit.append(AuditEntry(actor: batch.caller.name, action: action, entity: entity, subject: subject, recordID: record, version: version,
                                before: before, after: after, rulesVersion: batch.rulesVersion, requestID: batch.requestID))
    }

    /// Writes the round: superseded proposals closed first (one open proposal per record or source
    /// key), then every table's rows with one COPY each.
    func write(on connection: PostgresConnection, logger: Logger) async throws {
        if !retired.isEmpty {
            try await connection.query("""
                UPDATE change_request cr SET status = u.status, decided_at = now()
                FROM unnest(\(retired.map(\.id))::bigint[], \(retired.map(\.status.rawValue))::text[]) AS u(id, status)
                WHERE cr.id = u.id
                """, logger: logger)
            try await connection.query("DELETE FROM match_key WHERE change_request_id = ANY(\(retired.map(\.id)))", logger: logger)
        }
        try await candidates.copy(into: "candidate", ["id", "entity", "source", "source_key", "attributes", "status", "errors", "warnings",
                                                      "rules_version", "submitted_by", "change_request_id"], on: connection, logger: logger)
        try await changeRequests.copy(into: "change_request", ["id", "entity", "kind", "record_id", "base_version", "source", "source_key",
                                                               "candidate_id", "submitted_by", "proposed", "diff", "warnings", "rules_version",
                                                               "contributions", "steward_values", "lineage", "match"], on: connection, logger: logger)
        if !pointers.isEmpty {
            try await connection.query("""
                UPDATE change_request cr SET superseded_by = u.successor
                FROM unnest(\(pointers.map(\.old))::bigint[], \(pointers.map(\.new))::bigint[]) AS u(id, successor)
                WHERE cr.id = u.id
                """, logger: logger)
        }
        try await duplicates.copy(into: "possible_duplicate", ["change_request_id", "record_id", "other_change_request_id", "weight", "band",
                                                               "explanation", "rules_version"], on: connection, logger: logger)
        try await keys.copy(into: "match_key", ["entity", "key_hash", "change_request_id"], on: connection, logger: logger)
        try await PostgresStewardshipStore.storeContributions(kept, on: connection, logger: logger)
        let resent = unchanged.sorted { $0.key < $1.key }.map { entity, keys in
            AuditEntry(actor: batch.caller.name, action: "candidate.unchanged", entity: entity, subject: "request:\(batch.requestID)",
                       after: ["count": .number(Double(keys.count)), "source_keys": .array(keys.prefix(100).map(JSONValue.string))],
                       rulesVersion: batch.rulesVersion, requestID: batch.requestID)
        }
        try await AuditLog.append(contentsOf: audit + resent, on: connection, logger: logger)
    }
}

/// Elapsed time per phase of a piece of work, for its debug line.
struct PhaseClock: CustomStringConvertible {
    private let clock = ContinuousClock()
    private var start: ContinuousClock.Instant
    private var phases = [String]()

    init() { start = clock.now }

    mutating func lap(_ phase: String) {
        let now = clock.now
        let elapsed = (now - start).components
        phases.append("\(phase) \(elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000) µs")
        start = now
    }

    var description: String { phases.joined(separator: ", ") }
}

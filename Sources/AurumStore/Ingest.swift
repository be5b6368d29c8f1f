import Foundation
import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// Ingests a batch in one transaction: every look-up made for the whole batch at once (source
    /// keys, linked records, open proposals, blocking keys, match targets, pairs declared distinct,
    /// references and unique values), each candidate planned in memory, and the batch written
    /// with COPY. A candidate that fails validation is stored as rejected without touching the
    /// others. A batch naming one source key (or one golden record) twice is worked in rounds
    /// inside the same transaction, so that the later candidate meets what the earlier made, as if
    /// they had come one after the other.
    ///
    /// A candidate whose source key no golden record has yet is matched first (against the stored
    /// keys of golden records and open create proposals, and against the creates before it in the
    /// batch): an automatic link makes it an update of the record it matched, a pair at review
    /// flags the create as a possible duplicate. The golden values are then chosen by
    /// survivorship among the record's sources and validated whole.
    ///
    /// When the batch cannot be stored, nothing of it is: a candidate the caller may not submit
    /// throws `BatchInterrupted` naming it, a failure of the database its `StoreError`.
    public func ingest(_ submissions: [CandidateSubmission], by caller: Principal, requestID: String) async throws -> [IngestResult] {
        try await ingest(submissions, by: caller, requestID: requestID, alongside: { _ in })
    }

    /// The same, with `alongside` writing more in the same transaction (an import's cursor,
    /// committed with the candidates it read).
    public func ingest(_ submissions: [CandidateSubmission], by caller: Principal, requestID: String,
                       alongside: (PostgresConnection) async throws -> Void) async throws -> [IngestResult] {
        for (index, submission) in submissions.enumerated() {
            guard caller.may(.submit(entity: submission.entity, source: submission.source)) else {
                throw BatchInterrupted(stored: [], failedIndex: index, cause: StoreError.forbidden(
                    "\(caller.name) may not submit \(submission.entity) candidates as source \(submission.source)"))
            }
            guard rules.entities[submission.entity] != nil else {
                throw BatchInterrupted(stored: [], failedIndex: index, cause: StoreError.invalid("the rules no longer define entity \(submission.entity)"))
            }
        }
        return try await transaction { connection in
            var batch = IngestBatch(submissions: submissions, caller: caller, requestID: requestID, rulesVersion: rules.version, instant: Self.instant())
            var results = [IngestResult?](repeating: nil, count: submissions.count)
            var remaining = Array(submissions.indices)
            while !remaining.isEmpty {
                remaining = try await ingestRound(remaining, of: batch, results: &results, on: connection)
                // What a later round says is more recent than what the round before it said.
                batch.instant = Self.instant(after: batch.instant)
            }
            try await alongside(connection)
            return results.map { $0! }
        }
    }

    /// One round of a batch: the candidates of `indices` with distinct source keys (and, after
    /// matching, distinct golden records) are planned and written; the others are returned for
    /// the next round.
    func ingestRound(_ indices: [Int], of batch: IngestBatch, results: inout [IngestResult?],
                     on connection: PostgresConnection) async throws -> [Int] {
        var deferred = [Int]()
        var seen = Set<[String]>()
        var works = [IngestWork]()
        var writes = IngestWrites(batch: batch)
        var validators = [String: Validator]()
        for index in indices {
            let submission = batch.submissions[index]
            guard seen.insert(submission.key).inserted else { deferred.append(index); continue }
            let schema = rules.entities[submission.entity]!
            let validator = validators[submission.entity] ?? Validator(schema: schema)
            validators[submission.entity] = validator
            let prepared = validator.prepare(submission.attributes)
            guard prepared.errors.isEmpty else {
                writes.reject(index, errors: prepared.errors)
                continue
            }
            works.append(IngestWork(index: index, submission: submission, schema: schema,
                                    sent: Self.sent(submission.attributes, prepared: prepared.attributes)))
        }
        var clock = PhaseClock()
        try await Locks.sourceKeys(works.map(\.submission.key), on: connection, logger: logger)
        clock.lap("locks")
        try await meet(&works, at: batch.instant, on: connection)
        clock.lap("meet")
        // One scorer per entity for the round, shared by matching against the store and within the batch.
        let scorers = Dictionary(works.compactMap { work in work.schema.match.map { (work.submission.entity, $0) } },
                                 uniquingKeysWith: { first, _ in first }).mapValues { MatchScorer(rules: $0) }
        let (stored, common) = try await match(&works, scorers: scorers, on: connection)
        writes.common = common
        clock.lap("match")

        // One golden record per round: a later candidate for a record an earlier one claimed waits.
        var claimed = Set<Int64>()
        works = works.filter { work in
            guard let record = work.record else { return true }
            if claimed.insert(record).inserted { return true }
            deferred.append(work.index)
            return false
        }
        let situations = try await situations(ofRecords: claimed.sorted(), on: connection)
        for i in works.indices {
            guard let record = works[i].record else { continue }
            if works[i].linked == nil { works[i].ownCreate = works[i].open }
            (works[i].situation, works[i].open) = situations[record] ?? (IngestPlanner.Situation(), nil)
            survive(&works[i], at: batch.instant)
        }
        let verdicts = try await validate(works.map { ($0.golden.attributes, $0.submission.entity, $0.situation.recordID) }, on: connection)
        for (i, verdict) in verdicts.enumerated() {
            works[i].outcome = IngestPlanner.decide(verdict, situation: works[i].situation, pending: works[i].pending, lineage: works[i].golden.lineage)
        }
        clock.lap("validate")
        try await writes.reserve(works, on: connection, logger: logger)
        await matchWithinBatch(&works, writes: writes, stored: stored, scorers: scorers)
        clock.lap("within")
        await writes.prepareTexts(works)
        for work in works { try writes.add(work) }
        writes.addRefused()
        clock.lap("rows")
        try await writes.write(on: connection, logger: logger)
        let released = try await autoApprove(works, writes: writes, batch: batch, on: connection)
        clock.lap("write")
        logger.debug("ingest round", metadata: ["aurum.candidates": "\(indices.count)", "aurum.waiting": "\(deferred.count)",
                                                "aurum.phases": "\(clock)"])
        for (index, result) in writes.results {
            results[index] = result
            results[index]?.released = released[index]
        }
        return deferred.sorted()
    }

    /// What each candidate meets: the golden record its source key is linked to, else its own
    /// open create (locked), and its golden values as its key alone says them.
    func meet(_ works: inout [IngestWork], at instant: String, on connection: PostgresConnection) async throws {
        guard !works.isEmpty else { return }
        // One statement: each key's golden record, else its open create, locked, in key order;
        // and the keys a steward declared distinct from it, each with its golden record if any.
        let keys = works.map(\.submission.key).sorted { $0.lexicographicallyPrecedes($1) }
        let rows = try await connection.execute(MeetStatement(keys: keys), logger: logger)
        var linked = [[String]: Int64]()
        var open = [[String]: ChangeRequestView]()
        var declared = [[String]: (keys: Set<[String]>, records: Set<Int64>)]()
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let key: [String] = [try columns.get("key_entity"), try columns.get("key_source"), try columns.get("key_source_key")]
            for pair in try SQLJSON.decode([[String?]].self, try columns.get("declared_distinct")) where pair.count == 3 {
                guard let source = pair[0], let sourceKey = pair[1] else { continue }
                declared[key, default: ([], [])].keys.insert([key[0], source, sourceKey])
                if let record = pair[2].flatMap(Int64.init) { declared[key, default: ([], [])].records.insert(record) }
            }
            if let record: Int64 = try columns.get("linked_record") {
                linked[key] = record
            } else if try (columns.get("id") as Int64?) != nil {
                open[key] = try Self.changeRequest(columns)
            }
        }
        for i in works.indices {
            let key = works[i].submission.key
            (works[i].declaredDistinct, works[i].distinctRecords) = declared[key] ?? ([], [])
            works[i].linked = linked[key]
            if works[i].linked == nil {
                works[i].open = open[key]
                works[i].situation.openChangeRequest = open[key].map(Self.openProposal)
                survive(&works[i], at: instant)
            }
        }
    }

    /// Releases at once each proposal of the round that an auto-approve gate takes (unless it is
    /// flagged as a possible duplicate, which a steward must look at): released by the gate, and
    /// audited as such. One release each, as a steward's approval would make it.
    /// Returns what was released, by the candidate's index in the batch.
    func autoApprove(_ works: [IngestWork], writes: IngestWrites, batch: IngestBatch,
                     on connection: PostgresConnection) async throws -> [Int: IngestResult.Release] {
        var released = [Int: IngestResult.Release]()
        for work in works {
            guard case .propose(let proposal) = work.outcome, let id = writes.changeRequestIDs[work.index],
                  (work.match?.possibleDuplicates ?? []).isEmpty else { continue }
            let s = work.submission
            let plan = gatePlan(entity: s.entity, kind: proposal.kind, diff: proposal.diff, source: s.source, proposed: proposal.attributes)
            guard plan.autoApprovedBy != nil else { continue }
            var request = try await reloaded(id, on: connection)
            var lifecycle = Self.lifecycle(of: request, gates: plan)
            guard case .recordAutoApproval(let gate) = try Self.decide({ () throws(ChangeRequestError) in try lifecycle.autoApprove() }) else { continue }
            var releaser = batch.caller
            releaser.name = "gate:\(gate)"
            let (recordID, version) = try await release(&request, by: releaser, requestID: batch.requestID, on: connection)
            try await persist(lifecycle, changeRequest: id, autoApprovedBy: gate, on: connection)
            try await AuditLog.append(AuditEntry(
                actor: releaser.name, action: "change_request.auto_approved", entity: s.entity, subject: "change_request:\(id)",
                recordID: recordID, version: version, after: ["gate": .string(gate)], rulesVersion: rules.version, requestID: batch.requestID),
                on: connection, logger: logger)
            released[work.index] = IngestResult.Release(recordID: recordID, version: version, gate: gate)
        }
        return released
    }

    /// The candidate's golden values among its record's (or its own proposal's) sources.
    func survive(_ work: inout IngestWork, at instant: String) {
        let s = work.submission
        (work.pending, work.golden) = IngestPlanner.golden(source: s.source, sourceKey: s.sourceKey, attributes: work.sent, at: instant,
                                                          situation: work.situation, rules: work.schema.survive, trust: rules.trust)
    }

    /// Scores every candidate not linked yet against the golden records and open create proposals
    /// it shares a blocking key with, leaving out those a steward declared distinct from its
    /// source key; one query per entity for the keys, one for the pairs declared distinct, one
    /// each for the records and proposals scored against.
    /// Returns how many records and proposals the store holds per blocking key looked up (up to
    /// two past the key's limit), which matching within the batch adds to; and the keys marked
    /// common, which the round's creates do not store.
    func match(_ works: inout [IngestWork], scorers: [String: MatchScorer], on connection: PostgresConnection) async throws
        -> (stored: [BatchBlock: Int], common: Set<BatchBlock>) {
        let matching = works.indices.filter { works[$0].linked == nil && works[$0].schema.match != nil }
        guard !matching.isEmpty else { return ([:], []) }
        var clock = PhaseClock()
        let inputs = matching.map { (attributes: works[$0].golden.attributes, rules: works[$0].schema.match!) }
        let candidates = await parallelMap(inputs.count, parallelism: Self.cores) { k in
            MatchRecord(id: "candidate", attributes: inputs[k].attributes, rules: inputs[k].rules)
        }
        for (i, record) in zip(matching, candidates) { works[i].prepared = record }
        clock.lap("candidates")
        var targets = [Int: Set<MatchTarget>]()
        var stored = [BatchBlock: Int]()
        var common = Set<BatchBlock>()
        for entity in Set(matching.map { works[$0].submission.entity }).sorted() {
            let group = matching.filter { works[$0].submission.entity == entity }
            let found = try await MatchKeys.targets(of: group.map { (works[$0].prepared!.keys, works[$0].open?.id) }, entity: entity,
                                                    rules: works[group[0]].schema.match!, on: connection, logger: logger)
            for (i, set) in zip(group, found.targets) where !set.isEmpty { targets[i] = set }
            for (hash, count) in found.stored { stored[BatchBlock(entity: entity, hash: hash)] = count }
            common.formUnion(found.common.map { BatchBlock(entity: entity, hash: $0) })
        }
        clock.lap("keys")
        var keysOf = [MatchTarget: [String]]()
        let recordIDs = Set(targets.values.flatMap { $0.compactMap(\.recordID) }).sorted()
        let proposalIDs = Set(targets.values.flatMap { $0.compactMap(\.changeRequestID) }).sorted()
        var attributes = [MatchTarget: Attributes]()
        if !recordIDs.isEmpty || !proposalIDs.isEmpty {
            // The records' current values and the proposals' proposed values, in one statement.
            let rows = try await connection.execute(TargetsStatement(records: recordIDs, proposals: proposalIDs), logger: logger)
            for try await row in rows {
                let (id, isRecord, text, entity, source, key, usable) = try row.decode((Int64, Bool, String, String?, String?, String?, Bool).self)
                guard usable else { continue }
                let target = isRecord ? MatchTarget.record(id) : .changeRequest(id)
                attributes[target] = try SQLJSON.decode(Attributes.self, text)
                if !isRecord, let entity, let source, let key { keysOf[target] = [entity, source, key] }
            }
        }
        clock.lap("targets")
        // Each record or proposal met is prepared once, and the candidates scored, on every core.
        var rulesOf = [MatchTarget: MatchRules]()
        for i in matching {
            for target in targets[i] ?? [] { rulesOf[target] = works[i].schema.match! }
        }
        let met = attributes.compactMap { entry in rulesOf[entry.key].map { (target: entry.key, attributes: entry.value, rules: $0) } }
        let preparedList = await parallelMap(met.count, parallelism: Self.cores) { k in
            MatchRecord(id: "", attributes: met[k].attributes, rules: met[k].rules)
        }
        clock.lap("prepare")
        var prepared = [MatchTarget: MatchRecord](minimumCapacity: met.count)
        for (entry, record) in zip(met, preparedList) { prepared[entry.target] = record }
        for i in matching {
            let work = works[i]
            works[i].scored = (targets[i] ?? []).sorted(by: Self.targetOrder).compactMap { target in prepared[target].map { (target, $0) } }
            // Not to be linked: a record a key declared distinct from this one belongs to, a
            // proposal of such a key, and the candidate's own proposal.
            works[i].distinct = Set(works[i].scored.map(\.target).filter { target in
                switch target {
                case .record(let id): work.distinctRecords.contains(id)
                case .changeRequest: keysOf[target].map { $0 == work.submission.key || work.declaredDistinct.contains($0) } ?? false
                }
            })
        }
        let jobs = matching.map { works[$0] }.map { (record: $0.prepared!, targets: $0.scored, distinct: $0.distinct, rules: $0.schema.match!,
                                                     scorer: scorers[$0.submission.entity]!) }
        let matches = await parallelMap(jobs.count, parallelism: Self.cores) { k in
            FlowMatching.match(jobs[k].record, prepared: jobs[k].targets, rules: jobs[k].rules, scorer: jobs[k].scorer, distinct: jobs[k].distinct)
        }
        for (i, match) in zip(matching, matches) { works[i].match = match }
        clock.lap("score")
        logger.debug("batch matched", metadata: ["aurum.candidates": "\(matching.count)", "aurum.records": "\(recordIDs.count)",
                                                 "aurum.proposals": "\(proposalIDs.count)", "aurum.phases": "\(clock)"])
        return (stored, common)
    }

    /// Matching's share of the machine: every core.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Records first, in id order, then proposals: the order the single-record path scored in.
    static func targetOrder(_ a: MatchTarget, _ b: MatchTarget) -> Bool {
        switch (a, b) {
        case (.record(let x), .record(let y)), (.changeRequest(let x), .changeRequest(let y)): x < y
        case (.record, .changeRequest): true
        case (.changeRequest, .record): false
        }
    }

    /// Scores each new create against the creates before it in the round that share a blocking
    /// key with it (proposals not stored yet, never linked to automatically), and flags it as
    /// their possible duplicate. A block is sized as a candidate sent after them would find it:
    /// what the store holds (`stored`), the creates before it, and itself.
    func matchWithinBatch(_ works: inout [IngestWork], writes: IngestWrites, stored: [BatchBlock: Int],
                          scorers: [String: MatchScorer]) async {
        var blocks = [BatchBlock: [Int]]()
        var jobs = [(i: Int, record: MatchRecord, earlier: [Int], rules: MatchRules)]()
        for i in works.indices {
            // Every create with match rules was prepared for matching against the store.
            guard case .propose(let proposal) = works[i].outcome, proposal.kind == .create, let rules = works[i].schema.match,
                  let record = works[i].prepared, writes.changeRequestIDs[works[i].index] != nil else { continue }
            var earlier = Set<Int>()
            for hash in record.keys {
                let blockKey = BatchBlock(entity: works[i].submission.entity, hash: hash)
                let block = blocks[blockKey] ?? []
                // The block as the store and the creates before it hold it, with the candidate.
                earlier.formUnion(block.prefix(rules.membersTaken(fromBlockOf: hash, size: (stored[blockKey] ?? 0) + block.count + 1)))
            }
            if !earlier.isEmpty { jobs.append((i, record, earlier.sorted(), rules)) }
            let own = proposal.attributes == works[i].golden.attributes ? record : MatchRecord(id: "", attributes: proposal.attributes, rules: rules)
            works[i].proposalRecord = own
            for hash in own.keys { blocks[BatchBlock(entity: works[i].submission.entity, hash: hash), default: []].append(i) }
        }
        // Each create scored against the earlier ones it meets, on every core.
        let inputs = jobs.map { job in
            (record: job.record, rules: job.rules, scorer: scorers[works[job.i].submission.entity]!,
             targets: job.earlier.map { (target: MatchTarget.changeRequest(writes.changeRequestIDs[works[$0].index]!), record: works[$0].proposalRecord!) },
             distinct: Set(job.earlier.filter { works[job.i].declaredDistinct.contains(works[$0].submission.key) }
                 .map { MatchTarget.changeRequest(writes.changeRequestIDs[works[$0].index]!) }))
        }
        let within = await parallelMap(inputs.count, parallelism: Self.cores) { k in
            FlowMatching.match(inputs[k].record, prepared: inputs[k].targets, rules: inputs[k].rules, scorer: inputs[k].scorer,
                               distinct: inputs[k].distinct)
        }
        for (job, match) in zip(jobs, within) { works[job.i].match = FlowMatching.combine(works[job.i].match ?? .none, match) }
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

    /// Now, or a millisecond after `previous` when the clock has not moved past it yet.
    static func instant(after previous: String) -> String {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let now = Date()
        guard let last = try? style.parse(previous), now.timeIntervalSince(last) < 0.001 else { return now.formatted(style) }
        return last.addingTimeInterval(0.001).formatted(style)
    }

    /// A golden record's situation: its current version, its sources' contributions, the values
    /// stewards typed, and its open proposal; the record, then the proposal, locked.
    func situation(ofRecord recordID: Int64, on connection: PostgresConnection) async throws -> (IngestPlanner.Situation, open: ChangeRequestView?) {
        try await situations(ofRecords: [recordID], on: connection)[recordID] ?? (IngestPlanner.Situation(), nil)
    }

    /// The situations of several golden records, read together: the records locked in id order,
    /// then their open proposals. A record that does not exist has none.
    func situations(ofRecords ids: [Int64], on connection: PostgresConnection) async throws
        -> [Int64: (IngestPlanner.Situation, open: ChangeRequestView?)] {
        let versions = try await Locks.records(ids, on: connection, logger: logger)
        guard !versions.isEmpty else { return [:] }
        let locked = versions.keys.sorted()
        let current = try await connection.query("""
            SELECT gv.record_id, gv.version, gv.attributes::text, gv.change_request_id,
                   (SELECT coalesce(json_agg(json_build_object('source', rs.source, 'source_key', rs.source_key, 'attributes', rs.attributes,
                                                               'changed_at', rs.changed_at) ORDER BY rs.source, rs.source_key), '[]')
                    FROM record_source rs WHERE rs.record_id = gv.record_id)::text,
                   (SELECT coalesce(json_object_agg(sv.attribute, json_build_object('value', sv.value, 'steward', sv.steward, 'at', sv.at)), '{}')
                    FROM steward_value sv WHERE sv.record_id = gv.record_id)::text
            FROM unnest(\(locked)::bigint[], \(locked.map { Int64(versions[$0]!) })::bigint[]) AS l(id, version)
            JOIN golden_version gv ON gv.record_id = l.id AND gv.version = l.version
            """, logger: logger)
        var result = [Int64: (IngestPlanner.Situation, open: ChangeRequestView?)]()
        for try await (recordID, version, attributes, changeRequest, contributions, typed) in current.decode((Int64, Int, String, Int64?, String, String).self) {
            var situation = IngestPlanner.Situation()
            situation.recordID = recordID
            situation.currentVersion = version
            situation.currentAttributes = try SQLJSON.decode(Attributes.self, attributes)
            situation.lastReleasedChangeRequestID = changeRequest
            situation.contributions = try SQLJSON.decode([SourceContribution].self, contributions)
            situation.stewardValues = try SQLJSON.decode([String: StewardValue].self, typed)
            result[recordID] = (situation, nil)
        }
        // One probe of the open proposals' index per record (see `meet`).
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.changeRequestPlanningColumns)
            FROM unnest(\(locked)::bigint[]) AS k(id)
            JOIN LATERAL (SELECT * FROM change_request c WHERE c.record_id = k.id AND c.status = 'open' AND c.record_id IS NOT NULL
                            AND c.kind NOT IN ('block', 'unblock', 'obsolete')
                          OFFSET 0 FOR UPDATE) cr ON true
            """, logger: logger)
        for try await row in rows {
            let open = try Self.changeRequest(row.makeRandomAccess())
            guard let recordID = open.recordID, result[recordID] != nil else { continue }
            result[recordID]!.open = open
            result[recordID]!.0.openChangeRequest = Self.openProposal(open)
        }
        return result
    }

    static func openProposal(_ open: ChangeRequestView) -> IngestPlanner.OpenProposal {
        .init(id: open.id, candidateID: open.candidateID, proposed: open.proposed, contributions: open.contributions,
              stewardValues: open.stewardValues)
    }

    /// Keeps what source keys said of their records (linking a key new to its record), one
    /// statement for them all.
    static func storeContributions(_ kept: [(entity: String, contribution: SourceContribution, record: Int64)],
                                   on connection: PostgresConnection, logger: Logger) async throws {
        guard !kept.isEmpty else { return }
        try await connection.query("""
            INSERT INTO record_source (entity, source, source_key, record_id, attributes, changed_at)
            SELECT u.entity, u.source, u.source_key, u.record_id, u.attributes::jsonb, u.changed_at::jsonb
            FROM unnest(\(kept.map(\.entity))::text[], \(kept.map(\.contribution.source))::text[], \(kept.map(\.contribution.sourceKey))::text[],
                        \(kept.map(\.record))::bigint[], \(kept.map { SQLJSON.text($0.contribution.attributes) })::text[],
                        \(kept.map { SQLJSON.text($0.contribution.changedAt) })::text[]) AS u(entity, source, source_key, record_id, attributes, changed_at)
            ON CONFLICT (entity, source, source_key) DO UPDATE
            SET record_id = excluded.record_id, attributes = excluded.attributes, changed_at = excluded.changed_at
            """, logger: logger)
    }
}

/// A blocking key of one entity, among a batch's creates.
struct BatchBlock: Hashable {
    var entity: String
    var hash: UInt64
}

/// What each source key meets (see `meet`): its golden record, else its open create, locked; and
/// the keys declared distinct from it, each with its golden record if any. The open create is one
/// index probe per key: the open proposals are few after a load or a clean-up and many an hour
/// later, and with the statistics of the few the planner would read the whole partial index per
/// batch (`OFFSET 0` keeps the probe).
struct MeetStatement: PreparedLookup {
    static let sql = """
        SELECT k.entity AS key_entity, k.source AS key_source, k.source_key AS key_source_key, rs.record_id AS linked_record,
               (SELECT coalesce(json_agg(json_build_array(d.source, d.source_key, o.record_id::text)), '[]')
                FROM (SELECT source_b, source_key_b FROM distinct_pair
                      WHERE entity = k.entity AND source_a = k.source AND source_key_a = k.source_key
                      UNION ALL
                      SELECT source_a, source_key_a FROM distinct_pair
                      WHERE entity = k.entity AND source_b = k.source AND source_key_b = k.source_key) AS d(source, source_key)
                LEFT JOIN record_source o ON o.entity = k.entity AND o.source = d.source AND o.source_key = d.source_key
               )::text AS declared_distinct,
               \(PostgresStewardshipStore.changeRequestPlanningColumns)
        FROM unnest($1::text[], $2::text[], $3::text[]) AS k(entity, source, source_key)
        LEFT JOIN record_source rs ON rs.entity = k.entity AND rs.source = k.source AND rs.source_key = k.source_key
        LEFT JOIN LATERAL (SELECT * FROM change_request c
                           WHERE rs.record_id IS NULL AND c.entity = k.entity AND c.source = k.source AND c.source_key = k.source_key
                             AND c.status = 'open' AND c.record_id IS NULL
                           OFFSET 0 FOR UPDATE) cr ON true
        """
    let bindings: PostgresBindings

    /// `keys`: (entity, source, source_key) each, in lock order.
    init(keys: [[String]]) {
        bindings = .of(keys.map { $0[0] }, keys.map { $0[1] }, keys.map { $0[2] })
    }
}

/// The current values of the golden records and the proposed values of the proposals a batch
/// met. Proposals by id alone: with `status = 'open'` beside it, statistics taken when few were
/// open make the planner read every open proposal instead of the few asked for.
struct TargetsStatement: PreparedLookup {
    static let sql = """
        SELECT gr.id, true, gv.attributes::text, NULL, NULL, NULL, true
        FROM golden_record gr JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
        WHERE gr.id = ANY($1::bigint[]) AND gr.state <> 'superseded'
        UNION ALL
        SELECT id, false, proposed::text, entity, source, source_key, status = 'open' AND kind = 'create' FROM change_request
        WHERE id = ANY($2::bigint[])
        """
    let bindings: PostgresBindings

    init(records: [Int64], proposals: [Int64]) {
        bindings = .of(records, proposals)
    }
}

import ArgumentParser
import AurumCore
import AurumStore
import Foundation

/// `aurum load FILE --entity E --source S`: existing master data in as golden records, in bulk.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring existing master data in as released golden records, in bulk (works directly on the database).",
        discussion: """
            For a first day: the items, suppliers or customers a company already has (in Odoo, say) \
            become version 1 of golden records without a change request each. Every row is validated; \
            rows that fail are listed and left out. Rows the match: rules link automatically (auto_link) \
            become one record with all their source keys, its values chosen by the survive: rules; \
            pairs that only reach review are listed for a steward. Each record gets an audit entry, \
            the load one more. A load that stopped is run again to finish it: records whose source keys \
            are loaded already are skipped. Each row needs its source_key (the key in the source system). \
            Last, the loaded tables are vacuumed and analysed (counted in the time it reports), so that \
            ingest after the load reads its look-ups from the indexes alone.

            Examples:
              aurum load odoo-products.csv --entity item --source odoo
              aurum load suppliers.ndjson --entity supplier --source procurement --batch 5000 --json
            """)

    @Argument(help: "The file (.csv, .ndjson or .jsonl) with a source_key column or member.") var file: String
    @Option(help: "item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
    @Option(help: "The source system the rows come from (from rules/aurum.yaml).", completion: Completions.sources) var source: String
    @Option(help: "Records written per transaction.") var batch = 10_000
    @Flag(help: "Print the outcome as JSON.") var json = false
    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (100...100_000).contains(batch) else { throw ValidationError("--batch must be between 100 and 100000") }
    }

    /// What the load did, printed at the end.
    struct Outcome: Encodable, Sendable {
        var rows = 0
        var loaded = 0
        var skipped = 0
        var merged = 0
        var invalid = [Problem]()
        var refused = [Problem]()
        /// Pairs that reach review: how many, and the strongest thousand.
        var reviewPairs = 0
        var review = [ReviewPair]()
        var seconds = 0.0

        struct Problem: Encodable, Sendable {
            var sourceKey: String
            var line: Int?
            var message: String
            enum CodingKeys: String, CodingKey { case sourceKey = "source_key", line, message }
        }

        enum CodingKeys: String, CodingKey {
            case rows, loaded, skipped, merged, invalid, refused, reviewPairs = "review_pairs", review, seconds
        }

        struct ReviewPair: Encodable, Sendable {
            var a: String
            var b: String
            var weight: Double
            var explanation: String
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let logger = makeLogger("aurum.load")
        let ruleSet = try loadRules(rulesOptions.rules)
        guard let schema = ruleSet.entities[entity] else {
            throw ValidationError("unknown entity \"\(entity)\"; the rules define \(ruleSet.entities.keys.sorted().joined(separator: ", "))")
        }
        guard let system = ruleSet.sources[source], system.submits(entity) else {
            throw ValidationError("source \"\(source)\" \(ruleSet.sources[source] == nil ? "is not in rules/aurum.yaml" : "may not submit \(entity) records")")
        }
        let validator = Validator(schema: schema)
        let progress = Progress(total: 100)
        var outcome = Outcome()
        let plan: Plan
        do {
            plan = try await Self.plan(file: file, schema: schema, validator: validator, progress: progress, outcome: &outcome)
        } catch let failure as ImportFile.Failure {
            progress.finish()
            printError("error: \(failure)")
            throw ExitCode.failure
        }
        let loadID = "load-" + UUID().uuidString.prefix(8).lowercased()
        let instant = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let entity = entity, source = source, batch = batch, file = file, actor = try database.actorName
        let auditKey = try database.auditKey(for: ruleSet, entities: [entity])
        let planned = outcome
        outcome = try await database.withMigratedDatabase(logger: logger) { client in
            // The consumers the rules declare get deliveries of the loaded versions, as of any release.
            try await PostgresDeliveryQueue(client: client, logger: logger).declare(ruleSet.consumers)
            try await PostgresStewardshipStore(client: client, rules: ruleSet, auditKey: auditKey, logger: logger).requireAuditKey(auditKey)
            let loader = BulkLoad(client: client, rules: ruleSet, entity: entity, actor: actor, loadID: loadID, auditKey: auditKey, logger: logger)
            try await loader.markCommon(plan.commonKeys)
            var outcome = planned
            // What the database did, kept apart from what reading the file found (`records` holds that).
            var written = BulkLoad.Outcome()
            var pending = [BulkLoad.Record]()
            // One batch is written while the next is read and prepared (on the other core); the
            // writes stay one after the other, so each batch sees the one before it committed.
            var writing: Task<BulkLoad.Outcome, any Error>?
            func finishWriting() async throws {
                guard let batch = try await writing?.value else { return }
                writing = nil
                written.loaded += batch.loaded
                written.skipped += batch.skipped
                written.refused += batch.refused
                progress.update(done: 50 + 50 * (written.loaded + written.skipped) / max(plan.records, 1),
                                summary: "\(written.loaded) records loaded, \(written.skipped) loaded before")
            }
            func flush() async throws {
                guard !pending.isEmpty else { return }
                try await finishWriting()
                let records = pending
                pending.removeAll(keepingCapacity: true)
                writing = Task { try await loader.write(records) }
            }
            do {
                try await Self.records(file: file, plan: plan, schema: schema, validator: validator, source: source, at: instant,
                                       trust: ruleSet.trust, outcome: &outcome) { record in
                    pending.append(record)
                    if pending.count >= batch { try await flush() }
                }
                try await flush()
                try await finishWriting()
            } catch {
                // A batch being written finishes (or fails) before the failure is told.
                _ = try? await writing?.value
                throw error
            }
            outcome.loaded = written.loaded
            outcome.skipped = written.skipped
            outcome.refused += written.refused.map { Outcome.Problem(sourceKey: $0.sourceKey, line: nil, message: $0.message) }
            try await loader.finish(summary: ["file": .string(file), "source": .string(source), "rows": .number(Double(outcome.rows)),
                                              "loaded": .number(Double(outcome.loaded)), "skipped": .number(Double(outcome.skipped)),
                                              "merged": .number(Double(outcome.merged)), "invalid": .number(Double(outcome.invalid.count)),
                                              "refused": .number(Double(outcome.refused.count))])
            return outcome
        }
        // As the login user, who owns the tables (the application role owns none, and PostgreSQL
        // skips a table the caller does not own). The time includes this vacuum, which readies
        // the loaded tables for ingest.
        try await database.access.withLoginSettings(logger: logger) { settings in
            try await settings.withClient(logger: logger) { client in try await BulkLoad.vacuum(client: client, logger: logger) }
        }
        outcome.seconds = Deduplication.seconds(ContinuousClock.now - started)
        progress.finish()
        if json {
            print(JSONOutput.string(outcome))
        } else {
            Self.report(outcome)
        }
        // Rows left out make the exit code 1, so a script notices them.
        if !outcome.invalid.isEmpty || !outcome.refused.isEmpty { throw ExitCode.failure }
    }

    static func report(_ outcome: Outcome) {
        print("\(outcome.rows) rows: \(outcome.loaded) golden records loaded (\(outcome.merged) rows merged into others as duplicates), "
              + "\(outcome.skipped) loaded before, \(outcome.invalid.count) invalid, \(outcome.refused.count) refused, "
              + "\(MatchExplanation.fixed(outcome.seconds, 1)) s")
        for problem in outcome.invalid.prefix(20) { print("  invalid \(problem.sourceKey) (line \(problem.line ?? 0)): \(problem.message)") }
        for problem in outcome.refused.prefix(20) { print("  refused \(problem.sourceKey): \(problem.message)") }
        if !outcome.review.isEmpty {
            print("\(outcome.reviewPairs) pairs for a steward to review (loaded as separate records; merge them with aurum merge):")
            for pair in outcome.review.prefix(20) { print("  \(pair.a) ~ \(pair.b)  weight \(MatchExplanation.fixed(pair.weight, 1))") }
        }
    }

    /// The first pass: which rows are valid, and which of them are one thing (auto_link clusters).
    struct Plan: Sendable {
        /// Cluster index per source key, for rows that are one record with others.
        var clusterOf: [String: Int] = [:]
        var clusterSizes: [Int] = []
        var invalid: Set<String> = []
        /// Golden records the load makes.
        var records = 0
        /// Blocking keys the file alone makes common (see `MatchRules.commonSize`): their members
        /// are not stored.
        var commonKeys: [UInt64] = []
    }

    static func plan(file: String, schema: EntitySchema, validator: Validator, progress: Progress, outcome: inout Outcome) async throws -> Plan {
        var plan = Plan()
        let match = schema.match ?? MatchRules(prior: 0.5, reviewThreshold: .infinity, autoLinkThreshold: .infinity, comparisons: [], blockingKeys: [])
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let prepared = try await RecordFile.prepare(path: file, rules: match, validator: validator, validOnly: true, parallelism: cores) { read, size in
            progress.update(done: size == 0 ? 30 : 30 * read / size, summary: "\(read / 1_048_576) of \(size / 1_048_576) MiB read and validated")
        }
        outcome.invalid = prepared.invalid.map { invalid in
            Outcome.Problem(sourceKey: invalid.record, line: invalid.line,
                            message: invalid.errors.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; "))
        }
        plan.invalid = Set(prepared.invalid.map(\.record))
        let records = prepared.records
        outcome.rows = records.count + prepared.invalid.count
        guard schema.match != nil, !records.isEmpty else {
            plan.records = records.count
            return plan
        }
        var members = [UInt64: Int]()
        for record in records {
            for hash in record.keys where match.commonSize(of: hash) != nil { members[hash, default: 0] += 1 }
        }
        plan.commonKeys = members.filter { $0.value > match.commonSize(of: $0.key)! }.map(\.key)
        progress.update(done: 30, summary: "\(records.count) valid rows; finding duplicates")
        let result = await Deduplication.run(records, rules: match, parallelism: cores)
        let links = result.pairs.filter { $0.band == .autoLink }
        let review = result.pairs.filter { $0.band == .review }
        outcome.reviewPairs = review.count
        outcome.review = review.sorted { $0.weight > $1.weight }.prefix(1000).map {
            Outcome.ReviewPair(a: records[$0.a].id, b: records[$0.b].id, weight: $0.weight, explanation: MatchExplanation.line($0))
        }
        let clusters = Clustering.clusters(links, records: records, scorer: MatchScorer(rules: match, statisticsOf: records))
        for (index, members) in clusters.enumerated() {
            for member in members { plan.clusterOf[records[member].id] = index }
            plan.clusterSizes.append(members.count)
        }
        outcome.merged = clusters.reduce(0) { $0 + $1.count - 1 }
        plan.records = records.count - outcome.merged
        progress.update(done: 50, summary: "\(plan.records) golden records to load")
        return plan
    }

    /// The second pass: each valid row's values, one golden record per single row or per
    /// cluster (once its last member is read), its values chosen by survivorship.
    static func records(file: String, plan: Plan, schema: EntitySchema, validator: Validator, source: String, at instant: String,
                        trust: [String: Int], outcome: inout Outcome, emit: (BulkLoad.Record) async throws -> Void) async throws {
        var reader = try RecordFile(path: file)
        var waiting = [Int: [SourceContribution]]()
        var seenKeys = Set<String>()
        var uniqueOwner = [String: String]()    // attribute·value → the record (cluster or key) holding it
        while let raw = try reader.next() {
            let chunk = try RecordChunk(raw, of: reader.shape)
            for index in 0..<chunk.count {
                let key = chunk.label(index)
                guard !plan.invalid.contains(key) else { continue }
                guard chunk.hasSourceKey(index) else {
                    outcome.invalid.append(.init(sourceKey: key, line: chunk.lines[index], message: "source_key is required: the row's key in \(source)"))
                    continue
                }
                guard seenKeys.insert(key).inserted else {
                    outcome.invalid.append(.init(sourceKey: key, line: chunk.lines[index], message: "source_key \(key) appears twice in the file; keep one row per key"))
                    continue
                }
                let attributes = validator.validateWithoutStore(chunk.attributes(index)).attributes
                let owner = plan.clusterOf[key].map { "cluster \($0)" } ?? key
                if let clash = uniqueClash(attributes, schema: schema, owner: owner, owners: &uniqueOwner) {
                    outcome.refused.append(.init(sourceKey: key, line: chunk.lines[index], message: clash))
                    continue
                }
                let contribution = SourceContribution(source: source, sourceKey: key, attributes: [:]).updated(with: attributes, at: instant)
                guard let cluster = plan.clusterOf[key] else {
                    try await emit(record([contribution], schema: schema, trust: trust))
                    continue
                }
                waiting[cluster, default: []].append(contribution)
                if waiting[cluster]!.count == plan.clusterSizes[cluster] {
                    try await emit(record(waiting.removeValue(forKey: cluster)!, schema: schema, trust: trust))
                }
            }
        }
        // Clusters a refused or invalid member left incomplete are loaded with the members they have.
        for members in waiting.values.sorted(by: { $0[0].sourceKey < $1[0].sourceKey }) {
            try await emit(record(members, schema: schema, trust: trust))
        }
    }

    static func record(_ members: [SourceContribution], schema: EntitySchema, trust: [String: Int]) -> BulkLoad.Record {
        let golden = Survivorship.golden(members, rules: schema.survive, trust: trust)
        return BulkLoad.Record(attributes: golden.attributes, lineage: golden.lineage, contributions: members)
    }

    /// A unique value another row of the file (not of the same cluster) holds already.
    static func uniqueClash(_ attributes: Attributes, schema: EntitySchema, owner: String, owners: inout [String: String]) -> String? {
        for value in BulkLoad.uniqueKeys(attributes, schema: schema) {
            let key = value.attribute + "\u{1f}" + value.key
            if let holder = owners[key], holder != owner {
                return "\(value.attribute) \"\(value.key)\" is also in \(holder.hasPrefix("cluster") ? "another row" : "row \(holder)") of the file; each \(schema.name) needs its own"
            }
            owners[key] = owner
        }
        return nil
    }
}

import ArgumentParser
import AurumCore
import Foundation

/// `aurum bench`: generated data with known duplicates, and how well and how fast matching finds them.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Aurum on this machine: the scale figures (the default, `aurum bench run`), matching, the audit chain, Odoo, COPY.",
        discussion: """
            Examples:
              aurum bench --quick
              aurum bench generate --entity customer --count 10000 --seed 1 --out /tmp/customers
              aurum bench match --entity customer --data /tmp/customers
            """,
        subcommands: [BenchRun.self, Generate.self, Match.self, BenchOdoo.self, BenchCopy.self, BenchAudit.self],
        defaultSubcommand: BenchRun.self)

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write DIR/records.csv and DIR/truth.csv: realistic records with known duplicates and hard negatives.",
            discussion: """
                Examples:
                  aurum bench generate --entity supplier --count 100000 --seed 1 --out /tmp/suppliers
                """)

        @Option(help: "supplier, customer, item or warehouse.") var entity: String
        @Option(help: "Records to write.") var count: Int
        @Option(name: .customLong("dup-rate"), help: "Share of the records that duplicate another (0 to 0.9).") var dupRate = 0.1
        @Option(help: "Seed: the same seed gives the same data.") var seed: UInt64 = 1
        @Option(help: ArgumentHelp("Output directory.", valueName: "dir")) var out: String

        func validate() throws {
            guard SyntheticData.entities.contains(entity) else { throw ValidationError("--entity must be one of \(SyntheticData.entities.joined(separator: ", "))") }
            guard count > 0 else { throw ValidationError("--count must be positive") }
            guard (0...0.9).contains(dupRate) else { throw ValidationError("--dup-rate must be between 0 and 0.9") }
        }

        func run() async throws {
            let data = try Self.write(entity: entity, count: count, dupRate: dupRate, seed: seed, out: out)
            print("wrote \(data.rows.count) \(entity) records (\(Set(data.cluster).count) distinct, seed \(seed)) to \(out)/records.csv and \(out)/truth.csv")
        }

        /// Writes `out`/records.csv and `out`/truth.csv; returns what it wrote.
        @discardableResult
        static func write(entity: String, count: Int, dupRate: Double, seed: UInt64, out: String) throws -> SyntheticData {
            let data = SyntheticData.generate(entity: entity, count: count, dupRate: dupRate, seed: seed)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var records = CSVWriter.line(data.header) + "\n"
            records.reserveCapacity(count * 120)
            for row in data.rows { records += CSVWriter.line(row) + "\n" }
            try records.write(toFile: out + "/records.csv", atomically: true, encoding: .utf8)
            var truth = "source_key,cluster\n"
            for (row, cluster) in zip(data.rows, data.cluster) { truth += "\(row[0]),\(cluster)\n" }
            try truth.write(toFile: out + "/truth.csv", atomically: true, encoding: .utf8)
            return data
        }
    }

    struct Match: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Match DIR/records.csv with the rules and report precision, recall and F1 against DIR/truth.csv, with speed and memory.",
            discussion: """
                Examples:
                  aurum bench match --entity supplier --data /tmp/suppliers --errors 5
                """)

        @Option(help: "supplier, customer, item or warehouse.") var entity: String
        @Option(help: ArgumentHelp("Directory written by `aurum bench generate`.", valueName: "dir")) var data: String
        @OptionGroup var rulesOptions: RulesOptions
        var rules: String { rulesOptions.rules }
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "Also list up to this many false positives and false negatives, explained.") var errors = 0
        @Option(help: ArgumentHelp("The truth file (source_key,cluster), if not DIR/truth.csv.", valueName: "file")) var truth: String?

        func run() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let ruleSet = try loadRules(rules)
            guard let match = ruleSet.entities[entity]?.match else { throw ValidationError("no match: rules for \(entity) in \(rules)") }
            let (records, cluster) = try await Self.prepare(data: data, rules: match, truth: truth)
            let prepared = clock.now
            let result = await Deduplication.run(records, rules: match, parallelism: ProcessInfo.processInfo.activeProcessorCount)
            let matched = clock.now
            var report = BenchReport(entity: entity, records: records.count, evaluation: MatchEvaluation(result: result, cluster: cluster),
                                     result: result, readSeconds: Deduplication.seconds(prepared - start),
                                     matchSeconds: Deduplication.seconds(matched - prepared))
            report.single = SingleRecordBench.run(records, rules: match)
            print(json ? JSONOutput.string(report) : report.text)
            if errors > 0 { printErrors(result, records: records, cluster: cluster, match: match) }
        }

        /// The pairs matching got wrong, with their explanations, for reviewing the rules.
        func printErrors(_ result: Deduplication.Result, records: [MatchRecord], cluster: [Int], match: MatchRules) {
            let scorer = MatchScorer(rules: match, statisticsOf: records)
            let found = Set(result.pairs.map { Blocking.pair(Int32($0.a), Int32($0.b)) })
            print("false positives:")
            for pair in result.pairs.filter({ cluster[$0.a] != cluster[$0.b] }).prefix(errors) {
                print("  \(records[pair.a].id) ~ \(records[pair.b].id) \(pair.band.rawValue) \(MatchExplanation.fixed(pair.weight, 1)): \(MatchExplanation.line(pair))")
            }
            print("false negatives:")
            let groups = Dictionary(grouping: cluster.indices, by: { cluster[$0] }).values.filter { $0.count > 1 }
            var shown = 0
            for group in groups where shown < errors {
                for i in 0..<group.count { for j in (i + 1)..<group.count where shown < errors && !found.contains(Blocking.pair(Int32(group[i]), Int32(group[j]))) {
                    let pair = scorer.score(records, group[i], group[j])
                    print("  \(records[pair.a].id) ~ \(records[pair.b].id) \(MatchExplanation.fixed(pair.weight, 1)): \(MatchExplanation.line(pair))")
                    shown += 1
                } }
            }
        }

        /// The generated file's records, prepared in parallel, and each record's true cluster.
        static func prepare(data: String, rules: MatchRules, truth path: String? = nil) async throws -> ([MatchRecord], [Int]) {
            let records = try await RecordFile.prepare(path: data + "/records.csv", rules: rules, validator: nil,
                                                       parallelism: ProcessInfo.processInfo.activeProcessorCount).records
            let truth = try Self.truth(path ?? data + "/truth.csv")
            // A record the truth does not name is a thing of its own.
            var next = (truth.values.max() ?? 0) + 1
            return (records, records.map { record in truth[record.id] ?? { defer { next += 1 }; return next }() })
        }

        /// source_key → cluster from a CSV with a header (CRLF or LF line ends, quoted keys).
        static func truth(_ path: String) throws -> [String: Int] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var result = [String: Int]()
            for record in try CSVReader.records(text).dropFirst() {
                guard record.fields.count == 2, let cluster = Int(record.fields[1].trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(path):\(record.line): expected source_key,cluster with a whole number as the cluster")
                }
                result[record.fields[0]] = cluster
            }
            return result
        }
    }
}

/// What `aurum bench match` reports.
struct BenchReport: Encodable {
    var entity: String
    var records: Int
    var precision: Double
    var recall: Double
    var f1: Double
    var evaluation: MatchEvaluation
    var pairsCompared: Int
    var blocks: Int
    var oversizedBlocks: Int
    var readSeconds: Double
    var matchSeconds: Double
    var blockingSeconds: Double
    var scoringSeconds: Double
    var clusteringSeconds: Double
    var recordsPerSecond: Double
    var microsecondsPerPair: Double
    var microsecondsPerRecord: Double
    var peakMemoryBytes: Int
    /// Matching one record at a time against an index of all the others (the in-flow path).
    var single: SingleRecordBench?

    init(entity: String, records: Int, evaluation: MatchEvaluation, result: Deduplication.Result, readSeconds: Double, matchSeconds: Double) {
        self.entity = entity
        self.records = records
        self.evaluation = evaluation
        precision = evaluation.pairs.precision
        recall = evaluation.pairs.recall
        f1 = evaluation.pairs.f1
        pairsCompared = result.blocking.comparedPairs
        blocks = result.blocking.blocks
        oversizedBlocks = result.blocking.oversizedBlocks.count
        self.readSeconds = readSeconds
        self.matchSeconds = matchSeconds
        blockingSeconds = result.timings.blocking
        scoringSeconds = result.timings.scoring
        clusteringSeconds = result.timings.clustering
        recordsPerSecond = Double(records) / max(readSeconds + matchSeconds, 1e-9)
        microsecondsPerPair = result.timings.scoring * 1e6 / Double(max(pairsCompared, 1))
        microsecondsPerRecord = (readSeconds + matchSeconds) * 1e6 / Double(max(records, 1))
        peakMemoryBytes = PeakMemory.bytes()
    }

    enum CodingKeys: String, CodingKey {
        case entity, records, precision, recall, f1, evaluation, pairsCompared = "pairs_compared", blocks
        case oversizedBlocks = "oversized_blocks", readSeconds = "read_seconds", matchSeconds = "match_seconds"
        case blockingSeconds = "blocking_seconds", scoringSeconds = "scoring_seconds", clusteringSeconds = "clustering_seconds"
        case recordsPerSecond = "records_per_second", microsecondsPerPair = "microseconds_per_pair"
        case microsecondsPerRecord = "microseconds_per_record", peakMemoryBytes = "peak_memory_bytes", single
    }

    var text: String {
        let f = MatchExplanation.fixed
        return """
            \(entity): \(records) records, \(blocks) blocks (\(oversizedBlocks) oversized), \(pairsCompared) pairs compared
            pairs     precision \(f(precision, 4))  recall \(f(recall, 4))  F1 \(f(f1, 4))  (\(evaluation.pairs.truePositives) of \(evaluation.pairs.actual) true pairs, \(evaluation.pairs.predicted) found)
            clusters  precision \(f(evaluation.clusters.precision, 4))  recall \(f(evaluation.clusters.recall, 4))  F1 \(f(evaluation.clusters.f1, 4))
            blocking  pairs completeness \(f(evaluation.pairsCompleteness, 4))
            baseline  every blocked pair a duplicate (exact keys, no scoring): precision \(f(evaluation.baseline.precision, 4))  recall \(f(evaluation.baseline.recall, 4))  F1 \(f(evaluation.baseline.f1, 4)); ratio F1 / baseline F1 \(f(f1 / max(evaluation.baseline.f1, 1e-9), 2)); scoring and clustering cost \(f((scoringSeconds + clusteringSeconds) / max(blockingSeconds, 1e-9), 2))× the blocking time
            time      read+prepare \(f(readSeconds, 2)) s, blocking \(f(blockingSeconds, 2)) s, scoring \(f(scoringSeconds, 2)) s, clustering \(f(clusteringSeconds, 2)) s
            speed     \(f(recordsPerSecond, 0)) records/s, \(f(microsecondsPerPair, 2)) µs per pair, \(f(microsecondsPerRecord, 1)) µs per record; peak memory \(peakMemoryBytes / 1_048_576) MiB
            """ + (single.map { "\n" + $0.text } ?? "")
    }
}

/// One record at a time: the cost of matching a candidate against the blocks of all the other
/// records (index look-up and scoring, on one core), as ingest will once the store holds the
/// same key hashes. Measured on an even sample of the records, each left out of its own result.
struct SingleRecordBench: Encodable {
    var sampled: Int
    var indexSeconds: Double
    var microsecondsPerRecord: Double
    var microsecondsPerCandidatePair: Double
    var candidatesPerRecord: Double

    enum CodingKeys: String, CodingKey {
        case sampled, indexSeconds = "index_seconds", microsecondsPerRecord = "microseconds_per_record"
        case microsecondsPerCandidatePair = "microseconds_per_candidate_pair", candidatesPerRecord = "candidates_per_record"
    }

    static func run(_ records: [MatchRecord], rules: MatchRules, sample: Int = 10_000) -> SingleRecordBench? {
        guard !records.isEmpty else { return nil }
        let clock = ContinuousClock()
        let start = clock.now
        let scorer = MatchScorer(rules: rules, statisticsOf: records)
        let index = MatchIndex(records: records, rules: rules)
        let indexed = clock.now
        let step = max(1, records.count / sample)
        var compared = 0, sampled = 0
        for position in stride(from: 0, to: records.count, by: step) {
            let matches = index.matches(for: records[position], scorer: scorer, excluding: position)
            compared += matches.compared
            sampled += 1
        }
        let seconds = Deduplication.seconds(clock.now - indexed)
        return SingleRecordBench(sampled: sampled, indexSeconds: Deduplication.seconds(indexed - start),
                                 microsecondsPerRecord: seconds * 1e6 / Double(sampled),
                                 microsecondsPerCandidatePair: seconds * 1e6 / Double(max(compared, 1)),
                                 candidatesPerRecord: Double(compared) / Double(sampled))
    }

    var text: String {
        let f = MatchExplanation.fixed
        return "single    one record at a time against the other \(f(candidatesPerRecord, 1)) records of its blocks (\(sampled) sampled): "
            + "\(f(microsecondsPerRecord, 1)) µs per record, \(f(microsecondsPerCandidatePair, 2)) µs per candidate pair (index built in \(f(indexSeconds, 2)) s)"
    }
}

import ArgumentParser
import AurumCore
import Foundation

/// `aurum dedupe FILE`: the duplicates within a file, explained, before it is onboarded.
struct Dedupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the duplicates within a CSV or NDJSON file, with the reason for each pair, and cluster them.",
        discussion: """
            Uses the entity's match: rules (blocking keys, comparisons, vetoes, thresholds). Pairs are \\
            named by the file's source_key column when it has one, else by 1-based row number. Rows \\
            that fail validation are still matched and listed as invalid. Works offline: no server \\
            or database is needed.
            """)

    @Argument(help: "The file (.csv, .ndjson or .jsonl).") var file: String
    @Option(help: "The entity of every row: item, supplier, customer or warehouse.") var entity: String
    @Option(help: ArgumentHelp("The rules directory.", valueName: "dir")) var rules = ProcessInfo.processInfo.environment["AURUM_RULES"] ?? "rules"
    @Option(name: .customLong("threshold-review"), help: "Match weight (bits) from which a pair is listed for review (overrides the rules).")
    var thresholdReview: Double?
    @Option(name: .customLong("threshold-auto"), help: "Match weight (bits) from which a pair is an automatic link (overrides the rules).")
    var thresholdAuto: Double?
    @Flag(help: "Print JSON: {pairs, vetoed, clusters, invalid, stats}.") var json = false
    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file")) var output: String?

    func run() async throws {
        let started = ContinuousClock.now
        let ruleSet = try loadRules(rules)
        guard let schema = ruleSet.entities[entity] else {
            throw ValidationError("unknown entity \"\(entity)\"; the rules define \(ruleSet.entities.keys.sorted().joined(separator: ", "))")
        }
        guard var match = schema.match else {
            throw ValidationError("\(rules)/\(entity).yaml has no match: section; add one to find duplicates")
        }
        if let thresholdReview { match.reviewThreshold = thresholdReview }
        if let thresholdAuto { match.autoLinkThreshold = thresholdAuto }
        // The bar moves by stage: validated, prepared, scored (a third each).
        let progress = Progress(total: 3)
        progress.update(done: 0, summary: "reading \(file)")
        let (records, invalid) = try await Self.prepare(file: file, schema: schema, rules: match) { stage in
            progress.update(done: stage, summary: stage == 1 ? "validated" : "prepared for matching")
        }
        let result = await Deduplication.run(records, rules: match, parallelism: ProcessInfo.processInfo.activeProcessorCount)
        progress.update(done: 3, summary: "\(result.pairs.count) pairs in \(result.clusters.count) clusters")
        progress.finish()
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let report = DedupeReport(result: result, records: records, invalid: invalid, seconds: seconds)
        let text = json ? JSONOutput.string(report) : report.text
        if let output {
            do { try (text + "\n").write(toFile: output, atomically: true, encoding: .utf8) } catch {
                printError("error: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode.failure
            }
        } else {
            print(text)
        }
    }
}

extension Dedupe {
    /// Reads and validates the file and prepares its records, on every core. The file's rows are
    /// freed on return: only the prepared records and the invalid rows' errors stay.
    static func prepare(file: String, schema: EntitySchema, rules: MatchRules,
                        stageDone: (Int) -> Void = { _ in }) async throws -> ([MatchRecord], [DedupeReport.Invalid]) {
        let table: RecordTable
        do { table = try RecordTable(path: file) } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        let validator = Validator(schema: schema)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let errors = await parallelMap(table.rows.count, parallelism: cores) { index -> [Finding]? in
            let verdict = validator.validateWithoutStore(table.attributes(index))
            return verdict.isValid ? nil : verdict.errors
        }
        let invalid = errors.indices.compactMap { index in
            errors[index].map { DedupeReport.Invalid(record: table.label(index), line: table.lines[index], errors: $0) }
        }
        stageDone(1)
        let records = await parallelMap(table.rows.count, parallelism: cores) { table.matchRecord($0, rules: rules) }
        stageDone(2)
        return (records, invalid)
    }
}

/// What `aurum dedupe` prints.
struct DedupeReport: Encodable {
    struct Pair: Encodable {
        var a: String
        var b: String
        var score: Double
        var probability: Double
        var band: String
        var explanation: Explanation
    }

    struct Explanation: Encodable {
        var text: String
        var comparisons: [Comparison]
        var vetoedBy: String?

        enum CodingKeys: String, CodingKey { case text, comparisons, vetoedBy = "vetoed_by" }
    }

    struct Comparison: Encodable {
        var attribute: String
        var a: String?
        var b: String?
        var method: String
        var level: String
        var similarity: Double?
        var weight: Double
    }

    struct Invalid: Encodable {
        var record: String
        var line: Int
        var errors: [Finding]
    }

    struct Stats: Encodable {
        var records: Int
        var blocks: Int
        var pairsCompared: Int
        var pairsListed: Int
        var autoLink: Int
        var review: Int
        var clusters: Int
        var oversizedBlocks: [String: Int]
        var seconds: Double
        var peakMemoryBytes: Int

        enum CodingKeys: String, CodingKey {
            case records, blocks, pairsCompared = "pairs_compared", pairsListed = "pairs_listed", autoLink = "auto_link", review
            case clusters, oversizedBlocks = "oversized_blocks", seconds, peakMemoryBytes = "peak_memory_bytes"
        }
    }

    var pairs: [Pair]
    /// Pairs that scored as duplicates but that a veto keeps apart, with the veto named.
    var vetoed: [Pair]
    var clusters: [[String]]
    var invalid: [Invalid]
    var stats: Stats

    init(result: Deduplication.Result, records: [MatchRecord], invalid: [Invalid], seconds: Double) {
        pairs = result.pairs.map { Self.pair($0, records) }
        vetoed = result.vetoed.map { Self.pair($0, records) }
        clusters = result.clusters.map { $0.map { records[$0].id } }
        self.invalid = invalid
        stats = Stats(records: records.count, blocks: result.blocking.blocks, pairsCompared: result.blocking.comparedPairs,
                      pairsListed: result.pairs.count, autoLink: result.pairs.filter { $0.band == .autoLink }.count,
                      review: result.pairs.filter { $0.band == .review }.count, clusters: result.clusters.count,
                      oversizedBlocks: Dictionary(result.blocking.oversizedBlocks.map { ($0.key, $0.size) }, uniquingKeysWith: max),
                      seconds: Self.round(seconds, 3), peakMemoryBytes: PeakMemory.bytes())
    }

    static func pair(_ pair: ScoredPair, _ records: [MatchRecord]) -> Pair {
            Pair(a: records[pair.a].id, b: records[pair.b].id, score: Self.round(pair.weight, 3), probability: Self.round(pair.probability, 6),
                 band: pair.band.rawValue,
                 explanation: Explanation(text: MatchExplanation.line(pair), comparisons: pair.contributions.map { c in
                     Comparison(attribute: c.attribute, a: c.left, b: c.right, method: c.method.rawValue, level: c.level,
                                similarity: c.similarity.map { Self.round($0, 4) }, weight: Self.round(c.weight, 3))
                 }, vetoedBy: pair.vetoedBy))
    }

    static func round(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    /// The report for a person: pairs with their reasons, clusters, invalid rows, statistics.
    var text: String {
        var lines = [String]()
        lines.append(pairs.isEmpty ? "no duplicates found" : "\(pairs.count) possible duplicate pairs (strongest first):")
        for pair in pairs {
            lines.append("  \(pair.a) ~ \(pair.b)  \(pair.band)  weight \(MatchExplanation.fixed(pair.score, 1))  p=\(MatchExplanation.fixed(pair.probability, 3))")
            lines.append("      \(pair.explanation.text)")
        }
        if !vetoed.isEmpty {
            lines.append("\(vetoed.count) look-alike pairs kept apart by a veto:")
            for pair in vetoed {
                lines.append("  \(pair.a) ≁ \(pair.b)  vetoed by \(pair.explanation.vetoedBy ?? "")  weight \(MatchExplanation.fixed(pair.score, 1))")
                lines.append("      \(pair.explanation.text)")
            }
        }
        if !clusters.isEmpty {
            lines.append("\(clusters.count) clusters:")
            lines += clusters.map { "  " + $0.joined(separator: ", ") }
        }
        if !invalid.isEmpty {
            lines.append("\(invalid.count) rows fail validation (matched all the same):")
            lines += invalid.map { row in "  \(row.record) (line \(row.line)): " + row.errors.map { "\($0.attribute) [\($0.rule)]" }.joined(separator: ", ") }
        }
        let s = stats
        lines.append("\(s.records) records, \(s.blocks) blocks, \(s.pairsCompared) pairs compared, \(s.autoLink) auto_link, \(s.review) review, "
                     + "\(MatchExplanation.fixed(s.seconds, 2)) s, peak memory \(s.peakMemoryBytes / 1_048_576) MiB")
        for (key, size) in s.oversizedBlocks.sorted(by: { $0.value > $1.value }).prefix(10) {
            lines.append("  oversized block \(key) (\(size) records) compared within a sorted window of \(Blocking.window)")
        }
        return lines.joined(separator: "\n")
    }
}

/// The process's peak resident memory.
enum PeakMemory {
    static func bytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // Linux reports kilobytes
    }
}

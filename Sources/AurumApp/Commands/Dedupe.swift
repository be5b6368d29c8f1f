import ArgumentParser
import AurumCore
import Foundation

/// `aurum dedupe FILE`: the duplicates within a file, explained, before it is onboarded.
struct Dedupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the duplicates within a CSV or NDJSON file, with the reason for each pair, and cluster them.",
        discussion: """
            Uses the entity's match: rules (blocking keys, comparisons, vetoes, thresholds). Pairs are \
            named by the file's source_key column when it has one, else by 1-based row number. Rows \
            that fail validation are still matched (a file is checked for duplicates before it is \
            fixed) and listed beside the pairs; --valid-only leaves them out of matching. Columns \
            the entity does not define, and rows without any blocking-key value (compared with \
            nothing), are warned about on standard error. Works offline: no server or database is needed.

            Examples:
              aurum dedupe suppliers.csv --entity supplier
              aurum dedupe export.ndjson --entity item --valid-only --json --output report.json
            
            """)

    @Argument(help: "The file (.csv, .ndjson or .jsonl).") var file: String
    @Option(help: "The entity of every row: item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
    @OptionGroup var rulesOptions: RulesOptions
    var rules: String { rulesOptions.rules }
    @Option(name: .customLong("threshold-review"), help: "Match weight (bits) from which a pair is listed for review (overrides the rules).")
    var thresholdReview: Double?
    @Option(name: .customLong("threshold-auto"), help: "Match weight (bits) from which a pair is an automatic link (overrides the rules).")
    var thresholdAuto: Double?
    @Flag(help: "Print JSON: {pairs, vetoed, clusters, invalid, stats}.") var json = false
    @Flag(name: .customLong("valid-only"), help: "Match only the rows that pass validation (the others are still listed as invalid).")
    var validOnly = false
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
        // The bar follows the bytes read (validated and prepared with them), then matching.
        let progress = Progress(total: 100)
        progress.update(done: 0, summary: "reading \(file)")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let prepared: RecordFile.Prepared
        do {
            prepared = try await RecordFile.prepare(path: file, rules: match, validator: Validator(schema: schema), validOnly: validOnly,
                                                    parallelism: cores) { read, size in
                progress.update(done: size == 0 ? 90 : 90 * read / size, summary: "\(read / 1_048_576) of \(size / 1_048_576) MiB read and prepared")
            }
        } catch let failure as ImportFile.Failure {
            progress.finish()
            printError("error: \(failure)")
            throw ExitCode.failure
        }
        let records = prepared.records
        progress.update(done: 90, summary: "\(records.count) records; matching")
        let result = await Deduplication.run(records, rules: match, parallelism: cores)
        progress.update(done: 100, summary: "\(result.pairs.count) pairs in \(result.clusters.count) clusters")
        progress.finish()
        for warning in Self.warnings(columns: prepared.columns, schema: schema, match: match, result: result, records: records) {
            printError("warning: \(warning)")
        }
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let report = DedupeReport(result: result, records: records, invalid: prepared.invalid, seconds: seconds)
        do {
            var writer = try ReportWriter(path: output)
            if json { await report.writeJSON(to: &writer) } else { report.writeText(to: &writer) }
            try writer.finish()
        } catch let failure as ImportFile.Failure {
            printError("error: \(failure)")
            throw ExitCode.failure
        }
    }
}

extension Dedupe {
    /// What a steward should know before trusting the pairs: columns the entity does not define
    /// (never compared) and rows that no blocking key reaches (compared with nothing).
    static func warnings(columns: Set<String>, schema: EntitySchema, match: MatchRules, result: Deduplication.Result,
                         records: [MatchRecord]) -> [String] {
        var warnings = [String]()
        let unknown = columns.filter { schema.attribute($0) == nil }.sorted()
        if !unknown.isEmpty {
            warnings.append("column\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) \(unknown.count == 1 ? "is" : "are") not "
                            + "\(schema.name) attribute\(unknown.count == 1 ? "" : "s") and never compared; rename \(unknown.count == 1 ? "it" : "them") "
                            + "to an attribute of rules/\(schema.name).yaml or leave \(unknown.count == 1 ? "it" : "them") out")
        }
        if result.blocking.unkeyedRecords > 0 {
            let examples = records.filter(\.keys.isEmpty).prefix(3).map(\.id).joined(separator: ", ")
            let attributes = Set(match.blockingKeys.flatMap { $0.parts.map(\.attribute) }).sorted().joined(separator: ", ")
            warnings.append("\(result.blocking.unkeyedRecords) row\(result.blocking.unkeyedRecords == 1 ? " has" : "s have") no blocking-key value "
                            + "(e.g. \(examples)) and \(result.blocking.unkeyedRecords == 1 ? "was" : "were") compared with nothing; "
                            + "fill one of \(attributes)")
        }
        return warnings
    }
}

/// What `aurum dedupe` prints, written as it goes: JSON `{pairs, vetoed, clusters, invalid,
/// stats}` with a pair per line, or text for a person.
struct DedupeReport: Sendable {
    struct Invalid: Sendable {
        var record: String
        var line: Int
        var errors: [Finding]
    }

    let result: Deduplication.Result
    let records: [MatchRecord]
    let invalid: [Invalid]
    /// Seconds from start to the end of matching.
    let seconds: Double

    var autoLink: Int { result.pairs.count { $0.band == .autoLink } }
    var review: Int { result.pairs.count { $0.band == .review } }

    func writeJSON(to out: inout ReportWriter) async {
        out.raw("{\"pairs\":[")
        await writePairs(result.pairs, to: &out)
        out.raw("],\n\"vetoed\":[")
        await writePairs(result.vetoed, to: &out)
        out.raw("],\n\"clusters\":[")
        for (index, cluster) in result.clusters.enumerated() {
            out.raw(index == 0 ? "\n" : ",\n")
            out.strings(cluster.map { records[$0].id })
        }
        out.raw("],\n\"invalid\":[")
        for (index, row) in invalid.enumerated() {
            out.raw(index == 0 ? "\n{" : ",\n{")
            out.member("record"); out.string(row.record)
            out.member("line"); out.raw(String(row.line))
            out.member("errors")
            out.objects(row.errors) { out, finding in
                out.member("attribute"); out.string(finding.attribute)
                out.member("rule"); out.string(finding.rule)
                out.member("message"); out.string(finding.message)
            }
            out.raw("}")
        }
        out.raw("],\n\"stats\":{")
        let blocking = result.blocking
        let counts: [(String, Int)] = [("records", records.count), ("blocks", blocking.blocks), ("pairs_compared", blocking.comparedPairs),
                                       ("pairs_listed", result.pairs.count), ("auto_link", autoLink), ("review", review),
                                       ("clusters", result.clusters.count), ("invalid", invalid.count),
                                       ("unkeyed", blocking.unkeyedRecords)]
        for (name, value) in counts { out.member(name); out.raw(String(value)) }
        // Per key, how many blocks were oversized and what became of them; then the largest
        // few with examples (a million records can have tens of thousands of common words).
        out.member("oversized")
        out.objects(Self.oversizedByKey(blocking.oversizedBlocks)) { out, summary in
            out.member("key"); out.string(summary.key)
            out.member("blocks"); out.raw(String(summary.blocks))
            out.member("records"); out.raw(String(summary.records))
            out.member("largest"); out.raw(String(summary.largest))
            out.member("skipped"); out.raw(summary.skipped ? "true" : "false")
        }
        out.member("oversized_blocks")
        out.objects(blocking.oversizedBlocks.prefix(Self.largestListed)) { out, block in
            out.member("key"); out.string(block.key)
            out.member("size"); out.raw(String(block.size))
            out.member("skipped"); out.raw(block.skipped ? "true" : "false")
            out.member("examples"); out.strings(block.examples)
        }
        out.member("seconds"); out.number(Self.round(seconds, 3))
        out.member("peak_memory_bytes"); out.raw(String(PeakMemory.bytes()))
        out.raw("}}\n")
    }

    /// The pairs, one per line, formatted a few thousand at a time on every core and written in
    /// order (memory holds one round of them, not the report).
    private func writePairs(_ pairs: [ScoredPair], to out: inout ReportWriter) async {
        let chunk = 2_000, cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var start = 0
        while start < pairs.count {
            let round = stride(from: start, to: min(pairs.count, start + chunk * cores), by: chunk).map { $0..<min(pairs.count, $0 + chunk) }
            let parts = await withTaskGroup(of: (Int, ReportBuffer).self) { group in
                for (index, positions) in round.enumerated() {
                    group.addTask {
                        var part = ReportBuffer()
                        for position in positions { format(pairs[position], first: position == 0, to: &part) }
                        return (index, part)
                    }
                }
                var parts = [ReportBuffer](repeating: ReportBuffer(), count: round.count)
                for await (index, part) in group { parts[index] = part }
                return parts
            }
            for part in parts { out.append(part) }
            start = round.last!.upperBound
        }
    }

    static func round(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    private func format(_ pair: ScoredPair, first: Bool, to out: inout ReportBuffer) {
        out.raw(first ? "\n{" : ",\n{")
        out.member("a"); out.string(records[pair.a].id)
        out.member("b"); out.string(records[pair.b].id)
        out.member("weight"); out.number(Self.round(pair.weight, 3))
        out.member("prior_weight"); out.number(Self.round(pair.priorWeight, 3))
        out.member("probability"); out.number(pair.probability.map { Self.round($0, 6) })
        out.member("band"); out.string(pair.band.rawValue)
        out.member("explanation"); out.raw("{")
        out.member("text"); out.string(MatchExplanation.line(pair))
        out.member("vetoed_by"); out.string(pair.vetoedBy)
        out.member("comparisons")
        out.objects(pair.contributions) { out, c in
            out.member("attribute"); out.string(c.attribute)
            out.member("a"); out.string(c.left)
            out.member("b"); out.string(c.right)
            out.member("method"); out.string(c.method.rawValue)
            out.member("level"); out.string(c.level)
            out.member("similarity"); out.number(c.similarity.map { Self.round($0, 4) })
            out.member("weight"); out.number(Self.round(c.weight, 3))
        }
        out.raw("}}")
    }

    /// The report for a person: pairs with their reasons, clusters, invalid rows, statistics.
    func writeText(to out: inout ReportWriter) {
        out.line(result.pairs.isEmpty ? "no duplicates found" : "\(result.pairs.count) possible duplicate pairs (strongest first):")
        for pair in result.pairs {
            out.line("  \(records[pair.a].id) ~ \(records[pair.b].id)  \(pair.band.rawValue)  weight \(MatchExplanation.fixed(pair.weight, 1))"
                     + (pair.probability.map { "  p=\(MatchExplanation.fixed($0, 3))" } ?? ""))
            out.line("      \(MatchExplanation.line(pair))")
        }
        if !result.vetoed.isEmpty {
            out.line("\(result.vetoed.count) look-alike pairs kept apart by a veto:")
            for pair in result.vetoed {
                out.line("  \(records[pair.a].id) ≁ \(records[pair.b].id)  vetoed by \(pair.vetoedBy ?? "")  weight \(MatchExplanation.fixed(pair.weight, 1))")
                out.line("      \(MatchExplanation.line(pair))")
            }
        }
        if !result.clusters.isEmpty {
            out.line("\(counted(result.clusters.count, "cluster")):")
            for cluster in result.clusters { out.line("  " + cluster.map { records[$0].id }.joined(separator: ", ")) }
        }
        if !invalid.isEmpty {
            out.line("\(counted(invalid.count, "row")) \(invalid.count == 1 ? "fails" : "fail") validation (matched all the same):")
            for row in invalid {
                out.line("  \(row.record) (line \(row.line)): " + row.errors.map { "\($0.attribute) [\($0.rule)]" }.joined(separator: ", "))
            }
        }
        let blocking = result.blocking
        out.line("\(counted(records.count, "record")), \(counted(blocking.blocks, "block")), \(counted(blocking.comparedPairs, "pair")) compared, \(autoLink) auto_link, "
                 + "\(review) review, \(MatchExplanation.fixed(seconds, 2)) s, peak memory \(PeakMemory.bytes() / 1_048_576) MiB")
        for summary in Self.oversizedByKey(blocking.oversizedBlocks) {
            out.line("  \(summary.blocks) oversized block\(summary.blocks == 1 ? "" : "s") of key \(summary.key) (largest \(summary.largest), "
                     + "\(summary.records) members in all) "
                     + (summary.skipped ? "skipped: a value this common is no evidence" : "compared within a sorted window of \(Blocking.window)"))
        }
        for block in blocking.oversizedBlocks.prefix(10) {
            out.line("    \(block.key): \(block.size) records, e.g. \(block.examples.joined(separator: ", "))")
        }
    }

    /// The largest oversized blocks listed one by one, with examples.
    static let largestListed = 20

    struct OversizedSummary {
        var key: String
        var blocks = 0, records = 0, largest = 0
        var skipped: Bool
    }

    /// Oversized blocks per key (a key's blocks are all skipped or all windowed), in key order of
    /// first appearance among the largest.
    static func oversizedByKey(_ blocks: [Blocking.OversizedBlock]) -> [OversizedSummary] {
        var summaries = [OversizedSummary]()
        for block in blocks {
            var index = summaries.firstIndex { $0.key == block.key && $0.skipped == block.skipped }
            if index == nil { summaries.append(OversizedSummary(key: block.key, skipped: block.skipped)); index = summaries.count - 1 }
            summaries[index!].blocks += 1
            summaries[index!].records += block.size
            summaries[index!].largest = max(summaries[index!].largest, block.size)
        }
        return summaries
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

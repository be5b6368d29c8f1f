import ArgumentParser
import AurumCore
import Foundation

/// `aurum match`: work on the match rules themselves.
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match", abstract: "Estimate match weights from data, to review and commit in rules/.",
        discussion: """
            Examples:
              aurum match estimate suppliers.csv --entity supplier
            """,
        subcommands: [Estimate.self])

    struct Estimate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate each comparison level's m and u from a file and print them as a match: block.",
            discussion: """
                u is estimated from random pairs (nearly all different records); m and the prior by \
                expectation-maximisation with u fixed, one pass per blocking key over the pairs it \
                chooses, each pass estimating the comparisons its key does not read. With \
                --labels, known pairs are used instead: m from the matching ones, u from the others \
                (or from random pairs when fewer than 100 are known to differ). Nothing is written: \
                review the block and put it into rules/<entity>.yaml yourself. The estimated prior is the file's \
                own share of duplicate pairs; the rules' prior is usually the one to keep.

                Examples:
                  aurum match estimate suppliers.csv --entity supplier
                  aurum match estimate /tmp/customers/records.csv --entity customer --labels /tmp/customers/truth.csv --output /tmp/match.yaml
                """)

        @Argument(help: "A CSV or NDJSON file of the entity's records.") var file: String
        @Option(help: "The entity: item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
        @OptionGroup var rulesOptions: RulesOptions
        var rules: String { rulesOptions.rules }
        @Option(help: ArgumentHelp("A CSV of known pairs: a,b,match (source keys or row numbers; match 1 or 0).", valueName: "pairs.csv"))
        var labels: String?
        @Option(help: "Random pairs sampled for u.") var sample = 200_000
        @Option(help: "Seed for the random pairs.") var seed: UInt64 = 1
        @Option(help: ArgumentHelp("Write the block to this file instead of standard output.", valueName: "file")) var output: String?

        func run() async throws {
            let ruleSet = try loadRules(rules)
            guard let match = ruleSet.entities[entity]?.match else { throw ValidationError("no match: rules for \(entity) in \(rules)") }
            let rows = try ImportFile(path: file, requireSourceKey: false).rows
            let labelsOfRows = rows.enumerated().map { $0.element.sourceKey ?? String($0.offset + 1) }
            let records = await parallelMap(rows.count, parallelism: ProcessInfo.processInfo.activeProcessorCount) {
                MatchRecord(id: labelsOfRows[$0], attributes: rows[$0].attributes, rules: match)
            }
            let scorer = MatchScorer(rules: match, statisticsOf: records)
            let levelCounts = match.comparisons.map(\.levels.count)
            let randomRows = Estimation.levelRows(Estimation.randomPairs(records: records.count, count: sample, seed: seed), records: records, scorer: scorer)
            var u = Estimation.frequencies(randomRows, levelCounts: levelCounts)
            var m: [[Double]]
            var prior = match.prior
            var header = ""
            if let labels {
                let (matches, nonMatches) = try Self.labelled(labels, ids: labelsOfRows)
                m = Estimation.frequencies(Estimation.levelRows(matches, records: records, scorer: scorer), levelCounts: levelCounts)
                if nonMatches.count >= 100 {
                    u = Estimation.frequencies(Estimation.levelRows(nonMatches, records: records, scorer: scorer), levelCounts: levelCounts)
                }
                header = "# from \(matches.count) matching and \(nonMatches.count) non-matching labelled pairs"
            } else {
                // One EM pass per blocking key, as Splink trains: the pairs that share a value of
                // the key, and from that pass only the m of comparisons the key does not read (the
                // key's own attributes agree for every pair it brings, match or not). Each pass
                // starts from the rules' m and from the share of its pairs the rules review.
                var sums = match.comparisons.map { $0.levels.map { _ in 0.0 } }
                var passes = [Int](repeating: 0, count: match.comparisons.count)
                var matchesFound = 0.0, pairsUsed = 0, iterations = [Int]()
                let start = match.comparisons.map { $0.levels.map(\.m) }
                for (keyIndex, key) in match.blockingKeys.enumerated() {
                    let (packed, _) = Blocking.pairs(records, rules: match, onlyKey: keyIndex)
                    guard packed.count >= 50 else { continue }
                    let rows = Estimation.levelRows(packed.map(Blocking.unpack), records: records, scorer: scorer)
                    let reviewed = packed.count { pair in
                        let (a, b) = Blocking.unpack(pair)
                        return scorer.reaches(records[a], records[b], match.reviewThreshold)
                    }
                    let lambda = min(max(Double(reviewed) / Double(packed.count), 1e-4), 0.5)
                    let result = Estimation.expectationMaximisation(rows, m: start, u: u, lambda: lambda)
                    let read = Set(key.parts.map(\.attribute))
                    for (index, comparison) in match.comparisons.enumerated() where read.isDisjoint(with: [comparison.attribute] + comparison.with) {
                        for level in sums[index].indices { sums[index][level] += result.m[index][level] }
                        passes[index] += 1
                    }
                    matchesFound = max(matchesFound, result.lambda * Double(packed.count))
                    pairsUsed += packed.count
                    iterations.append(result.iterations)
                }
                m = match.comparisons.indices.map { index in
                    passes[index] == 0 ? start[index] : sums[index].map { $0 / Double(passes[index]) }
                }
                let allPairs = Double(records.count) * Double(records.count - 1) / 2
                prior = min(max(matchesFound / max(allPairs, 1), 1e-12), 0.5)
                header = "# EM in \(iterations.count) passes, one per blocking key, over \(pairsUsed) pairs (iterations \(iterations.map(String.init).joined(separator: ", "))); "
                    + "u from \(randomRows.count) random pairs\n"
                    + "# the prior is this file's (its share of duplicate pairs): keep the rules' prior unless this file is the population records are matched against"
            }
            // A comparison the file has no values for learns nothing: it keeps the rules' own figures.
            let observed = match.comparisons.indices.map { index in randomRows.contains { $0[index] >= 0 } }
            for (index, comparison) in match.comparisons.enumerated() where !observed[index] {
                m[index] = comparison.levels.map(\.m)
                u[index] = comparison.levels.map(\.u)
            }
            let text = header + "\n" + Self.yaml(match, m: m, u: u, prior: prior, observed: observed)
            if let output { try (text + "\n").write(toFile: output, atomically: true, encoding: .utf8) } else { print(text) }
        }

        /// The labelled pairs as record indexes: those that match and those that do not.
        static func labelled(_ path: String, ids: [String]) throws -> ([(Int, Int)], [(Int, Int)]) {
            let index = Dictionary(ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
            var matches = [(Int, Int)](), others = [(Int, Int)]()
            for record in try CSVReader.records(try String(contentsOfFile: path, encoding: .utf8)).dropFirst() {
                guard record.fields.count >= 3, let a = index[record.fields[0]], let b = index[record.fields[1]] else {
                    throw ValidationError("\(path):\(record.line): expected a,b,match with a and b naming records of the file")
                }
                if record.fields[2] == "1" || record.fields[2].lowercased() == "true" { matches.append((a, b)) } else { others.append((a, b)) }
            }
            return (matches, others)
        }

        /// The estimated parameters as a match: block, comparisons as the rules have them.
        static func yaml(_ match: MatchRules, m: [[Double]], u: [[Double]], prior: Double, observed: [Bool]? = nil) -> String {
            var lines = ["match:", "  prior: \(number(prior))", "  compare:"]
            for (index, comparison) in match.comparisons.enumerated() {
                if observed?[index] == false { lines.append("    # \(comparison.name): no values in the file; the rules' figures, unchanged") }
                if comparison.name != comparison.attribute {
                    lines.append("    - name: \(comparison.name)")
                    lines.append("      attribute: \(comparison.attribute)")
                } else {
                    lines.append("    - attribute: \(comparison.attribute)")
                }
                if !comparison.with.isEmpty { lines.append("      with: [\(comparison.with.joined(separator: ", "))]") }
                lines.append("      normalize: \(comparison.normalizer.rawValue)")
                lines.append("      method: \(comparison.method.rawValue)")
                if comparison.termFrequency { lines.append("      term_frequency: true") }
                lines.append("      levels:")
                for (level, spec) in comparison.levels.enumerated() {
                    let condition: String = switch spec.condition {
                    case .exact: "exact: true, "
                    case .similarityAtLeast(let s): "at_least: \(number(s)), "
                    case .differenceAtMost(let d): "at_most: \(number(d)), "
                    case .otherwise: ""
                    }
                    lines.append("        - {label: \(spec.label), \(condition)m: \(number(m[index][level])), u: \(number(u[index][level]))}")
                }
            }
            return lines.joined(separator: "\n")
        }

        static func number(_ value: Double) -> String {
            value >= 0.001 ? MatchExplanation.fixed(value, 4) : String(format: "%.2e", value)
        }
    }
}

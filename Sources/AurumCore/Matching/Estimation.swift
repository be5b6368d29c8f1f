/// Learns comparison-level probabilities from unlabelled data (Fellegi-Sunter with EM, as Winkler
/// and Splink do): u from random pairs, which are almost all non-matches; m and the match share
/// by expectation-maximisation over the blocked pairs, with u held fixed.
public enum Estimation {
    /// Per pair, the level index each comparison reached, or -1 when a value was missing.
    public typealias LevelRow = [Int8]

    /// The levels each comparison reaches for the pairs `pairs`.
    public static func levelRows(_ pairs: [(Int, Int)], records: [MatchRecord], scorer: MatchScorer) -> [LevelRow] {
        pairs.map { a, b in
            records[a].withValues { left in
                records[b].withValues { right in
                    scorer.rules.comparisons.indices.map { index in
                        guard let x = left.value(index), let y = right.value(index) else { return -1 }
                        return Int8(scorer.level(index, x, y) ?? -1)
                    }
                }
            }
        }
    }

    /// Level frequencies among `rows`, per comparison, smoothed so no probability is zero.
    public static func frequencies(_ rows: [LevelRow], levelCounts: [Int], weights: [Double]? = nil) -> [[Double]] {
        levelCounts.enumerated().map { comparison, count in
            var totals = [Double](repeating: 0.5, count: count)  // Laplace-style smoothing
            for (index, row) in rows.enumerated() where row[comparison] >= 0 {
                totals[Int(row[comparison])] += weights?[index] ?? 1
            }
            let sum = totals.reduce(0, +)
            return totals.map { $0 / sum }
        }
    }

    /// The result of EM: m per comparison and level, and the share of matches among the pairs.
    public struct EMResult: Sendable {
        public var m: [[Double]]
        public var lambda: Double
        public var iterations: Int
    }

    /// Expectation-maximisation of m and λ with u fixed, from `m` and `lambda` as a start.
    public static func expectationMaximisation(_ rows: [LevelRow], m start: [[Double]], u: [[Double]], lambda: Double,
                                               maxIterations: Int = 100, tolerance: Double = 1e-6) -> EMResult {
        var m = start, lambda = lambda
        let levelCounts = u.map(\.count)
        for iteration in 1...maxIterations {
            // E: the probability that each pair is a match.
            let posteriors = rows.map { row -> Double in
                var match = lambda, nonMatch = 1 - lambda
                for (comparison, level) in row.enumerated() where level >= 0 {
                    match *= m[comparison][Int(level)]
                    nonMatch *= u[comparison][Int(level)]
                }
                return match / max(match + nonMatch, .leastNormalMagnitude)
            }
            // M: m from the matches' level frequencies, λ from the mean posterior.
            let next = frequencies(rows, levelCounts: levelCounts, weights: posteriors)
            let nextLambda = min(max(posteriors.reduce(0, +) / Double(max(rows.count, 1)), 1e-9), 1 - 1e-9)
            let change = zip(next.joined(), m.joined()).map { abs($0 - $1) }.max() ?? 0
            m = next
            lambda = nextLambda
            if change < tolerance { return EMResult(m: m, lambda: lambda, iterations: iteration) }
        }
        return EMResult(m: m, lambda: lambda, iterations: maxIterations)
    }

    /// `count` random distinct pairs of record indexes, from a seeded generator.
    public static func randomPairs(records: Int, count: Int, seed: UInt64) -> [(Int, Int)] {
        guard records > 1 else { return [] }
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let a = Int.random(in: 0..<records, using: &random)
            var b = Int.random(in: 0..<(records - 1), using: &random)
            if b >= a { b += 1 }
            return (a, b)
        }
    }
}

/// Finds the duplicates within one set of records: blocking, scoring in parallel, clustering.
public enum Deduplication {
    /// What a run found.
    public struct Result: Sendable {
        /// Pairs in the `auto_link` or `review` band, strongest first.
        public var pairs: [ScoredPair]
        /// Pairs whose weight reached review but that a veto keeps apart, strongest first.
        public var vetoed: [ScoredPair]
        /// Clusters of record indexes, each of two or more.
        public var clusters: [[Int]]
        public var blocking: Blocking.Report
        /// Every pair blocking chose (packed, see `Blocking.pair`), for measuring its completeness.
        public var candidatePairs: [UInt64]
        /// Seconds spent blocking, scoring and clustering.
        public var timings: Timings
    }

    /// Where the time went.
    public struct Timings: Sendable {
        public var blocking: Double
        public var scoring: Double
        public var clustering: Double
    }

    /// Runs the whole pipeline over prepared `records` with `rules`, scoring on `parallelism` tasks.
    public static func run(_ records: [MatchRecord], rules: MatchRules, parallelism: Int = 2) async -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let scorer = MatchScorer(rules: rules, statisticsOf: records)
        let (pairs, report) = Blocking.pairs(records, rules: rules)
        let blocked = clock.now
        let scored = await score(pairs, records: records, scorer: scorer, parallelism: parallelism)
        let linked = keepBest(scored.filter { $0.band != .distinct }, margin: rules.bestMargin)
        let scoredAt = clock.now
        let clusters = Clustering.clusters(linked, records: records, scorer: scorer)
        let timings = Timings(blocking: seconds(blocked - start), scoring: seconds(scoredAt - blocked), clustering: seconds(clock.now - scoredAt))
        return Result(pairs: linked, vetoed: scored.filter { $0.vetoedBy != nil }, clusters: clusters, blocking: report,
                      candidatePairs: pairs, timings: timings)
    }

    /// The pairs within `margin` bits of the best pair of one of their records (all of them when
    /// there is no margin), in their order.
    public static func keepBest(_ pairs: [ScoredPair], margin: Double?) -> [ScoredPair] {
        guard let margin else { return pairs }
        var best = [Int: Double]()
        for pair in pairs {
            best[pair.a] = max(best[pair.a] ?? -.infinity, pair.weight)
            best[pair.b] = max(best[pair.b] ?? -.infinity, pair.weight)
        }
        return pairs.filter { $0.weight >= best[$0.a]! - margin || $0.weight >= best[$0.b]! - margin }
    }

    /// A duration in seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Scores `pairs`, keeping those that reach review (vetoed or not), strongest first.
    static func score(_ pairs: [UInt64], records: [MatchRecord], scorer: MatchScorer, parallelism: Int) async -> [ScoredPair] {
        // Many more chunks than workers, so that a worker that drew the hard pairs (large
        // blocks of long names) does not leave the others idle at the end.
        let workers = max(1, parallelism)
        let chunk = max(1_000, (pairs.count + workers * 32 - 1) / (workers * 32))
        var linked = [ScoredPair]()
        await withTaskGroup(of: [ScoredPair].self) { group in
            for start in stride(from: 0, to: pairs.count, by: max(chunk, 1)) {
                let slice = pairs[start..<min(start + chunk, pairs.count)]
                group.addTask {
                    slice.compactMap { packed in
                        let (a, b) = Blocking.unpack(packed)
                        guard scorer.reaches(records[a], records[b], scorer.rules.reviewThreshold) else { return nil }
                        return scorer.score(records, a, b)
                    }
                }
            }
            for await part in group { linked += part }  // any order: sorted below
        }
        return linked.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : ($0.a, $0.b) < ($1.a, $1.b) }
    }
}

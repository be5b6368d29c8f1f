import AurumCore

/// Precision, recall and F1 of found pairs against the ground truth, and how complete blocking was.
struct MatchEvaluation: Encodable {
    struct Scores: Encodable {
        var precision: Double
        var recall: Double
        var f1: Double
        var truePositives: Int
        var predicted: Int
        var actual: Int

        init(found: Set<UInt64>, truth: Set<UInt64>) {
            truePositives = found.intersection(truth).count
            predicted = found.count
            actual = truth.count
            precision = predicted == 0 ? 1 : Double(truePositives) / Double(predicted)
            recall = actual == 0 ? 1 : Double(truePositives) / Double(actual)
            f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        }

        enum CodingKeys: String, CodingKey { case precision, recall, f1, truePositives = "true_positives", predicted, actual }
    }

    var pairs: Scores
    var clusters: Scores
    /// Share of the true pairs that blocking put up for comparison.
    var pairsCompleteness: Double
    /// The baseline measured in the same run: every pair that shares a blocking key taken as a
    /// duplicate (exact-key deduplication, no scoring). What scoring adds is the difference.
    var baseline: Scores

    init(result: Deduplication.Result, cluster: [Int]) {
        let truth = Self.pairs(groups: Dictionary(grouping: cluster.indices, by: { cluster[$0] }).values.map(Array.init))
        let found = Set(result.pairs.map { Blocking.pair(Int32($0.a), Int32($0.b)) })
        pairs = Scores(found: found, truth: truth)
        clusters = Scores(found: Self.pairs(groups: result.clusters), truth: truth)
        let candidates = Set(result.candidatePairs)
        pairsCompleteness = truth.isEmpty ? 1 : Double(truth.filter(candidates.contains).count) / Double(truth.count)
        baseline = Scores(found: candidates, truth: truth)
    }

    /// Every pair within each group.
    static func pairs(groups: [[Int]]) -> Set<UInt64> {
        var result = Set<UInt64>()
        for group in groups where group.count > 1 {
            for i in 0..<group.count { for j in (i + 1)..<group.count { result.insert(Blocking.pair(Int32(group[i]), Int32(group[j]))) } }
        }
        return result
    }

    enum CodingKeys: String, CodingKey { case pairs, clusters, pairsCompleteness = "pairs_completeness", baseline }
}

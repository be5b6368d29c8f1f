#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a scored pair falls.
public enum MatchBand: String, Sendable, Codable, CaseIterable {
    /// The same thing: link without asking.
    case autoLink = "auto_link"
    /// Possibly the same thing: a steward decides.
    case review
    /// Different things.
    case distinct
}

/// A pair's score with its explanation: each comparison's values, level and weight.
public struct ScoredPair: Sendable, Hashable {
    public var a: Int
    public var b: Int
    /// Total match weight in bits: the prior's weight plus every contribution's.
    public var weight: Double
    /// The prior's part of `weight`: log2(λ / (1 − λ)).
    public var priorWeight: Double
    /// Posterior probability that the two records match; none when a veto keeps them apart.
    public var probability: Double?
    public var band: MatchBand
    public var contributions: [Contribution]
    /// The veto that kept the pair apart, if any.
    public var vetoedBy: String?
    /// Why a pair above the auto_link threshold went to review: the identifiers one of which must agree.
    public var heldBack: String? = nil

    /// One comparison's part in the score.
    public struct Contribution: Sendable, Hashable {
        /// The comparison's name (its attribute unless it has a name of its own).
        public var attribute: String
        public var left: String?
        public var right: String?
        public var method: ComparisonMethod
        /// The level reached, or "null" when either value is missing (no evidence either way).
        public var level: String
        public var similarity: Double?
        public var weight: Double
    }
}

/// Scores pairs of prepared records under one entity's match rules (Fellegi-Sunter).
public struct MatchScorer: Sendable {
    public let rules: MatchRules
    /// Relative frequency of each common exact value (by `Blocking.hash` of its text), per
    /// comparison with term-frequency adjustment.
    public let termFrequencies: [Int: [UInt64: Double]]
    /// Per tf-idf comparison, the weight of each word by how few records hold it.
    public let wordWeights: [Int: WordWeights]

    /// The rules' comparisons as plain values (no strings), read for every pair.
    private let plan: [PlannedComparison]
    /// Per comparison, its best level's weight (term frequencies only lower it).
    private let bestWeight: [Double]
    /// The comparisons' indexes, the cheapest methods first.
    private let cheapFirst: [Int]

    public init(rules: MatchRules, termFrequencies: [Int: [UInt64: Double]] = [:], wordWeights: [Int: WordWeights] = [:]) {
        self.rules = rules
        self.termFrequencies = termFrequencies
        self.wordWeights = wordWeights
        plan = rules.comparisons.indices.map { index in
            let comparison = rules.comparisons[index]
            return PlannedComparison(method: comparison.method, frequencies: comparison.termFrequency ? termFrequencies[index] : nil,
                                     weights: comparison.method == .tfidf ? Self.weights(wordWeights[index], containment: comparison.containment) : nil,
                                     levels: comparison.levels.map { PlannedLevel(condition: $0.condition, m: $0.m, u: $0.u, weight: $0.weight) })
        }
        bestWeight = rules.comparisons.map { $0.levels.map(\.weight).max() ?? 0 }
        cheapFirst = rules.comparisons.indices.sorted { (rules.comparisons[$0].method.cost, $0) < (rules.comparisons[$1].method.cost, $1) }
    }

    static func weights(_ weights: WordWeights?, containment: Double?) -> WordWeights {
        var weights = weights ?? WordWeights()
        weights.containment = containment
        return weights
    }

    /// A scorer whose term frequencies and word weights are those of `records`: the population
    /// a file's pairs, or a candidate's, are drawn from.
    public init(rules: MatchRules, statisticsOf records: [MatchRecord]) {
        self.init(rules: rules, termFrequencies: Self.termFrequencies(of: records, rules: rules),
                  wordWeights: Self.wordWeights(of: records, rules: rules))
    }

    struct PlannedComparison: Sendable {
        var method: ComparisonMethod
        var frequencies: [UInt64: Double]?
        var weights: WordWeights?
        var levels: [PlannedLevel]
    }

    struct PlannedLevel: Sendable {
        var condition: LevelCondition
        var m: Double
        var u: Double
        var weight: Double
    }

    /// Frequencies of the common values, for the comparisons that ask for term-frequency adjustment.
    /// A value held by only one or two records (one duplicate pair) is not common and keeps the
    /// level's own u; nothing makes a value count for more than the level says.
    public static func termFrequencies(of records: [MatchRecord], rules: MatchRules) -> [Int: [UInt64: Double]] {
        var result = [Int: [UInt64: Double]]()
        for (index, comparison) in rules.comparisons.enumerated() where comparison.termFrequency {
            var counts = [UInt64: Int]()
            var total = 0
            for record in records {
                guard let hash = record.withValues({ $0.slot(index * 2).map { Blocking.hash($0.bytes) } }) else { continue }
                counts[hash, default: 0] += 1
                total += 1
            }
            result[index] = counts.filter { $0.value > 2 }.mapValues { Double($0) / Double(max(total, 1)) }
        }
        return result
    }

    /// Inverse document frequencies of the words of each tf-idf comparison's values.
    public static func wordWeights(of records: [MatchRecord], rules: MatchRules) -> [Int: WordWeights] {
        var result = [Int: WordWeights]()
        for (index, comparison) in rules.comparisons.enumerated() where comparison.method == .tfidf {
            var documents = [UInt64: Int]()
            var total = 0
            for record in records {
                record.withValues { values in
                    guard let value = values.value(index) else { return }
                    total += 1
                    value.form.forEachWord { documents[Blocking.hash($0), default: 0] += 1 }
                }
            }
            result[index] = WordWeights(documentFrequencies: documents, documents: total)
        }
        return result
    }

    /// Whether two records reach `threshold`, stopping as soon as the comparisons left cannot
    /// lift the weight to it: most blocked pairs are different things, and say so early. The
    /// bound starts from the best level of every comparison both records have a value for
    /// (term frequencies only lower a level's weight), and each comparison measured replaces its
    /// best by what it found; cheap comparisons are measured first (a sum has no order).
    public func reaches(_ a: MatchRecord, _ b: MatchRecord, _ threshold: Double) -> Bool {
        a.withValues { left in
            b.withValues { right in
                var bound = rules.priorWeight
                for index in cheapFirst where left.value(index) != nil && right.value(index) != nil { bound += bestWeight[index] }
                guard bound >= threshold else { return false }
                for index in cheapFirst {
                    guard let x = left.value(index), let y = right.value(index) else { continue }
                    bound += levelWeight(index, x, y).weight - bestWeight[index]
                    if bound < threshold { return false }
                }
                return true
            }
        }
    }

    /// The level reached (its index) and its weight (term-frequency adjusted) for two present values.
    @inline(__always)
    func levelWeight(_ index: Int, _ x: MatchValue, _ y: MatchValue) -> (level: Int?, weight: Double, measure: Measure) {
        plan.withUnsafeBufferPointer { plan in
            let measure = Comparator.measure(plan[index].method, x, y, weights: plan[index].weights)
            return plan[index].levels.withUnsafeBufferPointer { levels in
                for number in levels.indices where levels[number].condition.holds(measure) {
                    let level = levels[number]
                    if level.condition == .exact, let frequency = plan[index].frequencies?[Blocking.hash(x.text.bytes)], frequency > level.u {
                        return (number, log2(level.m / frequency), measure)
                    }
                    return (number, level.weight, measure)
                }
                return (nil, 0, measure)
            }
        }
    }

    /// The level index comparison `index` reaches for two present values (for estimation).
    func level(_ index: Int, _ x: MatchValue, _ y: MatchValue) -> Int? { levelWeight(index, x, y).level }

    /// Scores records `a` and `b` (indexes into `records`).
    public func score(_ records: [MatchRecord], _ a: Int, _ b: Int) -> ScoredPair {
        score(records[a], records[b], a: a, b: b)
    }

    /// Scores two records; `a` and `b` are what the pair calls them.
    public func score(_ left: MatchRecord, _ right: MatchRecord, a: Int, b: Int) -> ScoredPair {
        var weight = rules.priorWeight
        var contributions = [ScoredPair.Contribution]()
        contributions.reserveCapacity(rules.comparisons.count)
        left.withValues { x in
            right.withValues { y in
                for (index, comparison) in rules.comparisons.enumerated() {
                    let contribution = compare(comparison, index: index, x.value(index), y.value(index))
                    weight += contribution.weight
                    contributions.append(contribution)
                }
            }
        }
        let vetoedBy = rules.vetoes.indices.first { veto($0, left, right, contributions: contributions) }.map { rules.vetoes[$0].name }
        let identified = rules.autoLinkRequires.isEmpty
            || rules.autoLinkRequires.contains { contributions[$0].level == rules.comparisons[$0].levels.first?.label }
        let band: MatchBand = vetoedBy != nil ? .distinct
            : weight >= rules.autoLinkThreshold && identified ? .autoLink : weight >= rules.reviewThreshold ? .review : .distinct
        // A veto is certainty the other way: the weight stays as the evidence, no probability.
        let probability = vetoedBy != nil ? nil : 1 / (1 + pow(2, -weight))
        var pair = ScoredPair(a: a, b: b, weight: weight, priorWeight: rules.priorWeight, probability: probability, band: band,
                              contributions: contributions, vetoedBy: vetoedBy)
        if vetoedBy == nil, !identified, weight >= rules.autoLinkThreshold {
            pair.heldBack = "an automatic link needs " + rules.autoLinkRequires.map { rules.comparisons[$0].name }.joined(separator: ", ")
                + " to agree (one of them)"
        }
        return pair
    }

    func compare(_ comparison: Comparison, index: Int, _ left: MatchValue?, _ right: MatchValue?) -> ScoredPair.Contribution {
        guard let left, let right else {
            return .init(attribute: comparison.name, left: left?.text.string, right: right?.text.string, method: comparison.method,
                         level: "null", similarity: nil, weight: 0)
        }
        let (level, weight, measure) = levelWeight(index, left, right)
        return .init(attribute: comparison.name, left: left.text.string, right: right.text.string, method: comparison.method,
                     level: level.map { comparison.levels[$0].label } ?? "none", similarity: measure.similarity, weight: weight)
    }

    /// Whether `veto` keeps the two records apart; `contributions` are the pair's, for the
    /// `unless_same` comparisons (one that agrees, with a positive weight, lifts the veto: an
    /// e-mail address, or a customer number with a typo).
    func veto(_ index: Int, _ left: MatchRecord, _ right: MatchRecord, contributions: [ScoredPair.Contribution]) -> Bool {
        let veto = rules.vetoes[index]
        for (attribute, value) in veto.whenBoth {
            guard left.normalized(attribute, rules: rules) == value, right.normalized(attribute, rules: rules) == value else { return false }
        }
        for attribute in veto.unlessSame {
            if let comparison = rules.source(attribute, nil).comparison {
                if contributions[comparison].weight > veto.unlessAbove { return false }
            } else if let value = left.normalized(attribute, rules: rules), value == right.normalized(attribute, rules: rules) {
                return false
            }
        }
        guard let a = left.vetoValues[index], let b = right.vetoValues[index], a != b else {
            return false
        }
        switch veto.take {
        case .quantities, .variants: if !ItemFeatures.conflict(a, b) { return false }
        case .eachWord: if ItemFeatures.wordsAgree(a, b) { return false }
        case .eachNumber: if ItemFeatures.numbersAgree(a, b) { return false }
        default: break
        }
        if let below = veto.similarityBelow {
            if veto.similarityMethod.similarity(a, b) >= below { return false }
        }
        return veto.whenSame.allSatisfy { attribute in
            if let comparison = rules.source(attribute, nil).comparison { return contributions[comparison].weight > 0 }
            let x = left.normalized(attribute, rules: rules)
            return x != nil && x == right.normalized(attribute, rules: rules)
        }
    }
}

extension ComparisonMethod {
    /// How dear the method is to measure, relatively: equality first, word-by-word methods last.
    var cost: Int {
        switch self {
        case .exact, .numeric, .ratio, .date: 0
        case .levenshtein, .damerauLevenshtein, .jaroWinkler: 1
        case .tokenSet, .tokenSort, .jaccard, .modelNumbers: 2
        case .mongeElkan, .tfidf: 3
        }
    }
}

/// What a comparison measured: equality, a similarity in 0...1, and for numbers and dates the difference.
struct Measure {
    var equal: Bool
    var similarity: Double?
    var difference: Double?
}

extension LevelCondition {
    func holds(_ measure: Measure) -> Bool {
        switch self {
        case .exact: measure.equal
        case .similarityAtLeast(let threshold): (measure.similarity ?? (measure.equal ? 1 : 0)) >= threshold
        case .differenceAtMost(let limit): measure.difference.map { $0 <= limit } ?? measure.equal
        case .otherwise: true
        }
    }
}

/// The comparison methods over prepared values.
enum Comparator {
    static func measure(_ method: ComparisonMethod, _ a: MatchValue, _ b: MatchValue, weights: WordWeights? = nil) -> Measure {
        if a.text == b.text { return Measure(equal: true, similarity: 1, difference: 0) }
        switch method {
        case .exact:
            return Measure(equal: false, similarity: 0)
        case .levenshtein, .tokenSort, .damerauLevenshtein, .jaroWinkler:
            // The compared form: the text itself, or for token sort its words sorted.
            if a.form.ascii && b.form.ascii { return Measure(equal: false, similarity: similarity(method, a.form.bytes, b.form.bytes)) }
            let x = a.form.string.unicodeScalars.map(\.value), y = b.form.string.unicodeScalars.map(\.value)
            return Measure(equal: false, similarity: similarity(method, x, y))
        case .tokenSet:
            let (shared, n, m) = words(a.form, b.form)
            return Measure(equal: false, similarity: Double(shared) / Double(max(1, min(n, m))))
        case .modelNumbers:
            let left = a.form.string.split(separator: " "), right = b.form.string.split(separator: " ")
            let (short, long) = left.count <= right.count ? (left, right) : (right, left)
            let shared = short.count { word in long.contains { ItemFeatures.wordsAgree(word, $0) } }
            return Measure(equal: false, similarity: Double(shared) / Double(max(1, short.count)))
        case .jaccard:
            let (shared, n, m) = words(a.form, b.form)
            return Measure(equal: false, similarity: Double(shared) / Double(max(1, n + m - shared)))
        case .mongeElkan:
            if a.form.ascii && b.form.ascii { return Measure(equal: false, similarity: TokenSimilarity.mongeElkan(a.form.bytes, b.form.bytes)) }
            return Measure(equal: false, similarity: TokenSimilarity.mongeElkan(a.form.string, b.form.string))
        case .tfidf:
            return Measure(equal: false, similarity: (weights ?? WordWeights()).cosine(a.form, b.form))
        case .numeric:
            guard let x = Double(a.text.string), let y = Double(b.text.string) else { return Measure(equal: false, similarity: 0) }
            return Measure(equal: x == y, similarity: nil, difference: abs(x - y))
        case .ratio:
            guard let x = Double(a.text.string), let y = Double(b.text.string), x > 0, y > 0 else { return Measure(equal: false, similarity: 0) }
            return Measure(equal: x == y, similarity: min(x, y) / max(x, y))
        case .date:
            guard let x = DayNumber.parse(a.text.string), let y = DayNumber.parse(b.text.string) else { return Measure(equal: false, similarity: 0) }
            return Measure(equal: x == y, similarity: nil, difference: Double(abs(x - y)))
        }
    }

    /// The similarity of two character sequences (bytes of ASCII text, or Unicode scalar values) by `method`.
    @inline(__always)
    static func similarity<C: RandomAccessCollection>(_ method: ComparisonMethod, _ x: C, _ y: C) -> Double
    where C.Element: Equatable, C.Index == Int {
        switch method {
        case .damerauLevenshtein: EditDistance.similarity(distance: EditDistance.damerauLevenshtein(x, y), x.count, y.count)
        case .jaroWinkler: JaroWinkler.similarity(x, y)
        default: EditDistance.similarity(distance: EditDistance.levenshtein(x, y), x.count, y.count)
        }
    }

    /// Shared distinct words and each side's count, of two forms holding distinct words sorted.
    static func words(_ a: PreparedText, _ b: PreparedText) -> (Int, Int, Int) {
        if a.ascii && b.ascii { return TokenSimilarity.sharedWords(a.bytes, b.bytes) }
        let x = a.string.split(separator: " "), y = b.string.split(separator: " ")
        return (TokenSimilarity.sharedCount(x, y), x.count, y.count)
    }

    /// Measures two strings as a record prepares them (for tests and one-off comparisons).
    static func measure(_ method: ComparisonMethod, _ a: String, _ b: String, weights: WordWeights? = nil) -> Measure? {
        let left = MatchRecord.pack([a, MatchRecord.comparedForm(a, method)]), right = MatchRecord.pack([b, MatchRecord.comparedForm(b, method)])
        return left.withUnsafeBytes { l in
            right.withUnsafeBytes { r in
                guard let x = PreparedValues(bytes: l).value(0), let y = PreparedValues(bytes: r).value(0) else { return nil }
                return measure(method, x, y, weights: weights)
            }
        }
    }
}

/// Days since 0000-03-01 for an ISO date, for date distances without Foundation.
enum DayNumber {
    static func parse(_ text: String) -> Int? {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, var y = Int(parts[0]), var m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        if m <= 2 { y -= 1; m += 12 }
        return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d
    }
}

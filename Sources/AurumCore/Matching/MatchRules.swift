#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one entity's records are matched: which attributes are compared and how, which blocking
/// keys choose the pairs to compare, the prior and thresholds that give the bands, and vetoes.
public struct MatchRules: Sendable, Hashable {
    /// Probability that two records drawn at random are the same thing (λ in Fellegi-Sunter).
    public var prior: Double
    /// Match weight (bits) from which a pair is a possible duplicate for a steward.
    public var reviewThreshold: Double
    /// Match weight (bits) from which a pair is linked automatically.
    public var autoLinkThreshold: Double
    public var comparisons: [Comparison] { didSet { vetoOnlyAttributes = Self.vetoOnly(vetoes, comparisons) } }
    public var blockingKeys: [BlockingKey]
    public var vetoes: [Veto] { didSet { vetoOnlyAttributes = Self.vetoOnly(vetoes, comparisons) } }
    /// Attributes that vetoes read but no comparison normalizes, in a fixed order (kept up to date).
    public private(set) var vetoOnlyAttributes: [String]
    /// Blocks larger than this are compared only within a sorted window, and reported.
    public var maxBlockSize: Int

    public init(prior: Double, reviewThreshold: Double, autoLinkThreshold: Double, comparisons: [Comparison],
                blockingKeys: [BlockingKey], vetoes: [Veto] = [], maxBlockSize: Int = 1000) {
        self.prior = prior
        self.reviewThreshold = reviewThreshold
        self.autoLinkThreshold = autoLinkThreshold
        self.comparisons = comparisons
        self.blockingKeys = blockingKeys
        self.vetoes = vetoes
        self.maxBlockSize = maxBlockSize
        self.vetoOnlyAttributes = Self.vetoOnly(vetoes, comparisons)
    }

    static func vetoOnly(_ vetoes: [Veto], _ comparisons: [Comparison]) -> [String] {
        var result = [String]()
        for veto in vetoes {
            for attribute in [veto.different] + veto.whenSame + veto.unlessSame + veto.whenBoth.keys.sorted()
            where !comparisons.contains(where: { $0.attribute == attribute }) && !result.contains(attribute) {
                result.append(attribute)
            }
        }
        return result
    }

    /// The prior as a weight in bits: log2(λ / (1 − λ)).
    public var priorWeight: Double { log2(prior / (1 - prior)) }
}

/// One attribute compared between two records, with the levels its similarity falls into.
public struct Comparison: Sendable, Hashable {
    public var attribute: String
    public var normalizer: MatchNormalizer
    public var method: ComparisonMethod
    /// Ordered from the strongest agreement to the weakest; the first that holds is taken.
    public var levels: [ComparisonLevel]
    /// Adjust the weight of exact agreement by how common the value is ("Smith" counts less than "Okonkwo").
    public var termFrequency: Bool

    public init(attribute: String, normalizer: MatchNormalizer, method: ComparisonMethod, levels: [ComparisonLevel], termFrequency: Bool = false) {
        self.attribute = attribute
        self.normalizer = normalizer
        self.method = method
        self.levels = levels
        self.termFrequency = termFrequency
    }
}

/// How two normalized values are compared.
public enum ComparisonMethod: String, Sendable, CaseIterable, Codable {
    case exact
    case levenshtein
    case damerauLevenshtein = "damerau_levenshtein"
    case jaroWinkler = "jaro_winkler"
    case tokenSet = "token_set"
    case tokenSort = "token_sort"
    case jaccard
    /// Absolute difference of two numbers.
    case numeric
    /// Days between two ISO dates.
    case date
}

/// One level of agreement, with its m and u probabilities.
public struct ComparisonLevel: Sendable, Hashable {
    public var label: String
    public var condition: LevelCondition
    /// P(this level | the records match).
    public var m: Double
    /// P(this level | the records do not match).
    public var u: Double

    public init(label: String, condition: LevelCondition, m: Double, u: Double) {
        self.label = label
        self.condition = condition
        self.m = m
        self.u = u
    }

    /// The level's weight in bits: log2(m / u).
    public var weight: Double { log2(m / u) }
}

/// When a level holds.
public enum LevelCondition: Sendable, Hashable {
    /// The normalized values are equal.
    case exact
    /// The method's similarity (0...1) is at least this.
    case similarityAtLeast(Double)
    /// For numeric and date methods: the difference is at most this (units or days).
    case differenceAtMost(Double)
    /// Always; the last level.
    case otherwise
}

/// A rule that keeps two records apart whatever their score: both have the attribute and the
/// values differ (two valid VAT numbers, two GTINs), optionally only when other attributes agree.
public struct Veto: Sendable, Hashable {
    public var name: String
    /// The attribute whose values must differ (after normalization) for the veto to apply.
    public var different: String
    /// The part of the value compared: the whole, its first word (a given name), its numbers (M8x40).
    public var take: BlockingTransform
    /// Values count as different only when their Jaro-Winkler similarity is below this (typos are not differences).
    public var similarityBelow: Double?
    /// Attributes that must be equal (after normalization) as well, e.g. the same street for households.
    public var whenSame: [String]
    /// Attributes both records must hold with exactly this value, e.g. `is_company: false` for people.
    public var whenBoth: [String: String]
    /// Attributes whose equality lifts the veto (one person's e-mail address is not shared by a household).
    public var unlessSame: [String] = []

    public init(name: String, different: String, take: BlockingTransform = .whole, similarityBelow: Double? = nil,
                whenSame: [String] = [], whenBoth: [String: String] = [:]) {
        self.name = name
        self.different = different
        self.take = take
        self.similarityBelow = similarityBelow
        self.whenSame = whenSame
        self.whenBoth = whenBoth
    }
}

/// A key computed from one record; records that share a key value are compared.
public struct BlockingKey: Sendable, Hashable {
    public var name: String
    public var parts: [BlockingPart]
    public init(name: String, parts: [BlockingPart]) { self.name = name; self.parts = parts }
}

/// One part of a blocking key: an attribute, normalized, possibly shortened or encoded.
public struct BlockingPart: Sendable, Hashable {
    public var attribute: String
    public var normalizer: MatchNormalizer
    public var transform: BlockingTransform
    public init(attribute: String, normalizer: MatchNormalizer, transform: BlockingTransform = .whole) {
        self.attribute = attribute
        self.normalizer = normalizer
        self.transform = transform
    }
}

/// How a blocking part shortens its value.
public enum BlockingTransform: Sendable, Hashable {
    case whole
    /// The first n characters (of the value without spaces).
    case prefix(Int)
    /// The Soundex code of the first word.
    case soundex
    /// The first word.
    case firstWord
    /// The words sorted, joined: order-insensitive.
    case sortedWords
    /// Only the numbers, in order (sizes such as M8x40 → "8 40").
    case numbers
    /// The Soundex code of every word, sorted: robust to typos after the first letter and to word order.
    case phoneticWords
}

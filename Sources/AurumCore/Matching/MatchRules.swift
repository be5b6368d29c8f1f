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
    public var comparisons: [Comparison] { didSet { vetoSlots = Self.vetoSlots(vetoes, comparisons) } }
    public var blockingKeys: [BlockingKey]
    public var vetoes: [Veto] { didSet { vetoSlots = Self.vetoSlots(vetoes, comparisons) } }
    /// The (attribute, normalizer) values that vetoes read but no comparison prepares, in a fixed
    /// order (kept up to date): a record prepares these too.
    public private(set) var vetoSlots: [VetoSlot]
    /// Blocks larger than this are compared only within a sorted window, and reported.
    public var maxBlockSize: Int
    /// When set, a pair is kept only if its weight is within this many bits of the best pair of
    /// one of its two records: each record goes with the thing it resembles most, not with every
    /// look-alike of it (the next version of a program, the same model in another colour).
    public var bestMargin: Double?
    /// When not empty, a pair is linked automatically only if one of these comparisons (by index)
    /// agrees at its first level: a shared identifier, not a sum of look-alike fields. Other
    /// pairs above the auto_link threshold go to review.
    public var autoLinkRequires: [Int] = []

    public init(prior: Double, reviewThreshold: Double, autoLinkThreshold: Double, comparisons: [Comparison],
                blockingKeys: [BlockingKey], vetoes: [Veto] = [], maxBlockSize: Int = 1000) {
        self.prior = prior
        self.reviewThreshold = reviewThreshold
        self.autoLinkThreshold = autoLinkThreshold
        self.comparisons = comparisons
        self.blockingKeys = blockingKeys
        self.vetoes = vetoes
        self.maxBlockSize = maxBlockSize
        self.vetoSlots = Self.vetoSlots(vetoes, comparisons)
    }

    /// An attribute as a veto reads it.
    public struct VetoSlot: Sendable, Hashable {
        public var attribute: String
        public var normalizer: MatchNormalizer
    }

    /// Where a veto finds `attribute` normalized by `normalizer` (nil: as its first comparison
    /// normalizes it, else as text): a comparison's index, or a veto slot's.
    /// A comparison's name (`street_number`) names its normalized value too.
    func source(_ attribute: String, _ normalizer: MatchNormalizer?) -> (comparison: Int?, slot: Int?) {
        if normalizer == nil, let index = comparisons.firstIndex(where: { $0.name == attribute }) { return (index, nil) }
        if let index = comparisons.firstIndex(where: { $0.attribute == attribute && (normalizer == nil || $0.normalizer == normalizer) }) {
            return (index, nil)
        }
        return (nil, vetoSlots.firstIndex(of: VetoSlot(attribute: attribute, normalizer: normalizer ?? .text)))
    }

    static func vetoSlots(_ vetoes: [Veto], _ comparisons: [Comparison]) -> [VetoSlot] {
        var result = [VetoSlot]()
        for veto in vetoes {
            let read = [(veto.different, veto.normalizer)] + (veto.whenSame + veto.unlessSame + veto.whenBoth.keys.sorted()).map { ($0, nil as MatchNormalizer?) }
            for (attribute, normalizer) in read
            where !comparisons.contains(where: { ($0.attribute == attribute && (normalizer == nil || $0.normalizer == normalizer))
                || (normalizer == nil && $0.name == attribute) }) {
                let slot = VetoSlot(attribute: attribute, normalizer: normalizer ?? .text)
                if !result.contains(slot) { result.append(slot) }
            }
        }
        return result
    }

    /// The prior as a weight in bits: log2(λ / (1 − λ)).
    public var priorWeight: Double { log2(prior / (1 - prior)) }
}

/// One attribute compared between two records, with the levels its similarity falls into.
public struct Comparison: Sendable, Hashable {
    /// What explanations call it: the attribute, or a name of its own when one attribute is
    /// compared twice (a street's number and its name).
    public var name: String
    public var attribute: String
    /// Further attributes whose values are joined to the attribute's before it is normalized, so
    /// one comparison reads them as one text (a street and its second line, which exports swap).
    public var with: [String] = []
    public var normalizer: MatchNormalizer
    public var method: ComparisonMethod
    /// Ordered from the strongest agreement to the weakest; the first that holds is taken.
    public var levels: [ComparisonLevel]
    /// Adjust the weight of exact agreement by how common the value is ("Smith" counts less than "Okonkwo").
    public var termFrequency: Bool
    /// For `tfidf`: a name another holds whole counts as this similar times the share of its
    /// weight found (nil: the cosine alone). See `WordWeights.containment`.
    public var containment: Double?

    public init(attribute: String, normalizer: MatchNormalizer, method: ComparisonMethod, levels: [ComparisonLevel], termFrequency: Bool = false,
                name: String? = nil) {
        self.name = name ?? attribute
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
    /// Monge-Elkan: each word of the shorter side matched to its most similar word of the other
    /// (Jaro-Winkler), averaged; robust to swapped, missing and misspelt words ("smith john" = "jon smith").
    case mongeElkan = "monge_elkan"
    /// Cosine of the two word sets weighted by inverse document frequency over the records
    /// compared: a shared rare word ("cb2ec") counts for more than a shared common one ("adapter").
    case tfidf
    /// Token set over model and part numbers, where one model written two ways ("xb40ex",
    /// "mdrxb40ex"; "wn511", "wn511b") counts as shared (see `ItemFeatures.wordsAgree`).
    case modelNumbers = "model_numbers"
    /// Absolute difference of two numbers.
    case numeric
    /// The smaller of two positive numbers over the larger (0.9: within 10 %), for prices and
    /// amounts that two systems state alike but not to the cent.
    case ratio
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
    /// The part of the value compared: the whole, its first word (a given name), its numbers
    /// (M8x40), or its quantities or colours, which conflict only where both sides state one of
    /// the same kind (8 GB against 16 GB; 19 inch against nothing is no conflict).
    public var take: BlockingTransform
    /// How `different` is normalized before `take` (nil: as its comparison normalizes it).
    public var normalizer: MatchNormalizer?
    /// Values count as different only when their similarity is below this (typos are not differences).
    public var similarityBelow: Double?
    /// How that similarity is measured: Jaro-Winkler, Monge-Elkan (word by word),
    /// `other_words` (for people's names: the words left once the shared family name is set aside),
    /// or `replaced_word` (for item names: 0 when they are the same but for one word, or two
    /// side by side, in the same place; see `ItemFeatures.replacedWord`).
    public var similarityMethod: VetoSimilarity = .jaroWinkler
    /// Comparisons (by name or attribute) that must agree as well, a level with a positive weight,
    /// e.g. the same address for households (a typo in it is still the same address). An
    /// attribute no comparison reads must be equal.
    public var whenSame: [String]
    /// Attributes both records must hold with exactly this value, e.g. `is_company: false` for people.
    public var whenBoth: [String: String]
    /// Comparisons (by name or attribute) whose agreement, a level with a positive weight, lifts the
    /// veto: one person's e-mail address or customer number is not shared by a household.
    /// An attribute no comparison reads lifts it when its values are equal.
    public var unlessSame: [String] = []
    /// The weight (bits) an `unless_same` comparison must pass to lift the veto: 0 is agreement;
    /// more asks for strong evidence, such as a rare model number rather than a standard that
    /// thousands of items share (term frequencies lower a common value's weight).
    public var unlessAbove: Double = 0

    public init(name: String, different: String, take: BlockingTransform = .whole, similarityBelow: Double? = nil,
                whenSame: [String] = [], whenBoth: [String: String] = [:], normalizer: MatchNormalizer? = nil) {
        self.name = name
        self.different = different
        self.normalizer = normalizer
        self.take = take
        self.similarityBelow = similarityBelow
        self.whenSame = whenSame
        self.whenBoth = whenBoth
    }
}

/// How a veto measures whether two values differ beyond a typo.
public enum VetoSimilarity: String, Sendable, Hashable, CaseIterable, Codable {
    case jaroWinkler = "jaro_winkler"
    case mongeElkan = "monge_elkan"
    case otherWords = "other_words"
    case replacedWord = "replaced_word"

    func similarity(_ a: String, _ b: String) -> Double {
        switch self {
        case .jaroWinkler: JaroWinkler.similarity(a, b)
        case .mongeElkan: TokenSimilarity.mongeElkan(a, b)
        case .otherWords: TokenSimilarity.otherWords(a, b)
        case .replacedWord: ItemFeatures.replacedWord(a, b)
        }
    }
}

/// A key computed from one record; records that share a key value are compared.
/// A part may give several values (each word, typo variants, LSH bands): the key then has one
/// value per combination, and records that share any of them are compared.
public struct BlockingKey: Sendable, Hashable {
    public var name: String
    public var parts: [BlockingPart]
    /// Blocks larger than this are oversized (nil: the rules' `maxBlockSize`). An oversized block
    /// of a key with several values per record is a common word or variant that carries no
    /// evidence, so it is skipped (and reported); one of a single-valued key is compared within a window.
    public var maxBlockSize: Int?
    public init(name: String, parts: [BlockingPart], maxBlockSize: Int? = nil) {
        self.name = name
        self.parts = parts
        self.maxBlockSize = maxBlockSize
    }

    /// Whether a record can have several values of this key.
    public var isMultiValued: Bool { parts.contains { $0.transform.isMultiValued } }
}

extension MatchRules {
    /// The most members of the block of key value `hash` a record is compared with: its key's
    /// `max_block_size`, else the rules'.
    public func blockLimit(of hash: UInt64) -> Int {
        blockingKeys[Blocking.key(of: hash)].maxBlockSize ?? maxBlockSize
    }

    /// How many times its limit a many-valued key's block must hold before the store marks the key
    /// common (`commonSize(of:)`).
    public static let commonFactor = 4

    /// The size past which the store marks the block of `hash` common: its members are no longer
    /// stored and the block is over its limit from then on, whatever leaves it, until the keys are
    /// next recomputed (new rules). Only many-valued keys (a word of the name): a block that grew
    /// to four times its limit is a common word, and the word carries no evidence. Nil for a
    /// single-valued key, whose first members are always taken.
    public func commonSize(of hash: UInt64) -> Int? {
        commonSize(ofKey: Blocking.key(of: hash))
    }

    /// The common size of the `index`th blocking key's blocks (the key's number in its hashes).
    public func commonSize(ofKey index: Int) -> Int? {
        let key = blockingKeys[index]
        return key.isMultiValued ? Self.commonFactor * (key.maxBlockSize ?? maxBlockSize) : nil
    }

    /// How many members of the block of `hash` a record meets when the block holds `size` records
    /// with it: none when a many-valued key's block is over its limit (a common word), else up to the limit.
    public func membersTaken(fromBlockOf hash: UInt64, size: Int) -> Int {
        let limit = blockLimit(of: hash)
        return size > limit && blockingKeys[Blocking.key(of: hash)].isMultiValued ? 0 : limit
    }
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
    /// Each word on its own: several values.
    case eachWord
    /// Each word's Soundex code on its own: several values.
    case eachPhonetic
    /// The value and every variant with one character deleted: two values one typo apart share
    /// a variant ("4011", "4811" → "411"). Several values; meant for short values such as postcodes.
    case deletions
    /// MinHash LSH over the value's words (or character q-grams when `qgram` > 0): `bands` values,
    /// each the hash of `rows` minimum hashes. Two records share a band with probability
    /// 1 − (1 − J^rows)^bands for word-set Jaccard similarity J.
    case minhash(bands: Int, rows: Int, qgram: Int)
    /// Quantities with their units ("8 GB", "19 inch", "240 V", "pack of 12"), for vetoes.
    case quantities
    /// Variant words (colours, platforms), for vetoes.
    case variants
    /// Each number on its own: several values. In a veto, two records conflict when both have
    /// numbers and share none (version 2007 against 2008; 2.5 against "2.5 win 95" is no conflict).
    case eachNumber

    /// Whether the transform gives several values for one value.
    public var isMultiValued: Bool {
        switch self {
        case .eachWord, .eachPhonetic, .eachNumber, .deletions, .minhash: true
        default: false
        }
    }
}

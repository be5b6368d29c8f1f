/// A record prepared for matching: each comparison's normalized value (with its scalars, so
/// comparators do not decode strings again) and each blocking key, computed once.
public struct MatchRecord: Sendable {
    /// The record's label in results: a source key, a row number or a golden-record id.
    public var id: String
    /// One entry per comparison of the rules, in order; nil when the record has no value.
    public var values: [MatchValue?]
    /// One entry per blocking key of the rules, in order; nil when a part is missing.
    public var keys: [String?]
    /// Normalized values of the attributes that vetoes name but no comparison covers, in the
    /// order of `MatchRules.vetoOnlyAttributes`.
    public var vetoValues: [String?]

    /// Prepares `attributes` for `rules`.
    public init(id: String, attributes: Attributes, rules: MatchRules) {
        self.init(id: id, rules: rules) { attributes[$0]?.matchText }
    }

    /// Prepares a record whose raw attribute values `raw` gives by name (a CSV row, say), for `rules`.
    public init(id: String, rules: MatchRules, raw: @escaping (String) -> String?) {
        self.id = id
        var normalizer = RecordNormalizer(raw: raw)
        values = rules.comparisons.map { comparison in
            normalizer.value(comparison.attribute, comparison.normalizer).map { MatchValue($0, for: comparison.method) }
        }
        keys = rules.blockingKeys.map { key in Self.key(key, normalizer: &normalizer) }
        vetoValues = rules.vetoOnlyAttributes.map { normalizer.value($0, .text) }
    }

    /// The key's value: its parts joined with `|`, or nil when any part is missing.
    static func key(_ key: BlockingKey, normalizer: inout RecordNormalizer) -> String? {
        var parts = [String]()
        for part in key.parts {
            guard let normalized = normalizer.value(part.attribute, part.normalizer), let value = part.transform.apply(normalized) else { return nil }
            parts.append(value)
        }
        return key.name + ":" + parts.joined(separator: "|")
    }

    /// The normalized value of `attribute` as comparisons or vetoes see it.
    func normalized(_ attribute: String, rules: MatchRules) -> String? {
        if let index = rules.comparisons.firstIndex(where: { $0.attribute == attribute }) { return values[index]?.text }
        return rules.vetoOnlyAttributes.firstIndex(of: attribute).flatMap { vetoValues[$0] }
    }
}

/// Normalizes one record's attributes, each (attribute, normalizer) once however many
/// comparisons, keys and vetoes ask for it. A record has a dozen such values at most, so a
/// short list beats a dictionary.
struct RecordNormalizer {
    let raw: (String) -> String?
    let context: NormalizationContext
    private var cache: [(attribute: String, normalizer: MatchNormalizer, value: String?)] = []

    init(raw: @escaping (String) -> String?) {
        self.raw = raw
        self.context = NormalizationContext(country: raw("country").map { TextFolding.trim($0).uppercased() })
    }

    mutating func value(_ attribute: String, _ normalizer: MatchNormalizer) -> String? {
        if let cached = cache.first(where: { $0.normalizer == normalizer && $0.attribute == attribute }) { return cached.value }
        let value = raw(attribute).flatMap { normalizer.apply($0, context: context) }
        cache.append((attribute, normalizer, value))
        return value
    }
}

/// A normalized value with what its comparison method needs precomputed once per record (its
/// scalars, its words sorted), so that comparing millions of pairs allocates nothing for them.
public struct MatchValue: Sendable, Hashable {
    public let text: String
    /// The UTF-16 code units the method compares: of the text, or of its words sorted (token
    /// sort). Two bytes a character keep a million prepared records small.
    public let scalars: [UInt16]
    /// The distinct words, sorted (token set and Jaccard only; empty otherwise).
    public let words: [Substring]

    /// Prepares `text` for `method` (every method when nil, as tests do).
    public init(_ text: String, for method: ComparisonMethod? = nil) {
        self.text = text
        switch method {
        case .exact?, .numeric?, .date?:
            scalars = []
            words = []
        case .tokenSort?:
            let sorted = text.split(separator: " ").sorted()
            scalars = Array((sorted.count < 2 ? text : sorted.joined(separator: " ")).utf16)
            words = []
        case .tokenSet?, .jaccard?:
            scalars = []
            var distinct = [Substring]()
            for word in text.split(separator: " ").sorted() where distinct.last != word { distinct.append(word) }
            words = distinct
        default:
            scalars = Array(text.utf16)
            var distinct = [Substring]()
            if method == nil { for word in text.split(separator: " ").sorted() where distinct.last != word { distinct.append(word) } }
            words = distinct
        }
    }
}

extension BlockingTransform {
    func apply(_ value: String) -> String? {
        let result: String
        switch self {
        case .whole: result = value
        case .prefix(let n): result = String(value.filter { $0 != " " }.prefix(n))
        case .soundex: result = Phonetic.soundex(value.split(separator: " ").first.map(String.init) ?? "")
        case .firstWord: result = value.split(separator: " ").first.map(String.init) ?? ""
        case .sortedWords: result = value.split(separator: " ").sorted().joined(separator: " ")
        case .phoneticWords: result = value.split(separator: " ").map { Phonetic.soundex(String($0)) }.sorted().joined(separator: " ")
        case .numbers: result = value.split(separator: " ").filter { $0.first?.isNumber == true }.joined(separator: " ")
        }
        return result.isEmpty ? nil : result
    }
}

extension JSONValue {
    /// The value as text for matching: strings as they are, numbers and booleans written out.
    public var matchText: String? {
        switch self {
        case .string(let s): s
        case .number(let n): JSONValue.format(n)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }
}

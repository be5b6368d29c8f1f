/// A record prepared for matching: each comparison's normalized value (with its scalars, so
/// comparators do not decode strings again) and each blocking key, computed once.
public struct MatchRecord: Sendable {
    /// The record's label in results: a source key, a row number or a golden-record id.
    public var id: String
    /// One entry per comparison of the rules, in order; nil when the record has no value.
    public var values: [MatchValue?]
    /// One entry per blocking key of the rules, in order; nil when a part is missing.
    public var keys: [String?]
    /// Normalized values of attributes that vetoes name but no comparison covers, by attribute.
    public var vetoValues: [String: String]

    /// Prepares `attributes` for `rules`.
    public init(id: String, attributes: Attributes, rules: MatchRules) {
        self.id = id
        let context = NormalizationContext(country: attributes["country"]?.matchText.map { TextFolding.trim($0).uppercased() })
        values = rules.comparisons.map { comparison in
            attributes[comparison.attribute]?.matchText
                .flatMap { comparison.normalizer.apply($0, context: context) }
                .map(MatchValue.init)
        }
        keys = rules.blockingKeys.map { key in Self.key(key, attributes: attributes, context: context) }
        var vetoValues = [String: String]()
        for veto in rules.vetoes {
            for attribute in [veto.different] + veto.whenSame + veto.unlessSame + veto.whenBoth.keys where !rules.comparisons.contains(where: { $0.attribute == attribute }) {
                vetoValues[attribute] = attributes[attribute]?.matchText.flatMap { MatchNormalizer.text.apply($0, context: context) }
            }
        }
        self.vetoValues = vetoValues
    }

    /// The key's value: its parts joined with `|`, or nil when any part is missing.
    static func key(_ key: BlockingKey, attributes: Attributes, context: NormalizationContext) -> String? {
        var parts = [String]()
        for part in key.parts {
            guard let text = attributes[part.attribute]?.matchText, let normalized = part.normalizer.apply(text, context: context),
                  let value = part.transform.apply(normalized) else { return nil }
            parts.append(value)
        }
        return key.name + ":" + parts.joined(separator: "|")
    }

    /// The normalized value of `attribute` as comparisons or vetoes see it.
    func normalized(_ attribute: String, rules: MatchRules) -> String? {
        if let index = rules.comparisons.firstIndex(where: { $0.attribute == attribute }) { return values[index]?.text }
        return vetoValues[attribute]
    }
}

/// A normalized value and its Unicode scalars.
public struct MatchValue: Sendable, Hashable {
    public let text: String
    public let scalars: [UInt32]
    public init(_ text: String) {
        self.text = text
        self.scalars = text.unicodeScalars.map(\.value)
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
        case .numbers: result = value.split(separator: " ").filter { $0.first?.isNumber == true }.joined(separator: " ")
        }
        return result.isEmpty ? nil : result
    }
}

extension JSONValue {
    /// The value as text for matching: strings as they are, numbers and booleans written out.
    var matchText: String? {
        switch self {
        case .string(let s): s
        case .number(let n): JSONValue.format(n)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }
}

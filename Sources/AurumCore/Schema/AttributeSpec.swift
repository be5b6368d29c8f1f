/// The value type an attribute holds; decides how input is coerced and checked.
public enum AttributeType: String, Sendable, CaseIterable, Codable {
    case string, text, integer, decimal, boolean, date, email, country, reference
    /// One of a fixed list of values (`values:` in the rules).
    case `enum`
}

/// A check-digit scheme an attribute's value must satisfy.
public enum CheckDigitScheme: String, Sendable, CaseIterable, Codable {
    /// GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14, mod-10 check digit.
    case gtin
    /// International Bank Account Number, ISO 13616 mod-97 check.
    case iban
}

/// A closed or half-open numeric interval, inclusive at both ends.
public struct NumericRange: Sendable, Hashable, Codable {
    public var min: Double?
    public var max: Double?
    public init(min: Double? = nil, max: Double? = nil) { self.min = min; self.max = max }

    /// Whether `value` lies within the range.
    public func contains(_ value: Double) -> Bool {
        (min.map { value >= $0 } ?? true) && (max.map { value <= $0 } ?? true)
    }
}

/// A normalization applied to a string value before it is checked and stored.
public enum Normalization: String, Sendable, CaseIterable, Codable {
    /// Remove leading and trailing white space.
    case trim
    /// Replace every run of white space by one space.
    case collapseSpaces = "collapse_spaces"
    case upper, lower
    /// Remove spaces, dots and dashes (identifiers such as VAT or IBAN).
    case stripSeparators = "strip_separators"
}

/// One attribute of an entity and every rule that applies to it alone.
public struct AttributeSpec: Sendable, Hashable {
    public var name: String
    public var type: AttributeType
    public var required: Bool = false
    /// Missing values produce a warning rather than an error.
    public var recommended: Bool = false
    public var normalize: [Normalization] = []
    /// A regular expression the whole (normalized) string must match.
    public var pattern: String?
    public var values: [String] = []
    public var length: NumericRange?
    public var range: NumericRange?
    public var check: CheckDigitScheme?
    /// For `reference` attributes: the entity whose golden record the value names.
    public var referencedEntity: String?
    /// No two golden records of the entity may share this attribute's value.
    public var unique: Bool = false
    /// Shown in clear only to those the rules entitle (`sensitive:`); masked for everyone else,
    /// kept in the audit trail as a keyed hash.
    public var sensitive: Sensitivity?
    public var description: String?

    public init(name: String, type: AttributeType) {
        self.name = name
        self.type = type
    }

    /// The longest value accepted at all, in characters, checked before anything normalizes or
    /// matches it: the rules' `length: {max}` when it is longer, else 1,000 (10,000 for `text`).
    /// A value over the rules' own maximum but within this one is a validation finding, as before.
    public var hardLimit: Int {
        let fallback = type == .text ? 10_000 : 1_000
        guard let max = length?.max, max.isFinite, max > Double(fallback) else { return fallback }
        return Int(Swift.min(max, 1_000_000))
    }
}

/// One thing validation found: the attribute, the rule that spoke and what to do about it.
public struct Finding: Sendable, Hashable, Codable {
    /// The attribute concerned; a cross-field rule names the first attribute it requires or forbids.
    public var attribute: String
    /// The rule kind (`required`, `pattern`, `gtin`, ...) or the cross-field rule's name.
    public var rule: String
    public var message: String

    public init(attribute: String, rule: String, message: String) {
        self.attribute = attribute
        self.rule = rule
        self.message = message
    }
}

/// The outcome of validating one record: its normalized attributes, the errors that block it and
/// the warnings that travel with it.
public struct Verdict: Sendable, Hashable {
    public var attributes: Attributes
    public var errors: [Finding]
    public var warnings: [Finding]

    public init(attributes: Attributes, errors: [Finding] = [], warnings: [Finding] = []) {
        self.attributes = attributes
        self.errors = errors
        self.warnings = warnings
    }

    /// Whether nothing blocks the record.
    public var isValid: Bool { errors.isEmpty }
}

/// A type error found while coercing a value is carried as a `Result` failure.
extension Finding: Error {}

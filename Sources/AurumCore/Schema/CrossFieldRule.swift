/// How strongly a rule speaks: errors block a candidate, warnings travel with its change request.
public enum Severity: String, Sendable, CaseIterable, Codable {
    case error, warning
}

/// A condition on one attribute, used in the `when:` of a cross-field rule.
public enum AttributeCondition: Sendable, Hashable {
    /// The attribute's value is one of these (a single value is a list of one).
    case oneOf([JSONValue])
    /// The attribute has a value (`true`) or has none (`false`).
    case present(Bool)

    /// Whether the condition holds for `value`.
    public func holds(for value: JSONValue?) -> Bool {
        let given = value.map { !$0.isNull } ?? false
        switch self {
        case .present(let wanted): return given == wanted
        case .oneOf(let options): return given && options.contains(value!)
        }
    }
}

/// A rule across attributes: when every condition holds, the listed attributes must be given
/// (`require`) or must be absent (`forbid`).
public struct CrossFieldRule: Sendable, Hashable {
    public var name: String
    public var when: [String: AttributeCondition]
    public var require: [String] = []
    public var forbid: [String] = []
    public var severity: Severity = .error
    public var message: String?

    public init(name: String, when: [String: AttributeCondition]) {
        self.name = name
        self.when = when
    }

    /// Whether the rule's conditions all hold for `attributes`.
    public func applies(to attributes: Attributes) -> Bool {
        when.allSatisfy { name, condition in condition.holds(for: attributes[name]) }
    }
}

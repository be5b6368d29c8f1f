/// One attribute's change between a golden version and a proposal.
public struct AttributeChange: Sendable, Hashable, Codable {
    public var attribute: String
    /// The value before (absent for a new attribute).
    public var before: JSONValue?
    /// The value after (absent when the attribute is cleared).
    public var after: JSONValue?

    public init(attribute: String, before: JSONValue?, after: JSONValue?) {
        self.attribute = attribute
        self.before = before
        self.after = after
    }

    /// The changes that turn `before` into `after`, ordered by attribute name.
    public static func diff(from before: Attributes, to after: Attributes) -> [AttributeChange] {
        Set(before.keys).union(after.keys).sorted().compactMap { name in
            before[name] == after[name] ? nil : AttributeChange(attribute: name, before: before[name], after: after[name])
        }
    }
}

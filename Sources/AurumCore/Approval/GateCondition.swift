/// When a gate applies: every test it names holds (a test it leaves out holds for every change).
public struct GateCondition: Sendable, Hashable {
    /// The change is of one of these kinds.
    public var kinds: Set<ChangeKind>
    /// At least one of these attributes changes.
    public var changed: Set<String>
    /// Every attribute that changes is one of these (and at least one changes).
    public var onlyChanged: Set<String>
    /// The change comes from one of these sources.
    public var sources: Set<String>
    /// The change comes from a source trusted at least this much (rules/aurum.yaml).
    public var minimumTrust: Int?
    /// Tests on the proposed values.
    public var values: [ValueCondition]

    public init(kinds: Set<ChangeKind> = [], changed: Set<String> = [], onlyChanged: Set<String> = [], sources: Set<String> = [],
                minimumTrust: Int? = nil, values: [ValueCondition] = []) {
        self.kinds = kinds
        self.changed = changed
        self.onlyChanged = onlyChanged
        self.sources = sources
        self.minimumTrust = minimumTrust
        self.values = values
    }

    /// Whether the condition holds for `change`.
    public func holds(for change: GateSubject) -> Bool {
        if !kinds.isEmpty, !kinds.contains(change.kind) { return false }
        if !changed.isEmpty, changed.isDisjoint(with: change.changed) { return false }
        if !onlyChanged.isEmpty, change.changed.isEmpty || !change.changed.isSubset(of: onlyChanged) { return false }
        if !sources.isEmpty, !(change.source.map { sources.contains($0) } ?? false) { return false }
        if let minimumTrust, (change.sourceTrust ?? Int.min) < minimumTrust { return false }
        return values.allSatisfy { $0.holds(for: change.proposed) }
    }
}

/// A test on one proposed value: a number above or below a threshold, or a value among a few.
/// A value that is missing, or not a number where a number is compared, never passes.
public struct ValueCondition: Sendable, Hashable {
    public enum Test: Sendable, Hashable {
        case above(Double)
        case atLeast(Double)
        case below(Double)
        case atMost(Double)
        case oneOf([JSONValue])
    }

    public var attribute: String
    public var test: Test

    public init(attribute: String, test: Test) {
        self.attribute = attribute
        self.test = test
    }

    /// Whether the proposed value of `attribute` passes.
    public func holds(for proposed: Attributes) -> Bool {
        guard let value = proposed[attribute], !value.isNull else { return false }
        switch test {
        case .oneOf(let values): return values.contains(value)
        case .above(let limit): return value.numberValue.map { $0 > limit } ?? false
        case .atLeast(let limit): return value.numberValue.map { $0 >= limit } ?? false
        case .below(let limit): return value.numberValue.map { $0 < limit } ?? false
        case .atMost(let limit): return value.numberValue.map { $0 <= limit } ?? false
        }
    }
}

/// A change as the gates see it: its kind, what it changes, where it comes from, what it proposes.
public struct GateSubject: Sendable, Hashable {
    public var kind: ChangeKind
    /// The attributes whose golden value changes.
    public var changed: Set<String>
    /// The source whose candidate opened it; nil for a steward's own change (merge, block, …).
    public var source: String?
    public var sourceTrust: Int?
    /// The golden values it proposes.
    public var proposed: Attributes

    public init(kind: ChangeKind, changed: Set<String>, source: String? = nil, sourceTrust: Int? = nil, proposed: Attributes = [:]) {
        self.kind = kind
        self.changed = changed
        self.source = source
        self.sourceTrust = sourceTrust
        self.proposed = proposed
    }
}

/// How a golden record's value of one attribute is chosen among the values its sources gave.
public enum SurvivalStrategy: Sendable, Hashable {
    /// The most trusted source's value (trust from rules/aurum.yaml); the most recent among equals.
    case trust
    /// The value changed last.
    case mostRecent
    /// The value of the source whose record has the most attributes filled in.
    case mostComplete
    /// The longest value (text by characters, anything else by its text).
    case longest
    /// The first of these sources that has a value; sources not named come after, most recent first.
    case sourceOrder([String])

    /// The name used in the rules and in lineage.
    public var name: String {
        switch self {
        case .trust: "trust"
        case .mostRecent: "most_recent"
        case .mostComplete: "most_complete"
        case .longest: "longest"
        case .sourceOrder: "source_order"
        }
    }

    /// The strategies written as one word in the rules.
    public static let named: [String: SurvivalStrategy] = [
        "trust": .trust, "most_recent": .mostRecent, "most_complete": .mostComplete, "longest": .longest,
    ]
}

/// An entity's `survive:` rules: a strategy per attribute, and one for the rest.
public struct SurvivorshipRules: Sendable, Hashable {
    public var defaultStrategy: SurvivalStrategy
    public var attributes: [String: SurvivalStrategy]

    /// Without rules the value changed last wins, which is what a record with one source does anyway.
    public init(defaultStrategy: SurvivalStrategy = .mostRecent, attributes: [String: SurvivalStrategy] = [:]) {
        self.defaultStrategy = defaultStrategy
        self.attributes = attributes
    }

    public func strategy(for attribute: String) -> SurvivalStrategy {
        attributes[attribute] ?? defaultStrategy
    }
}

/// What one source key of a golden record last said: its attributes, and when each last changed.
public struct SourceContribution: Sendable, Hashable, Codable {
    public var source: String
    public var sourceKey: String
    public var attributes: Attributes
    /// Per attribute, the instant (ISO 8601, UTC, fixed width) its value last changed.
    public var changedAt: [String: String]

    public init(source: String, sourceKey: String, attributes: Attributes, changedAt: [String: String] = [:]) {
        self.source = source
        self.sourceKey = sourceKey
        self.attributes = attributes
        self.changedAt = changedAt
    }

    enum CodingKeys: String, CodingKey {
        case source, sourceKey = "source_key", attributes, changedAt = "changed_at"
    }

    /// This contribution after the source sent `attributes` again at `instant`: the new values laid
    /// over the old (a null clears one), each changed attribute stamped with `instant`.
    public func updated(with attributes: Attributes, at instant: String) -> SourceContribution {
        var next = self
        next.attributes = self.attributes.overlaid(with: attributes)
        for name in Set(next.attributes.keys).union(self.attributes.keys) where next.attributes[name] != self.attributes[name] {
            if next.attributes[name] == nil { next.changedAt[name] = nil } else { next.changedAt[name] = instant }
        }
        return next
    }
}

/// A value a steward typed: it wins over every source until a steward changes it again.
public struct StewardValue: Sendable, Hashable, Codable {
    /// Null when the steward cleared the attribute.
    public var value: JSONValue
    public var steward: String
    public var at: String

    public init(value: JSONValue, steward: String, at: String) {
        self.value = value
        self.steward = steward
        self.at = at
    }
}

/// Where a golden value came from: the source key that gave it and the strategy that chose it,
/// or the steward who typed it.
public struct Lineage: Sendable, Hashable, Codable {
    public var source: String?
    public var sourceKey: String?
    public var steward: String?
    /// `trust`, `most_recent`, `most_complete`, `longest`, `source_order`, or `steward`.
    public var strategy: String

    public init(source: String? = nil, sourceKey: String? = nil, steward: String? = nil, strategy: String) {
        self.source = source
        self.sourceKey = sourceKey
        self.steward = steward
        self.strategy = strategy
    }

    enum CodingKeys: String, CodingKey { case source, sourceKey = "source_key", steward, strategy }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encodeIfPresent(sourceKey, forKey: .sourceKey)
        try c.encodeIfPresent(steward, forKey: .steward)
        try c.encode(strategy, forKey: .strategy)
    }
}

/// Computes a golden record's attributes from its sources' contributions and its stewards'
/// values, with the lineage of each.
public enum Survivorship {
    public struct Result: Sendable, Hashable {
        public var attributes: Attributes
        public var lineage: [String: Lineage]

        public init(attributes: Attributes = [:], lineage: [String: Lineage] = [:]) {
            self.attributes = attributes
            self.lineage = lineage
        }
    }

    /// Every attribute any contribution or steward value has, chosen by its strategy. Ties fall to
    /// the more recent value, then to the source and key in name order, so the same inputs always
    /// give the same golden record.
    public static func golden(_ contributions: [SourceContribution], stewardValues: [String: StewardValue] = [:],
                              rules: SurvivorshipRules, trust: [String: Int]) -> Result {
        var attributes = Attributes()
        var lineage = [String: Lineage]()
        let names = Set(contributions.flatMap(\.attributes.keys)).union(stewardValues.keys)
        let filled = contributions.map { $0.attributes.values.filter { !$0.isNull }.count }
        for name in names {
            if let typed = stewardValues[name] {
                if !typed.value.isNull { attributes[name] = typed.value }
                lineage[name] = Lineage(steward: typed.steward, strategy: "steward")
                continue
            }
            let strategy = rules.strategy(for: name)
            let holders = contributions.indices.filter { contributions[$0].attributes[name].map { !$0.isNull } ?? false }
            guard let chosen = best(holders, of: name, in: contributions, filled: filled, strategy: strategy, trust: trust) else { continue }
            let contribution = contributions[chosen]
            attributes[name] = contribution.attributes[name]
            lineage[name] = Lineage(source: contribution.source, sourceKey: contribution.sourceKey, strategy: strategy.name)
        }
        return Result(attributes: attributes, lineage: lineage)
    }

    /// The index of the contribution whose value of `name` survives.
    static func best(_ holders: [Int], of name: String, in contributions: [SourceContribution], filled: [Int],
                     strategy: SurvivalStrategy, trust: [String: Int]) -> Int? {
        func recency(_ index: Int) -> String { contributions[index].changedAt[name] ?? "" }
        func tieBreak(_ a: Int, _ b: Int) -> Bool {
            if recency(a) != recency(b) { return recency(a) > recency(b) }
            let (x, y) = (contributions[a], contributions[b])
            return (x.source, x.sourceKey) < (y.source, y.sourceKey)
        }
        func rank(_ key: @escaping (Int) -> Int) -> (Int, Int) -> Bool {
            { a, b in key(a) != key(b) ? key(a) > key(b) : tieBreak(a, b) }
        }
        let before: (Int, Int) -> Bool = switch strategy {
        case .mostRecent: tieBreak
        case .trust: rank { trust[contributions[$0].source] ?? 0 }
        case .mostComplete: rank { filled[$0] }
        case .longest: rank { contributions[$0].attributes[name].map { $0.displayText.count } ?? 0 }
        case .sourceOrder(let order): rank { index in
            order.firstIndex(of: contributions[index].source).map { order.count - $0 } ?? 0
        }
        }
        return holders.min(by: before)
    }
}

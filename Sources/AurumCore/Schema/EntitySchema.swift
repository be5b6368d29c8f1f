/// Everything the rules say about one entity type (item, supplier, ...).
public struct EntitySchema: Sendable {
    public var name: String
    public var description: String?
    /// Attributes in the order the rules file declares them.
    public var attributes: [AttributeSpec]
    public var rules: [CrossFieldRule]
    /// How duplicates of this entity are found; nil when the rules say nothing about matching.
    public var match: MatchRules?
    /// How each golden value is chosen among the record's sources.
    public var survive: SurvivorshipRules
    /// The approval gates of its changes (`approve:`), in the rules' order; empty: one steward.
    public var gates: [ApprovalGate]

    public init(name: String, description: String? = nil, attributes: [AttributeSpec], rules: [CrossFieldRule] = [], match: MatchRules? = nil,
                survive: SurvivorshipRules = SurvivorshipRules(), gates: [ApprovalGate] = []) {
        self.name = name
        self.description = description
        self.attributes = attributes
        self.rules = rules
        self.match = match
        self.survive = survive
        self.gates = gates
    }

    /// The attribute called `name`, if the entity has one.
    public func attribute(_ name: String) -> AttributeSpec? {
        attributes.first { $0.name == name }
    }
}

/// A source system that pushes candidates (PLM, procurement, a supplier portal).
public struct SourceSystem: Sendable, Hashable {
    public var name: String
    /// Higher wins when survivorship compares sources.
    public var trust: Int
    /// The entities this source may submit; empty means all.
    public var entities: [String]
    public var description: String?

    public init(name: String, trust: Int, entities: [String] = [], description: String? = nil) {
        self.name = name
        self.trust = trust
        self.entities = entities
        self.description = description
    }

    /// Whether this source may submit candidates for `entity`.
    public func submits(_ entity: String) -> Bool { entities.isEmpty || entities.contains(entity) }
}

/// A whole, checked rule set: the entities, the sources, and the version that identifies it.
public struct RuleSet: Sendable {
    public var entities: [String: EntitySchema]
    public var sources: [String: SourceSystem]
    /// The hash of the rules tree that produced this set; every verdict records it.
    public var version: String
    /// How golden records map to Odoo (`consumers/odoo.yaml`), when the rules have it.
    public var odoo: OdooMapping?
    /// The webhook endpoints of `consumers/webhooks.yaml`.
    public var webhooks: [WebhookEndpoint] = []

    public init(entities: [String: EntitySchema], sources: [String: SourceSystem], version: String, odoo: OdooMapping? = nil) {
        self.entities = entities
        self.sources = sources
        self.version = version
        self.odoo = odoo
    }

    /// Per entity, the attributes that reference another golden record.
    public var references: [String: [String]] {
        entities.compactMapValues { schema in
            let names = schema.attributes.filter { $0.type == .reference }.map(\.name)
            return names.isEmpty ? nil : names
        }
    }

    /// Each source's trust, for survivorship.
    public var trust: [String: Int] { sources.mapValues(\.trust) }
}

/// What a token lets its holder do.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// An upstream integration: submits candidates for its entities.
    case source
    /// A data steward: works the queue, approves and rejects changes in its entities.
    case steward
    /// A downstream system: reads golden records of its entities.
    case consumer
    /// Everything, though still bound by four-eyes.
    case admin
}

/// Something a caller wants to do, checked against its role and entities.
public enum Permission: Sendable, Hashable {
    /// Submit candidates of `entity` that speak for `source`.
    case submit(entity: String, source: String)
    case review(entity: String)
    case decide(entity: String)
    case read(entity: String)
}

/// The authenticated caller: one token, one actor (a person or an integration, never shared).
public struct Principal: Sendable, Hashable {
    public var tokenID: Int64
    /// The token's name, used as the actor in audit entries and four-eyes checks.
    public var name: String
    public var role: Role
    /// The entities this caller may act on; empty means all.
    public var entities: [String]
    /// For a source token, the source systems it speaks for (`rules/aurum.yaml`); a candidate
    /// naming any other source is refused. Empty for the other roles.
    public var sources: [String]
    /// For a steward or admin, the groups whose approval gates they approve at (`approve:`).
    public var groups: [String]

    public init(tokenID: Int64, name: String, role: Role, entities: [String] = [], sources: [String] = [], groups: [String] = []) {
        self.tokenID = tokenID
        self.name = name
        self.role = role
        self.entities = entities
        self.sources = sources
        self.groups = groups
    }

    /// The caller as approval gates see them.
    public var approver: Approver { Approver(name: name, role: role, groups: Set(groups)) }

    /// Whether the caller may do `permission`.
    public func may(_ permission: Permission) -> Bool {
        if case .submit(_, let source) = permission, role == .source, !sources.contains(source) { return false }
        let (allowed, entity): (Set<Role>, String) = switch permission {
        case .submit(let e, _): ([.source, .admin], e)
        case .review(let e): ([.steward, .admin], e)
        case .decide(let e): ([.steward, .admin], e)
        case .read(let e): ([.steward, .consumer, .admin], e)
        }
        return allowed.contains(role) && covers(entity)
    }

    /// Whether `entity` is within the caller's entities.
    public func covers(_ entity: String) -> Bool { entities.isEmpty || entities.contains(entity) }

    /// The entities of `all` (the rules' entities) for which the caller may do `permission`,
    /// listed: the one scope every route reads with. An empty answer means none, never all.
    public func scope(_ all: some Collection<String>, _ permission: (String) -> Permission) -> [String] {
        all.sorted().filter { may(permission($0)) }
    }
}

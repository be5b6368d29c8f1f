/// A consumer as operators see it: what the rules configure, whether it is enabled, and what
/// waits for it.
public struct ConsumerView: Sendable, Hashable, Codable {
    public var name: String
    public var kind: ConsumerRegistration.Kind
    /// The entities it is told of; empty: all.
    public var entities: [String]
    public var latestOnly: Bool
    public var enabled: Bool
    /// Why it is disabled (an operator's reason, or the endpoint's 410), while it is.
    public var disabledReason: String?
    public var disabledBy: String?
    public var disabledAt: String?
    /// Deliveries not finished yet (waiting, failing or in flight), and those given up.
    public var waiting: Int
    public var dead: Int

    public init(name: String, kind: ConsumerRegistration.Kind, entities: [String], latestOnly: Bool, enabled: Bool, disabledReason: String?,
                disabledBy: String?, disabledAt: String?, waiting: Int, dead: Int) {
        self.name = name; self.kind = kind; self.entities = entities; self.latestOnly = latestOnly; self.enabled = enabled
        self.disabledReason = disabledReason; self.disabledBy = disabledBy; self.disabledAt = disabledAt; self.waiting = waiting; self.dead = dead
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, entities, latestOnly = "latest_only", enabled, disabledReason = "disabled_reason", disabledBy = "disabled_by"
        case disabledAt = "disabled_at", waiting, dead
    }
}

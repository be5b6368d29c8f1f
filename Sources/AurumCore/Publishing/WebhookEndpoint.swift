/// A webhook endpoint of `rules/consumers/webhooks.yaml`: where released versions of its entities
/// are posted, signed with the secret an environment variable holds.
public struct WebhookEndpoint: Sendable, Hashable {
    public var name: String
    public var url: String
    /// Empty: every entity.
    public var entities: [String]
    /// The environment variable holding the `whsec_…` secret (never the secret itself).
    public var secretVariable: String
    /// Seconds to wait for an answer.
    public var timeout: Double
    /// The groups the endpoint stands for: it gets a sensitive attribute in clear when the rules
    /// name one of them under `clear_for`, masked otherwise.
    public var groups: [String] = []

    /// What entitles the endpoint to sensitive values.
    public var entitlement: Entitlement { Entitlement(role: .consumer, groups: Set(groups)) }

    public init(name: String, url: String, entities: [String] = [], secretVariable: String, timeout: Double = 15) {
        self.name = name; self.url = url; self.entities = entities; self.secretVariable = secretVariable; self.timeout = timeout
    }
}

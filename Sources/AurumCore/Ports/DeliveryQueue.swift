/// A consumer of released versions, as the publishing workers register it.
public struct ConsumerRegistration: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable { case odoo, webhook }
    public var name: String
    public var kind: Kind
    /// The entities it is told of; empty: all.
    public var entities: [String]
    /// Only the latest undelivered version of a record is sent (older ones skipped, saying so).
    public var latestOnly: Bool

    public init(name: String, kind: Kind, entities: [String] = [], latestOnly: Bool = false) {
        self.name = name; self.kind = kind; self.entities = entities; self.latestOnly = latestOnly
    }
}

extension ConsumerRegistration {
    /// Odoo, told of the entities its mapping publishes, latest version only.
    public static func odoo(_ mapping: OdooMapping) -> ConsumerRegistration {
        ConsumerRegistration(name: "odoo", kind: .odoo, entities: mapping.order, latestOnly: true)
    }

    /// A webhook endpoint, named `webhook:<name>`, told of every version in order.
    public static func webhook(_ endpoint: WebhookEndpoint) -> ConsumerRegistration {
        ConsumerRegistration(name: "webhook:\(endpoint.name)", kind: .webhook, entities: endpoint.entities)
    }
}

extension RuleSet {
    /// The consumers the rules configure (rules/consumers/odoo.yaml and webhooks.yaml): the same
    /// for every process, whatever settings or secrets it has.
    public var consumers: [ConsumerRegistration] {
        (odoo.map { [ConsumerRegistration.odoo($0)] } ?? []) + webhooks.map(ConsumerRegistration.webhook)
    }
}

/// One delivery a worker claimed: the version to send, as its event, and the fencing token of
/// the claim, without which it can be neither renewed nor finished.
public struct DeliveryJob: Sendable, Hashable {
    public var id: Int64
    public var consumer: String
    /// Attempts so far, this one included.
    public var attempts: Int
    public var event: ChangeEvent
    /// Given by the claim; a later claim of the same delivery gets another.
    public var leaseToken: Int64

    public init(id: Int64, consumer: String, attempts: Int, event: ChangeEvent, leaseToken: Int64) {
        self.id = id; self.consumer = consumer; self.attempts = attempts; self.event = event; self.leaseToken = leaseToken
    }
}

/// The outbox the publishing workers work from; implemented on PostgreSQL by AurumStore.
public protocol DeliveryQueue: Sendable {
    /// Declares the consumers the rules configure: new ones are added, enabled; known ones keep
    /// whether they are enabled (only an operator or a 410 changes that). Nothing is disabled
    /// for lacking here: every process declares what the shared rules say.
    func declare(_ consumers: [ConsumerRegistration]) async throws
    /// Claims up to `limit` due deliveries of `consumer` for `lease` seconds: per record only the
    /// next in version order (for a latest-only consumer, the latest), none of a record another
    /// worker holds, and none whose referenced records (`references`: entity → attributes) still
    /// wait for this consumer.
    func claim(consumer: String, worker: String, limit: Int, lease: Double, references: [String: [String]]) async throws -> [DeliveryJob]
    /// Extends the lease of `jobs` by `lease` seconds from now; returns the ids still held (a
    /// delivery claimed again by another worker since is not).
    func renew(_ jobs: [DeliveryJob], lease: Double) async throws -> Set<Int64>
    /// Records what the consumer answered, for a claim's deliveries at once; a delivery whose
    /// claim was superseded meanwhile (another fencing token) is left as it is.
    func finish(_ answers: [(job: DeliveryJob, outcome: DeliveryOutcome)], worker: String, policy: DeliveryBackOff) async throws
    /// The consumers currently enabled.
    func enabledConsumers() async throws -> [String]
}

extension DeliveryQueue {
    /// Records what the consumer answered to one delivery.
    public func finish(_ job: DeliveryJob, worker: String, outcome: DeliveryOutcome, policy: DeliveryBackOff) async throws {
        try await finish([(job, outcome)], worker: worker, policy: policy)
    }
}

/// A page of the change feed.
public struct ChangePage: Sendable, Hashable, Codable {
    public var items: [ChangeEvent]
    /// The position to ask after next: the last item's, or the one asked after when there was none.
    public var nextCursor: Int64
    public var hasMore: Bool

    public init(items: [ChangeEvent], nextCursor: Int64, hasMore: Bool) {
        self.items = items; self.nextCursor = nextCursor; self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor", hasMore = "has_more" }
}

/// One delivery as operators see it.
public struct DeliveryView: Sendable, Hashable, Codable {
    public var id: Int64
    public var consumer: String
    public var eventID: String
    public var entity: String
    public var recordID: Int64
    public var version: Int
    public var position: Int64
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: String?
    public var lastError: String?
    public var note: String?
    public var createdAt: String
    public var finishedAt: String?

    public init(id: Int64, consumer: String, eventID: String, entity: String, recordID: Int64, version: Int, position: Int64, state: DeliveryState,
                attempts: Int, nextAttemptAt: String?, lastError: String?, note: String?, createdAt: String, finishedAt: String?) {
        self.id = id; self.consumer = consumer; self.eventID = eventID; self.entity = entity; self.recordID = recordID
        self.version = version; self.position = position; self.state = state; self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt; self.lastError = lastError; self.note = note; self.createdAt = createdAt; self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, consumer, eventID = "event_id", entity, recordID = "record_id", version, position, state, attempts
        case nextAttemptAt = "next_attempt_at", lastError = "last_error", note, createdAt = "created_at", finishedAt = "finished_at"
    }
}

extension ChangePage {
    /// The page as a JSON value, for the direct writer.
    public var jsonValue: JSONValue {
        .object(["items": .array(items.map(\.jsonValue)), "next_cursor": .number(Double(nextCursor)), "has_more": .bool(hasMore)])
    }
}

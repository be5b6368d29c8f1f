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

/// One delivery a worker claimed: the version to send, as its event.
public struct DeliveryJob: Sendable, Hashable {
    public var id: Int64
    public var consumer: String
    /// Attempts so far, this one included.
    public var attempts: Int
    public var event: ChangeEvent

    public init(id: Int64, consumer: String, attempts: Int, event: ChangeEvent) {
        self.id = id; self.consumer = consumer; self.attempts = attempts; self.event = event
    }
}

/// The outbox the publishing workers work from; implemented on PostgreSQL by AurumStore.
public protocol DeliveryQueue: Sendable {
    /// Makes `consumers` the enabled consumers of their kinds (others of those kinds are disabled);
    /// a consumer disabled by a 410 stays disabled until it is registered with a new URL.
    func register(_ consumers: [ConsumerRegistration], kinds: Set<ConsumerRegistration.Kind>) async throws
    /// Claims up to `limit` due deliveries of `consumer` for `lease` seconds: per record only the
    /// next in version order (for a latest-only consumer, the latest), none of a record another
    /// worker holds, and none whose referenced records (`references`: entity → attributes) still
    /// wait for this consumer.
    func claim(consumer: String, worker: String, limit: Int, lease: Double, references: [String: [String]]) async throws -> [DeliveryJob]
    /// Records what the consumer answered, for a claim's deliveries at once; a delivery whose
    /// lease was lost meanwhile is left as it is.
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

/// A golden record's history as a steward reads it: every version and every decision on its
/// change requests, with who acted, when and why, in the order they happened.
public struct HistoryView: Sendable, Hashable, Codable {
    public var id: Int64
    public var entity: String
    public var events: [Event]
    /// Whether earlier events were left out: a history lists the newest `HistoryView.limit`.
    public var truncated: Bool

    /// The most events a history lists.
    public static let limit = 1_000

    public init(id: Int64, entity: String, events: [Event], truncated: Bool = false) {
        self.id = id; self.entity = entity; self.events = events; self.truncated = truncated
    }

    /// One audit entry about the record or one of its change requests.
    public struct Event: Sendable, Hashable, Codable {
        public var at: String
        public var actor: String
        /// `change_request.opened`, `change_request.approved`, `record.released`, `record.blocked`, …
        public var action: String
        public var changeRequestID: Int64?
        public var version: Int?
        /// The reason or comment given.
        public var reason: String?
        /// The gate an approval counted at, or that released the change.
        public var gate: String?
        /// For a state change: the state before and after.
        public var state: StateChange?

        public init(at: String, actor: String, action: String, changeRequestID: Int64? = nil, version: Int? = nil, reason: String? = nil,
                    gate: String? = nil, state: StateChange? = nil) {
            self.at = at; self.actor = actor; self.action = action; self.changeRequestID = changeRequestID
            self.version = version; self.reason = reason; self.gate = gate; self.state = state
        }

        enum CodingKeys: String, CodingKey {
            case at, actor, action, changeRequestID = "change_request_id", version, reason, gate, state
        }
    }

    public struct StateChange: Sendable, Hashable, Codable {
        public var from: String
        public var to: String
        public init(from: String, to: String) { self.from = from; self.to = to }
    }
}

/// What waits and what went wrong, per entity: the status board of `aurum status`.
public struct StatusBoard: Sendable, Hashable, Codable {
    public var generatedAt: String
    public var entities: [Entity]
    /// Deliveries of these entities' releases, per consumer.
    public var consumers: [Consumer]
    /// The change feed's newest position (every entity's).
    public var feedPosition: Int64

    public init(generatedAt: String, entities: [Entity], consumers: [Consumer] = [], feedPosition: Int64 = 0) {
        self.generatedAt = generatedAt; self.entities = entities; self.consumers = consumers; self.feedPosition = feedPosition
    }

    enum CodingKeys: String, CodingKey { case generatedAt = "generated_at", entities, consumers, feedPosition = "feed_position" }

    /// A consumer's deliveries not done yet (pending, failed, in flight) and given up, with the
    /// oldest waiting one's release time and the latest error seen.
    public struct Consumer: Sendable, Hashable, Codable {
        public var consumer: String
        public var pending: Int
        public var dead: Int
        public var oldestPendingAt: String?
        public var lastError: String?

        public init(consumer: String, pending: Int = 0, dead: Int = 0, oldestPendingAt: String? = nil, lastError: String? = nil) {
            self.consumer = consumer; self.pending = pending; self.dead = dead; self.oldestPendingAt = oldestPendingAt; self.lastError = lastError
        }

        enum CodingKeys: String, CodingKey { case consumer, pending, dead, oldestPendingAt = "oldest_pending_at", lastError = "last_error" }
    }

    /// Open change requests counted by how long they have waited.
    public struct Ages: Sendable, Hashable, Codable {
        public var underOneDay = 0
        public var oneToSevenDays = 0
        public var overSevenDays = 0

        public init(underOneDay: Int = 0, oneToSevenDays: Int = 0, overSevenDays: Int = 0) {
            self.underOneDay = underOneDay; self.oneToSevenDays = oneToSevenDays; self.overSevenDays = overSevenDays
        }

        public var total: Int { underOneDay + oneToSevenDays + overSevenDays }

        /// Counts one that has waited `seconds`.
        public mutating func add(waited seconds: Double) {
            add(1, inBucket: seconds < 86_400 ? 0 : seconds < 7 * 86_400 ? 1 : 2)
        }

        /// Counts `count` of an age bucket: 0 under a day, 1 one to seven days, 2 over seven days.
        public mutating func add(_ count: Int, inBucket bucket: Int) {
            switch bucket {
            case 0: underOneDay += count
            case 1: oneToSevenDays += count
            default: overSevenDays += count
            }
        }

        enum CodingKeys: String, CodingKey { case underOneDay = "under_1d", oneToSevenDays = "1d_to_7d", overSevenDays = "over_7d" }
    }

    /// A gate's open change requests: those it waits on for approvals (pending) and those
    /// waiting for an earlier gate first.
    public struct Gate: Sendable, Hashable, Codable {
        public var gate: String
        public var pending: Ages
        public var waiting: Int
        public init(gate: String, pending: Ages = .init(), waiting: Int = 0) {
            self.gate = gate; self.pending = pending; self.waiting = waiting
        }
    }

    public struct Entity: Sendable, Hashable, Codable {
        public var entity: String
        public var open: Ages
        public var oldestOpenAt: String?
        public var gates: [Gate]
        /// Open change requests with a possible duplicate no steward has settled.
        public var possibleDuplicates: Int
        public var blocked: Int
        public var obsolete: Int
        public var rejectedLast24h: Int
        /// Deliveries to consumers not done yet (pending, failed, in flight), and given up.
        public var deliveriesPending: Int
        public var deliveriesDead: Int
        /// The latest error of a delivery not done yet (a consumer that is down says so here), with its consumer.
        public var lastDeliveryError: DeliveryError?

        public struct DeliveryError: Sendable, Hashable, Codable {
            public var consumer: String
            public var error: String
            /// When the outbox tries again.
            public var nextAttemptAt: String
            public init(consumer: String, error: String, nextAttemptAt: String) {
                self.consumer = consumer; self.error = error; self.nextAttemptAt = nextAttemptAt
            }
            enum CodingKeys: String, CodingKey { case consumer, error, nextAttemptAt = "next_attempt_at" }
        }

        public init(entity: String, open: Ages = .init(), oldestOpenAt: String? = nil, gates: [Gate] = [], possibleDuplicates: Int = 0,
                    blocked: Int = 0, obsolete: Int = 0, rejectedLast24h: Int = 0, deliveriesPending: Int = 0, deliveriesDead: Int = 0,
                    lastDeliveryError: DeliveryError? = nil) {
            self.entity = entity; self.open = open; self.oldestOpenAt = oldestOpenAt; self.gates = gates
            self.possibleDuplicates = possibleDuplicates; self.blocked = blocked; self.obsolete = obsolete; self.rejectedLast24h = rejectedLast24h
            self.deliveriesPending = deliveriesPending; self.deliveriesDead = deliveriesDead; self.lastDeliveryError = lastDeliveryError
        }

        enum CodingKeys: String, CodingKey {
            case entity, open, oldestOpenAt = "oldest_open_at", gates, possibleDuplicates = "possible_duplicates", blocked, obsolete
            case rejectedLast24h = "rejected_last_24h", deliveriesPending = "deliveries_pending", deliveriesDead = "deliveries_dead"
            case lastDeliveryError = "last_delivery_error"
        }
    }
}

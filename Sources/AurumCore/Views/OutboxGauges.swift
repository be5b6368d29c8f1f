/// What the outbox holds now, for `/metrics`: per consumer and state the deliveries, and how long
/// the oldest waiting one has waited; the change feed's last position.
public struct OutboxGauges: Sendable, Hashable {
    public struct Deliveries: Sendable, Hashable {
        public var consumer: String
        public var state: DeliveryState
        public var count: Int
        /// Seconds since the oldest of them was written.
        public var oldestAgeSeconds: Double
        public init(consumer: String, state: DeliveryState, count: Int, oldestAgeSeconds: Double) {
            self.consumer = consumer; self.state = state; self.count = count; self.oldestAgeSeconds = oldestAgeSeconds
        }
    }

    public var deliveries: [Deliveries]
    public var feedPosition: Int64

    public init(deliveries: [Deliveries] = [], feedPosition: Int64 = 0) {
        self.deliveries = deliveries
        self.feedPosition = feedPosition
    }
}

/// How much of its connection pool a process uses: its connections by PostgreSQL's state (spaces
/// and brackets as underscores: `idle_in_transaction`).
public struct DatabaseConnections: Sendable, Hashable {
    public var byState: [String: Int]

    public init(byState: [String: Int] = [:]) {
        self.byState = byState
    }

    /// PostgreSQL's states, as metric label values.
    public static let states = ["active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "fastpath_function_call", "disabled"]

    /// `idle in transaction (aborted)` as `idle_in_transaction_aborted`.
    public static func label(_ state: String) -> String {
        state.map { $0.isLetter ? String($0) : $0 == " " ? "_" : "" }.joined()
    }
}

/// The delivery lifecycle, the one authority over `delivery.state`: the store writes only the
/// states these transitions give and selects rows by the sets named here.
///
///     pending ──claim──▶ leased ──delivered──▶ delivered
///        ▲                 │  ├──retry───────▶ failed ──claim──▶ leased …
///        │                 │  ├──failed / gave up──▶ dead
///        │                 │  └──gone (410)──▶ pending, the consumer disabled
///        │                 └──lease ran out──▶ claimable again; the old holder's token is void
///        └──replay── delivered | dead | skipped | failed
///     pending | failed | dead ──a newer version delivered (latest-only)──▶ skipped
public enum DeliveryLifecycle {
    /// What a worker may claim: waiting deliveries, and leased ones whose lease ran out.
    public static let claimable: [DeliveryState] = [.pending, .failed, .leased]
    /// Not finished yet: a later version of the record waits for these (in-order consumers),
    /// a record waits for those of the records it references.
    public static let unfinished: [DeliveryState] = [.pending, .failed, .leased]
    /// What `aurum replay` sends again.
    public static let replayable: [DeliveryState] = [.delivered, .dead, .skipped, .failed]
    /// What a newer delivered version replaces, for a latest-only consumer.
    public static let skippable: [DeliveryState] = [.pending, .failed, .dead]

    /// The state a claim gives.
    public static let claimed = DeliveryState.leased
    /// The state a replay gives: waiting, with its attempts counted afresh.
    public static let replayed = DeliveryState.pending
    /// The state of an older version a newer delivered one replaced.
    public static let skipped = DeliveryState.skipped

    /// The SQL list of `states`, for a `WHERE … IN` that a partial index's predicate must match
    /// (a bound array would hide the states from the planner). The states are this enum's own
    /// constants, never a caller's value.
    public static func sqlList(_ states: [DeliveryState]) -> String {
        "(" + states.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }
}

/// The state a delivery moves to after `outcome`, its `attempts` counting this one.
public struct DeliveryTransition: Sendable, Hashable {
    public var state: DeliveryState
    /// Seconds until the next attempt, for a failed one.
    public var retryIn: Double?
    public var error: String?
    /// Whether the consumer is to be disabled (an endpoint answered 410).
    public var disablesConsumer: Bool

    public static func after(_ outcome: DeliveryOutcome, attempts: Int, policy: DeliveryBackOff, random: Double) -> DeliveryTransition {
        switch outcome {
        case .delivered:
            return DeliveryTransition(state: .delivered, retryIn: nil, error: nil, disablesConsumer: false)
        case .retry(let error, let retryAfter):
            guard attempts < policy.maxAttempts else {
                return DeliveryTransition(state: .dead, retryIn: nil, error: "\(error) (gave up after \(attempts) attempts)", disablesConsumer: false)
            }
            return DeliveryTransition(state: .failed, retryIn: policy.delay(afterAttempts: attempts, retryAfter: retryAfter, random: random),
                                      error: error, disablesConsumer: false)
        case .failed(let error):
            return DeliveryTransition(state: .dead, retryIn: nil, error: error, disablesConsumer: false)
        case .gone(let error):
            // Not the delivery's fault: it waits, and goes out once an operator enables the consumer.
            return DeliveryTransition(state: .pending, retryIn: 0, error: error, disablesConsumer: true)
        }
    }
}

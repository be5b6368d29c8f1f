import Synchronization

/// An HTTP answer as it is kept for an `Idempotency-Key`: replayed byte for byte.
public struct StoredResponse: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// A request sent with an `Idempotency-Key` (the IETF draft "The Idempotency-Key HTTP Header
/// Field"), while the work it asks for runs in this task.
///
/// The store claims the key at the start of the transaction that does the work and writes the
/// answer `render` makes of its result in that same transaction: committed together, so a crash
/// between the commit and the answer leaves the answer to replay, never a second piece of work.
public final class IdempotentCall: Sendable {
    /// The call in progress in this task, if the request carried a key.
    @TaskLocal public static var current: IdempotentCall?

    /// Whose key it is: keys are the caller's own (its token).
    public let scope: Int64
    public let key: String
    /// What the key was first used for (method, path and body), to refuse its reuse for another.
    public let fingerprint: String
    /// How long the answer is kept for replay.
    public let keptSeconds: Int
    private let render: @Sendable (any Sendable) -> StoredResponse?
    private let recorded = Mutex(false)

    /// `render` answers nil for a result that is not the call's (a transaction of other work).
    public init<Result: Sendable>(scope: Int64, key: String, fingerprint: String, keptSeconds: Int,
                                  render: @escaping @Sendable (Result) -> StoredResponse) {
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
        self.keptSeconds = keptSeconds
        self.render = { ($0 as? Result).map(render) }
    }

    /// The answer to keep for `result`, when it is the call's.
    public func response(for result: any Sendable) -> StoredResponse? { render(result) }

    /// Whether the answer is written already (the task's later transactions leave the key alone).
    public var isRecorded: Bool { recorded.withLock { $0 } }
    public func markRecorded() { recorded.withLock { $0 = true } }
}

/// The key was used before for the same request: its kept answer, to send again.
public struct IdempotentReplay: Error, Sendable {
    public let response: StoredResponse
    public init(response: StoredResponse) { self.response = response }
}

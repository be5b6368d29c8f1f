import NIOConcurrencyHelpers

/// Failures the double produces on command, for testing retries and error handling: the next
/// `times` requests whose path starts with `pathPrefix` fail this way, then it answers normally.
public final class FaultInjector: Sendable {
    public enum Kind: Sendable, Hashable, Codable {
        /// HTTP 500 with an HTML body, as a crashed worker answers.
        case internalError
        /// HTTP 429 with `Retry-After`.
        case rateLimited(retryAfter: Int)
        /// HTTP 503, as a proxy answers while Odoo restarts.
        case unavailable
        /// Waits before answering normally.
        case delay(milliseconds: Int)
        /// Closes the connection without a complete answer.
        case connectionReset
        /// Odoo's answer when its own retries of a serialization failure ran out.
        case serializationFailure
    }

    struct Pending: Sendable {
        var kind: Kind
        var pathPrefix: String
        var times: Int
    }

    private let pending = NIOLockedValueBox<[Pending]>([])
    private let served = NIOLockedValueBox<Int>(0)

    public init() {}

    /// Makes the next `times` matching requests fail with `kind`.
    public func inject(_ kind: Kind, times: Int = 1, pathPrefix: String = "/") {
        pending.withLockedValue { $0.append(Pending(kind: kind, pathPrefix: pathPrefix, times: times)) }
    }

    /// Drops every pending fault.
    public func clear() { pending.withLockedValue { $0.removeAll() } }

    /// How many faults were served so far.
    public var servedCount: Int { served.withLockedValue { $0 } }

    /// The fault for a request to `path`, if one is pending (and counts it served).
    func take(path: String) -> Kind? {
        let kind = pending.withLockedValue { list -> Kind? in
            guard let index = list.firstIndex(where: { path.hasPrefix($0.pathPrefix) }) else { return nil }
            let kind = list[index].kind
            list[index].times -= 1
            if list[index].times <= 0 { list.remove(at: index) }
            return kind
        }
        if kind != nil { served.withLockedValue { $0 += 1 } }
        return kind
    }
}

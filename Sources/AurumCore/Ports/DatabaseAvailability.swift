import Synchronization

/// Whether the database can be reached, as the process last saw it: the server refuses requests
/// at once with 503 while it is away, instead of letting each wait for a connection that will
/// not come, and `/readyz` says so. Set by whatever watches the database (`DatabaseWatch`); a
/// process without a watcher always counts it as reachable and relies on time limits alone.
public final class DatabaseAvailability: Sendable {
    private struct State {
        var away = false
        var reason = ""
        var stopping = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Why the database is away, while it is; nil while it is reachable.
    public var awayReason: String? { state.withLock { $0.away ? $0.reason : nil } }

    /// The database was seen reachable.
    public func reachable() { state.withLock { $0.away = false } }

    /// The database was seen away, for `reason`.
    public func away(_ reason: String) { state.withLock { $0.away = true; $0.reason = reason } }

    /// Whether the server is shutting down (readiness then answers 503, before anything stops).
    public var isStopping: Bool { state.withLock { $0.stopping } }

    /// The server begins to shut down.
    public func stopping() { state.withLock { $0.stopping = true } }
}

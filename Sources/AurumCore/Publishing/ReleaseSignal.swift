import Synchronization

/// Tells whoever waits that a release has committed: the publishing workers and the change feed's
/// long polls wait on it instead of looking again every few milliseconds. A waiter reads `rings`
/// before it looks for work and waits beyond that count, so a release that commits between its
/// look and its wait still wakes it. The signal only ever shortens a wait: a ring that never
/// comes (the notifications' connection lost) costs at most the wait's limit.
public final class ReleaseSignal: Sendable {
    private struct Waiters {
        var next = 0
        var rings: UInt64 = 0
        var continuations: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let waiters = Mutex(Waiters())

    public init() {}

    /// How many rings there have been.
    public var rings: UInt64 { waiters.withLock { $0.rings } }

    /// Wakes every waiter.
    public func ring() {
        let woken = waiters.withLock { state in
            state.rings += 1
            defer { state.continuations.removeAll() }
            return Array(state.continuations.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once there have been more than `seen` rings, after `limit`, or when the task is
    /// cancelled, whichever is first.
    public func wait(beyond seen: UInt64, upTo limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.ring(beyond: seen) }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    /// How many are waiting now (for tests that must ring only once a waiter is there).
    public var waiting: Int { waiters.withLock { $0.continuations.count } }

    private func ring(beyond seen: UInt64) async {
        let id = waiters.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = waiters.withLock { state in
                    if Task.isCancelled || state.rings > seen { return true }
                    state.continuations[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let continuation = waiters.withLock { $0.continuations.removeValue(forKey: id) }
            continuation?.resume()
        }
    }
}

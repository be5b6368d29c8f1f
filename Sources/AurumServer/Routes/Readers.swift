import AurumCore
import Logging
import Synchronization

/// Where the API's reads go: the change feed, record look-ups (`as_of` included), record search,
/// versions, history, the queue and the status board are read from a replica when the server has
/// any (`DATABASE_READ_URL`), in turn; everything that decides or writes stays on the primary.
///
/// A replica that cannot answer is not the caller's problem: the read is made on the primary. A
/// replica that answers an error of its own (down, cancelling the read for a conflict with
/// recovery) hands the read over at once; one that stops answering at all is found out by
/// `watch()` (a probe a second, each given a second), which sets it aside until it answers
/// again and hands over the reads it was holding. A replica lags: what it answers may be some
/// moments behind the primary. The change feed stays correct anyway, as a replica always holds a
/// prefix of the feed (positions are committed in order): a cursor ahead of it gets an empty
/// page, or, with `wait`, its answer once the replica has caught up.
public final class Readers: Sendable {
    public let primary: any StewardshipStore
    let replicas: [Replica]
    private let turn = Atomic<Int>(0)
    private let logger: Logger

    /// One replica's store and whether it answered the last probe.
    final class Replica: Sendable {
        let store: any StewardshipStore
        let name: String
        let answering = Atomic<Bool>(true)
        init(store: any StewardshipStore, name: String) { self.store = store; self.name = name }

        /// Returns when the replica is set aside (or the task is cancelled).
        func setAside() async {
            while answering.load(ordering: .relaxed), !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
        }
    }

    /// `replicas`: each replica's store with a name for the logs (its URL without the password).
    public init(primary: any StewardshipStore, replicas: [(store: any StewardshipStore, name: String)] = [],
                logger: Logger = Logger(label: "aurum.readers")) {
        self.primary = primary
        self.replicas = replicas.map { Replica(store: $0.store, name: $0.name) }
        self.logger = logger
    }

    /// Whether reads go to a replica.
    public var hasReplicas: Bool { !replicas.isEmpty }

    /// `body` on the next answering replica in turn, or on the primary when there is none or
    /// the replica cannot answer.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any StewardshipStore) async throws -> T) async throws -> T {
        let answering = replicas.filter { $0.answering.load(ordering: .relaxed) }
        guard !answering.isEmpty else { return try await body(primary) }
        let replica = answering[turn.wrappingAdd(1, ordering: .relaxed).oldValue % answering.count]
        do {
            let outcome = try await withThrowingTaskGroup(of: ReadOutcome<T>.self) { group in
                group.addTask { .answered(try await body(replica.store)) }
                group.addTask { await replica.setAside(); return .setAside }
                defer { group.cancelAll() }
                return try await group.next() ?? .setAside
            }
            if case .answered(let value) = outcome { return value }
            logger.warning("a replica stopped answering during a read; the primary answers it", metadata: ["aurum.replica": "\(replica.name)"])
        } catch {
            guard case .unavailable? = replica.store.storeError(for: error) else { throw error }
            logger.warning("a replica could not answer a read; the primary answers it",
                           metadata: ["aurum.replica": "\(replica.name)", "error": "\(String(reflecting: error))"])
        }
        return try await body(primary)
    }

    enum ReadOutcome<T: Sendable>: Sendable { case answered(T), setAside }

    /// Probes every replica each second until cancelled: one that does not answer within a
    /// second is set aside (its reads go to the primary) until it answers again.
    public func watch() async {
        guard !replicas.isEmpty else { return }
        while !Task.isCancelled {
            await withTaskGroup(of: Void.self) { group in
                for replica in replicas {
                    group.addTask { [logger] in
                        let answers = await answer(within: .seconds(1)) { await replica.store.isReady() } ?? false
                        let was = replica.answering.exchange(answers, ordering: .relaxed)
                        if was != answers {
                            if answers {
                                logger.info("a replica answers again; reads go to it", metadata: ["aurum.replica": "\(replica.name)"])
                            } else {
                                logger.warning("a replica does not answer; its reads go to the primary", metadata: ["aurum.replica": "\(replica.name)"])
                            }
                        }
                    }
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

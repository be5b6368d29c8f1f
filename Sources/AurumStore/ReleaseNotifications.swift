import AurumCore
import Logging
import PostgresNIO

/// The releases' NOTIFY (`aurum_release`, sent by the commit that gives a version its feed
/// position) turned into rings of a `ReleaseSignal`.
public enum ReleaseNotifications {
    /// Listens on one connection of `client` and rings `signal` at every release, until the task is
    /// cancelled. A lost connection is listened on again, longer after each failure; each new
    /// listen rings once, for what was released while nobody listened.
    public static func relay(from client: PostgresClient, to signal: ReleaseSignal, logger: Logger) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: "aurum_release") { notifications in
                        failures = 0
                        signal.ring()
                        for try await _ in notifications { signal.ring() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("cannot listen for releases; publishing and long polls look every few hundred ms meanwhile",
                               metadata: ["aurum.error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(min(200 * (1 << min(failures, 6)), 10_000)))
        }
    }
}

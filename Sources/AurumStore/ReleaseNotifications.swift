import AurumCore
import Logging
import NIOPosix
import PostgresNIO

/// The database's release notifications (`NOTIFY aurum_release`, sent by the commit that gives a
/// version its feed position), relayed into a `ReleaseSignal`; and, from the same connection,
/// whether the database can be reached at all.
public enum ReleaseNotifications {
    /// Listens on a connection of its own (not one of the pool's, which waits for as long as the
    /// database is away) and rings `signal` at every release, until the task is cancelled. When
    /// the connection is lost, `availability` says the database is away, and a new connection is
    /// tried every `retry` until one succeeds; each new listen rings once, for what was released
    /// while nobody listened.
    public static func relay(settings: DatabaseSettings, to signal: ReleaseSignal, availability: DatabaseAvailability,
                             retry: Duration = .milliseconds(500), logger: Logger) async {
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try settings.connectionConfiguration(connectTimeout: .seconds(2)),
                    id: 0, logger: logger).get()
                do {
                    try await connection.listen(on: "aurum_release") { notifications in
                        availability.reachable()
                        signal.ring()
                        for try await _ in notifications { signal.ring() }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                if availability.awayReason == nil {
                    logger.warning("the database cannot be reached; requests get 503 until it answers again",
                                   metadata: ["aurum.error": "\(String(describing: error).prefix(300))"])
                }
                availability.away("the database cannot be reached")
            }
            try? await Task.sleep(for: retry)
        }
    }
}

extension DatabaseSettings {
    /// The settings of one connection made outside the pool.
    func connectionConfiguration(connectTimeout: TimeAmount) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database,
                                                             tls: try connectionTLS())
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }
}

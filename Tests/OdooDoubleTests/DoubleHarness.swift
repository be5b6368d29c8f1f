import AurumPublish
import Hummingbird
import HummingbirdTesting
import Logging
import AurumTestSupport
import OdooDouble

/// Runs a fresh double of `version` on a free port for the duration of `body`.
enum DoubleHarness {
    static let apiKey = "test-admin-key"

    static func with<T: Sendable>(_ version: OdooVersion, protocolChoice: OdooSettings.ProtocolChoice = .auto,
                                  _ body: @Sendable @escaping (OdooDoubleServer, OdooSettings) async throws -> T) async throws -> T {
        let server = OdooDoubleServer(.init(version: version, database: "aurum_test", apiKey: apiKey))
        return try await LiveServer.with(server.router()) { port in
            let settings = OdooSettings(url: "http://\(LiveServer.host):\(port)", database: "aurum_test", login: "admin", secret: apiKey,
                                        protocolChoice: protocolChoice, timeout: .seconds(5), retry: RetryPolicy(attempts: 4, baseDelay: 0.01, maxDelay: 0.05))
            return try await body(server, settings)
        }
    }
}

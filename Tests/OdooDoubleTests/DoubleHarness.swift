import AurumPublish
import Hummingbird
import HummingbirdTesting
import Logging
import OdooDouble

/// Runs a fresh double of `version` on a free port for the duration of `body`.
enum DoubleHarness {
    static let apiKey = "test-admin-key"

    static func with<T: Sendable>(_ version: OdooVersion, protocolChoice: OdooSettings.ProtocolChoice = .auto,
                                  _ body: @Sendable @escaping (OdooDoubleServer, OdooSettings) async throws -> T) async throws -> T {
        let server = OdooDoubleServer(.init(version: version, database: "aurum_test", apiKey: apiKey))
        let app = Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              logger: Logger(label: "odoo-double-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await app.test(.live) { client in
            let settings = OdooSettings(url: "http://127.0.0.1:\(client.port!)", database: "aurum_test", login: "admin", secret: apiKey,
                                        protocolChoice: protocolChoice, timeout: .seconds(5), retry: RetryPolicy(attempts: 4, baseDelay: 0.01, maxDelay: 0.05))
            return try await body(server, settings)
        }
    }
}

import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// A real HTTP server on 127.0.0.1 and a free port, for tests whose clients dial that address.
///
/// HummingbirdTesting's `.live` binds `localhost`, which resolves to `::1` first on a machine whose
/// /etc/hosts maps both; a client dialling 127.0.0.1 is then refused. Binding the address the
/// client uses keeps the tests independent of /etc/hosts.
public enum LiveServer {
    public static let host = "127.0.0.1"

    /// Runs `router` for the duration of `body`, which gets the port; shuts the server down after.
    public static func with<Builder: HTTPResponderBuilder, T: Sendable>(
        _ router: Builder, server: HTTPServerBuilder = .http1(), _ body: @Sendable (_ port: Int) async throws -> T
    ) async throws -> T where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "aurum.test.server")
        logger.logLevel = .critical
        let app = Application(router: router, server: server, configuration: .init(address: .hostname(host, port: 0)),
                              onServerRunning: { channel in
                                  if let port = channel.localAddress?.port { portContinuation.yield(port) }
                                  portContinuation.finish()
                              }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
                try await services.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.waitForAll()
                throw LiveServerError.didNotStart
            }
            do {
                let value = try await body(port)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return value
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

/// The test server stopped before it listened.
public struct LiveServerError: Error, CustomStringConvertible {
    static let didNotStart = LiveServerError()
    public var description: String { "the test server stopped before it listened on \(LiveServer.host)" }
}

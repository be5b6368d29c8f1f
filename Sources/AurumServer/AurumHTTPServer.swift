import AurumCore
import Hummingbird
import HummingbirdCore
import Logging

/// Request limits the API enforces before doing any work.
public struct ServerLimits: Sendable {
    /// The largest request body accepted; larger ones get 413 before parsing.
    public var maxBodyBytes: Int = 1 << 20
    /// The most candidates in one batch.
    public var maxBatch: Int = 1000
    /// How long a request may take before it is answered 503 (a database that does not answer);
    /// the change feed's long polls get their wait on top.
    public var requestTimeLimit: Duration = .seconds(30)
    /// How long the answer to a request with an `Idempotency-Key` is kept for replay
    /// (`AURUM_IDEMPOTENCY_KEEP`, default 24 hours).
    public var idempotencyKeptSeconds: Int = 86_400
    /// How long a status-page session lasts after signing in (8 hours); it ends sooner when its
    /// token is revoked or expires.
    public var sessionSeconds: Int = 8 * 3_600
    public init() {}
}

/// Builds Aurum's HTTP application: routes, authentication and problem+json errors.
public enum AurumHTTPServer {
    /// The router with every route; tests drive it without a socket. `releases` is rung at each
    /// committed release (see `ReleaseNotifications`), ending the change feed's long polls early.
    /// `availability` says whether the database can be reached (see `DatabaseGuard`).
    public static func router(store: any StewardshipStore, rules: RuleSet, limits: ServerLimits = .init(),
                              releases: ReleaseSignal = ReleaseSignal(),
                              availability: DatabaseAvailability = DatabaseAvailability(),
                              metrics: AurumMetrics = AurumMetrics(),
                              description: APIDescription? = nil, readers: Readers? = nil) -> Router<AurumRequestContext> {
        let router = Router(context: AurumRequestContext.self)
        let readers = readers ?? Readers(primary: store)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: TraceMiddleware())
        router.add(middleware: ProblemMiddleware(store: store))
        router.get("livez") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("readyz") { _, _ in
            try await ready(store: store, availability: availability)
        }
        // The OpenAPI 3.1 description of these routes (docs/openapi.yaml), as YAML and as JSON.
        router.get("openapi.yaml") { _, _ in try APIDescription.answer(description?.yaml, contentType: "application/yaml") }
        router.get("openapi.json") { _, _ in try APIDescription.answer(description?.json, contentType: "application/json") }
        // Prometheus's scrape: counts and gauges, no record data, so no token (keep it on an internal network).
        router.get("metrics") { _, _ in
            let text = try await metrics.scrape(store: store, entities: rules.entities.keys.sorted())
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // The status board for people, as an HTML page with a sign-in form (no token in the browser).
        StatusPage(store: store, rules: rules, limits: limits, readers: readers).add(to: router)
        let v1 = router.group("v1")
            .add(middleware: DatabaseGuard(availability: availability, limits: limits))
            .add(middleware: TokenAuthenticator(store: store))
            .add(middleware: MaskingMiddleware(rules: rules))
            .add(middleware: IdempotencyMiddleware(limits: limits))
        CandidateRoutes(store: store, rules: rules, limits: limits, metrics: metrics).add(to: v1)
        ChangeRequestRoutes(store: store, rules: rules, metrics: metrics, readers: readers).add(to: v1)
        RecordRoutes(store: store, rules: rules, readers: readers).add(to: v1)
        ChangeFeedRoutes(readers: readers, rules: rules, releases: releases).add(to: v1)
        DeliveryRoutes(store: store, rules: rules).add(to: v1)
        ConsumerRoutes(store: store).add(to: v1)
        return router
    }

    /// 200 when the database answers within two seconds, else 503 at once.
    static func ready(store: any StewardshipStore, availability: DatabaseAvailability) async throws -> Response {
        var notReady = Problem(.serviceUnavailable, "not-ready", title: "Not ready", detail: "the database does not answer")
        notReady.headers[.retryAfter] = "2"
        if availability.isStopping {
            notReady.detail = "the server is shutting down; requests in flight finish, new ones go elsewhere"
            throw notReady
        }
        if let reason = availability.awayReason {
            notReady.detail = reason
            throw notReady
        }
        let answered = await answer(within: .seconds(2)) { await store.isReady() } ?? false
        guard answered else { throw notReady }
        return JSONBody.response(["status": "ready"])
    }

    /// HTTP/1.1 with Aurum's answer to requests HTTP cannot parse (problem+json, not a bare 400).
    public static var httpServer: HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [MalformedHTTP()]))
    }

    /// The application listening on `host:port`, ready to run in a service group.
    public static func application(store: any StewardshipStore, rules: RuleSet, host: String, port: Int,
                                   limits: ServerLimits = .init(), releases: ReleaseSignal = ReleaseSignal(),
                                   availability: DatabaseAvailability = DatabaseAvailability(), metrics: AurumMetrics = AurumMetrics(),
                                   description: APIDescription? = nil, readers: Readers? = nil, logger: Logger,
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(store: store, rules: rules, limits: limits, releases: releases, availability: availability, metrics: metrics,
                                   description: description, readers: readers),
                    server: httpServer,
                    configuration: .init(address: .hostname(host, port: port), serverName: "aurum"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }
}

/// The API's OpenAPI description, as the server answers it (`/openapi.yaml`, `/openapi.json`).
public struct APIDescription: Sendable {
    public let yaml: [UInt8]
    public let json: [UInt8]

    public init(yaml: [UInt8], json: [UInt8]) {
        self.yaml = yaml
        self.json = json
    }

    static func answer(_ bytes: [UInt8]?, contentType: String) throws -> Response {
        guard let bytes else {
            throw Problem(.notFound, "not-found", title: "Not found",
                          detail: "this server was started without its API description (docs/openapi.yaml beside it, or AURUM_OPENAPI)")
        }
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// How to reach one Odoo: read once from the environment or flags by the CLI, passed in.
public struct OdooSettings: Sendable, Hashable {
    /// Which protocol to speak: `auto` asks the server's version and takes JSON-2 from 19 on, XML-RPC before.
    public enum ProtocolChoice: String, Sendable, CaseIterable { case auto, json2, xmlrpc, jsonrpc }

    public var url: String
    public var database: String
    public var login: String
    /// The API key (or, over XML-RPC and JSON-RPC, a password).
    public var secret: String
    public var protocolChoice: ProtocolChoice
    /// Context sent with every call (`lang` for translated names); a call's own context wins.
    public var context: [String: OdooValue]
    /// The longest wait for one answer.
    public var timeout: TimeAmount
    public var retry: RetryPolicy

    public init(url: String, database: String, login: String, secret: String, protocolChoice: ProtocolChoice = .auto,
                context: [String: OdooValue] = [:], timeout: TimeAmount = .seconds(60), retry: RetryPolicy = .init()) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.database = database
        self.login = login
        self.secret = secret
        self.protocolChoice = protocolChoice
        self.context = context
        self.timeout = timeout
        self.retry = retry
    }
}

/// How often and how long to retry a transient failure: exponential back-off from `baseDelay`,
/// or the server's `Retry-After` when it gives one, never more than `maxDelay` a wait.
public struct RetryPolicy: Sendable, Hashable {
    public var attempts: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(attempts: Int = 4, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Seconds to wait before attempt `attempt + 1` after `failure`.
    public func delay(after attempt: Int, _ failure: OdooFailure) -> Double {
        min(maxDelay, failure.retryAfter ?? baseDelay * pow(2, Double(attempt - 1)))
    }
}

/// What `connect` learned about the server.
public struct OdooServerInfo: Sendable, Hashable {
    public var serverVersion: String
    /// The major version (16, 17, 18, 19, ...).
    public var major: Int
    public var protocolName: OdooProtocol
    public var uid: Int
}

/// A connection to one Odoo database: finds the version and protocol, signs in, and calls model
/// methods with retries of transient failures. Every failure is an `OdooFailure`.
public actor OdooClient {
    public let settings: OdooSettings
    private let http: HTTPClient
    private let logger: Logger
    private var session: OdooSession
    private var info: OdooServerInfo?
    private var requestID = 0
    /// Model calls sent (retries not counted), for benchmarks.
    public private(set) var calls = 0

    public init(settings: OdooSettings, http: HTTPClient = OdooClient.sharedHTTP, logger: Logger = Logger(label: "aurum.odoo")) {
        self.settings = settings
        self.http = http
        self.logger = logger
        session = OdooSession(database: settings.database, secret: settings.secret)
    }

    /// One HTTP client for the process, with a short connect timeout.
    public static let sharedHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Finds the server's version and protocol and signs in (once; later calls reuse it). Each
    /// step retries transient failures (a rate limit, a gateway error) as model calls do.
    @discardableResult
    public func connect() async throws(OdooFailure) -> OdooServerInfo {
        if let info { return info }
        let (version, major) = try await serverVersion()
        let wire: OdooProtocol = switch settings.protocolChoice {
        case .auto: major >= 19 ? .json2 : .xmlrpc
        case .json2: .json2
        case .xmlrpc: .xmlrpc
        case .jsonrpc: .jsonrpc
        }
        let uid: Int
        if wire == .json2 {
            let context = try await retrying("sign-in") { () throws(OdooFailure) in
                try await send(.json2, OdooProtocol.json2.request(OdooCall("res.users", "context_get"), session: session))
            }
            guard let id = context["uid"].int else { throw OdooFailure(kind: .authentication, message: "Odoo did not say who the API key belongs to") }
            uid = id
        } else {
            let request = wire == .xmlrpc
                ? OdooProtocol.WireRequest(path: "/xmlrpc/2/common", headers: ["Content-Type": "text/xml"],
                                           body: Data(XMLRPC.call("authenticate", [.string(settings.database), .string(settings.login), .string(settings.secret), [:]]).utf8))
                : OdooProtocol.jsonRPC(service: "common", method: "authenticate",
                                       args: [.string(settings.database), .string(settings.login), .string(settings.secret), [:]], id: nextID())
            guard let id = try await retrying("sign-in", { () throws(OdooFailure) in try await send(wire, request) }).int else {
                throw OdooFailure(kind: .authentication, message: "Odoo refused login \(settings.login) on database \(settings.database); check ODOO_LOGIN and ODOO_API_KEY")
            }
            uid = id
        }
        session.uid = uid
        let found = OdooServerInfo(serverVersion: version, major: major, protocolName: wire, uid: uid)
        info = found
        return found
    }

    /// Calls a model method, retrying transient failures as the policy allows.
    public func call(_ call: OdooCall) async throws(OdooFailure) -> OdooValue {
        let info = try await connect()
        var call = call
        call.context.merge(settings.context) { own, _ in own }
        let started = ContinuousClock.now
        calls += 1
        defer {
            let took = (ContinuousClock.now - started).components
            logger.trace("Odoo call", metadata: ["aurum.odoo.call": "\(call.model).\(call.method)",
                                                 "aurum.ms": "\((Double(took.seconds) * 1000 + Double(took.attoseconds) / 1e15).rounded())"])
        }
        return try await retrying("\(call.model).\(call.method)") { () throws(OdooFailure) in
            try await send(info.protocolName, info.protocolName.request(call, session: session, id: nextID()))
        }
    }

    /// Runs `body` again after transient failures, waiting as the policy (or `Retry-After`) says.
    func retrying<T>(_ what: String, _ body: () async throws(OdooFailure) -> T) async throws(OdooFailure) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch where error.isTransient && attempt < settings.retry.attempts {
                let delay = settings.retry.delay(after: attempt, error)
                logger.warning("Odoo call failed, retrying", metadata: ["aurum.odoo.call": "\(what)", "aurum.attempt": "\(attempt)",
                                                                       "aurum.delay": "\(delay)", "aurum.failure": "\(error)"])
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            }
        }
    }

    /// The server's version: `GET /web/version` (19 and later), else XML-RPC `common.version()`.
    func serverVersion() async throws(OdooFailure) -> (String, Int) {
        let probe = try await retrying("GET /web/version") { () throws(OdooFailure) -> (Int, Data) in
            let (status, body, retryAfter) = try await exchange(method: .GET, path: "/web/version", headers: [:], body: nil)
            if [429, 502, 503, 504].contains(status) { throw OdooFailure.error(name: nil, message: nil, status: status, retryAfter: retryAfter) }
            return (status, body)
        }
        if probe.0 == 200, let value = try? OdooValue.json(probe.1), let major = value["version_info"].array?.first?.int {
            return (value["version"].string ?? "\(major).0", major)
        }
        let request = OdooProtocol.WireRequest(path: "/xmlrpc/2/common", headers: ["Content-Type": "text/xml"], body: Data(XMLRPC.call("version", []).utf8))
        let value = try await retrying("common.version") { () throws(OdooFailure) in try await send(.xmlrpc, request) }
        guard let major = value["server_version_info"].array?.first?.int else {
            throw OdooFailure(kind: .configuration, message: "\(settings.url) answered version() without server_version_info; is it an Odoo server?")
        }
        return (value["server_version"].string ?? "\(major)", major)
    }

    /// Sends one request and decodes the answer.
    func send(_ wire: OdooProtocol, _ request: OdooProtocol.WireRequest) async throws(OdooFailure) -> OdooValue {
        let (status, body, retryAfter) = try await exchange(method: .POST, path: request.path, headers: request.headers, body: request.body)
        return try wire.decode(status: status, body: body, retryAfter: retryAfter).get()
    }

    func exchange(method: HTTPMethod, path: String, headers: [String: String], body: Data?) async throws(OdooFailure) -> (Int, Data, Double?) {
        var request = HTTPClientRequest(url: settings.url + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        do {
            let response = try await http.execute(request, timeout: settings.timeout)
            let bytes = try await response.body.collect(upTo: 256 << 20)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
            return (Int(response.status.code), Data(buffer: bytes), retryAfter)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw OdooFailure(kind: .timeout, message: "no answer from \(settings.url)\(path) within the time limit (\(error))")
        } catch {
            throw OdooFailure(kind: .connection, message: "cannot reach Odoo at \(settings.url)\(path): \(error)")
        }
    }

    private func nextID() -> Int {
        requestID += 1
        return requestID
    }
}

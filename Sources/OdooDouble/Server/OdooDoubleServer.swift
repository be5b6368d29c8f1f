import AurumPublish
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore

/// The double as an HTTP server: `/xmlrpc/2/common`, `/xmlrpc/2/object`, `/jsonrpc` and, for
/// 19, `/web/version`, `/json/version` and `/json/2/<model>/<method>`, answering with Odoo's
/// statuses, content types and bodies. `/__double__/...` lets tests and the demo inject faults
/// and look at the state from outside the process.
public struct OdooDoubleServer: Sendable {
    public struct Configuration: Sendable {
        public var version: OdooVersion
        public var database: String
        public var login: String
        public var apiKey: String
        /// The administrator's password (XML-RPC and JSON-RPC accept it; JSON-2 does not). The API key when nil.
        public var password: String?
        /// Other database names the server claims to host: JSON-2 then requires `X-Odoo-Database`.
        public var otherDatabases: [String]

        public init(version: OdooVersion, database: String, login: String = "admin", apiKey: String, password: String? = nil,
                    otherDatabases: [String] = []) {
            self.version = version
            self.password = password
            self.database = database
            self.login = login
            self.apiKey = apiKey
            self.otherDatabases = otherDatabases
        }
    }

    public let service: OdooService
    public let faults = FaultInjector()
    public var database: OdooDatabase { service.database }

    public init(_ configuration: Configuration) {
        let database = OdooDatabase(version: configuration.version, name: configuration.database, models: Catalog.models(configuration.version))
        SeedData.load(into: database, login: configuration.login, apiKey: configuration.apiKey, password: configuration.password ?? configuration.apiKey)
        service = OdooService(database: database, otherDatabases: configuration.otherDatabases)
    }

    /// Adds a user (an "Internal User" only when `limited`) who authenticates with `apiKey` as
    /// password or API key; returns its uid.
    @discardableResult
    public func addUser(login: String, apiKey: String, limited: Bool) -> Int {
        let id = database.nextID("res.users"), partner = database.nextID("res.partner")
        database.seed("res.partner", partner, ["name": .string(login)])
        database.seed("res.users", id, ["name": .string(login), "login": .string(login), "partner_id": .int(partner)])
        database.users[id] = .init(login: login, password: apiKey, apiKeys: [apiKey], limited: limited)
        return id
    }

    var version: OdooVersion { database.version }
    static let maxBody = 32 << 20

    /// The router with every endpoint.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: FaultMiddleware(faults: faults, version: version))
        router.post("/xmlrpc/2/common") { request, _ in try await xmlRPC(request) { method, params throws(OdooException) in try service.common(method, params) } }
        router.post("/xmlrpc/2/object") { request, _ in try await xmlRPC(request) { method, params throws(OdooException) in try service.object(method, params) } }
        router.post("/jsonrpc") { request, _ in try await jsonRPC(request) }
        router.get("/web/version") { _, _ in versionResponse() }
        router.get("/json/version") { _, _ in versionResponse() }
        router.post("/json/2/:model/:method") { request, context in
            try await json2(request, model: context.parameters.get("model") ?? "", method: context.parameters.get("method") ?? "")
        }
        router.get("/json/2/:model/:method") { _, _ in json2NotFound() }
        router.get("/json/2") { _, _ in json2NotFound() }
        router.post("/json/2") { _, _ in json2NotFound() }
        ControlRoutes(server: self).add(to: router)
        return router
    }

    /// The application on `host:port` (0 picks a free port, passed to `onServerRunning`).
    public func application(host: String = "127.0.0.1", port: Int, logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "Werkzeug/3.0.1 Python/3.12.3"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    // MARK: XML-RPC

    func xmlRPC(_ request: Request, _ handle: (String, [OdooValue]) throws(OdooException) -> OdooValue?) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBody)
        let single = version <= .v17
        let text: String
        do {
            let call = try XMLRPC.parseCall(Data(buffer: body))
            if let value = try handle(call.method, call.params) {
                text = XMLRPC.response(value, singleQuotedDeclaration: single)
            } else {
                let fault = OdooException(.type, "cannot marshal None unless allow_none is enabled")
                text = XMLRPC.fault(.init(code: 1, string: fault.traceback), singleQuotedDeclaration: single)
            }
        } catch let error as OdooException {
            text = XMLRPC.fault(.init(code: error.faultCode, string: error.faultString), singleQuotedDeclaration: single)
        } catch {
            let fault = OdooException(.value, "not a valid XML-RPC call: \(error)")
            text = XMLRPC.fault(.init(code: 1, string: fault.traceback), singleQuotedDeclaration: single)
        }
        return Self.response(.ok, "text/xml; charset=utf-8", Data(text.utf8))
    }

    // MARK: JSON-RPC

    func jsonRPC(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBody)
        guard let envelope = try? OdooValue.json(Data(buffer: body)), envelope.members != nil else {
            return Self.response(.badRequest, "text/html; charset=utf-8", Data("<p>Invalid JSON data</p>".utf8))
        }
        let id = envelope["id"]
        let params = envelope["params"]
        var answer: [String: OdooValue] = ["jsonrpc": "2.0", "id": id]
        do {
            let method = params["method"].string ?? "", args = params["args"].array ?? []
            let result: OdooValue?
            switch params["service"].string {
            case "common": result = try service.common(method, args)
            case "object": result = try service.object(method, args)
            default: throw OdooException(.value, "No such service: \(params["service"].string ?? "")")
            }
            if let result { answer["result"] = result }  // a method returning None has no result key
        } catch let error as OdooException {
            answer["error"] = ["code": .int(version >= .v19 ? 0 : 200), "message": "Odoo Server Error", "data": error.errorData]
        }
        return Self.response(.ok, "application/json; charset=utf-8", OdooValue.struct(answer).jsonData)
    }

    // MARK: JSON-2

    func versionResponse() -> Response {
        guard version >= .v19 else { return Self.htmlNotFound() }
        let info: OdooValue = ["version_info": [.int(version.rawValue), 0, 0, "final", 0, ""], "version": .string("\(version.rawValue).0")]
        return Self.response(.ok, "application/json; charset=utf-8", info.jsonData)
    }

    func json2NotFound() -> Response {
        guard version >= .v19 else { return Self.htmlNotFound() }
        return Self.json2Error(OdooException(.notFound, "Did you mean POST /json/2/<model>/<method>?"))
    }

    func json2(_ request: Request, model: String, method: String) async throws -> Response {
        guard version >= .v19 else { return Self.htmlNotFound() }
        let databaseHeader = request.headers[HTTPField.Name("X-Odoo-Database")!]
        if let name = databaseHeader, name != database.name { return Self.htmlNotFound() }
        if databaseHeader == nil, !service.otherDatabases.isEmpty { return Self.htmlNotFound() }
        guard (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/json") else {
            return Self.response(.unsupportedMediaType, "text/html; charset=utf-8", Data("""
                <!doctype html>
                <html lang=en>
                <title>415 Unsupported Media Type</title>
                <h1>Unsupported Media Type</h1>
                <p>Please verify the Content-Type request header and try again.</p>

                """.utf8))
        }
        let body = try await request.body.collect(upTo: Self.maxBody)
        var arguments = [String: OdooValue]()
        if body.readableBytes > 0 {
            do { arguments = try OdooValue.json(Data(buffer: body)).members ?? [:] } catch {
                return Self.json2Error(OdooException(.badRequest, "could not parse the body as json: \(error.localizedDescription)"))
            }
        }
        let authorization = request.headers[.authorization] ?? ""
        guard authorization.lowercased().hasPrefix("bearer "), !authorization.dropFirst(7).isEmpty else {
            return Self.json2Error(OdooException(.unauthorized, "User not authenticated, use an API Key with a Bearer Authorization header."))
        }
        guard let uid = service.user(apiKey: String(authorization.dropFirst(7))) else {
            return Self.json2Error(OdooException(.unauthorized, "Invalid apikey"))
        }
        do {
            let value = try service.json2(uid: uid, model: model, method: method, body: arguments) ?? .none
            return Self.response(.ok, "application/json; charset=utf-8", value.jsonData)
        } catch {
            return Self.json2Error(error)
        }
    }

    static func json2Error(_ error: OdooException) -> Response {
        response(HTTPResponse.Status(code: error.json2Status), "application/json; charset=utf-8", error.errorData.jsonData)
    }

    static func htmlNotFound() -> Response {
        response(.notFound, "text/html; charset=utf-8", Data("""
            <!DOCTYPE html>
            <title>404 Not Found</title>
            <h1>Not Found</h1>
            <p>No database is selected and the requested URL was not found in the server-wide controllers.</p>

            """.utf8))
    }

    static func response(_ status: HTTPResponse.Status, _ contentType: String, _ body: Data, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Serves the injected faults before the request reaches Odoo's endpoints.
struct FaultMiddleware: RouterMiddleware {
    let faults: FaultInjector
    let version: OdooVersion

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !path.hasPrefix("/__double__"), let fault = faults.take(path: path) else { return try await next(request, context) }
        switch fault {
        case .internalError:
            return OdooDoubleServer.response(.internalServerError, "text/html; charset=utf-8", Data("<h1>Internal Server Error</h1>".utf8))
        case .rateLimited(let seconds):
            return OdooDoubleServer.response(.tooManyRequests, "text/html; charset=utf-8", Data("<h1>Too Many Requests</h1>".utf8),
                                             headers: [.retryAfter: String(seconds)])
        case .unavailable:
            return OdooDoubleServer.response(.serviceUnavailable, "text/html; charset=utf-8", Data("<h1>Service Unavailable</h1>".utf8))
        case .delay(let milliseconds):
            try await Task.sleep(for: .milliseconds(milliseconds))
            return try await next(request, context)
        case .connectionReset:
            return Response(status: .ok, headers: [.contentType: "text/xml"], body: ResponseBody(contentLength: 1000) { _ in
                throw CancellationError()  // the connection closes with the answer unfinished
            })
        case .serializationFailure:
            let error = OdooException(.serialization, "could not serialize access due to concurrent update")
            if path.hasPrefix("/json/2") { return OdooDoubleServer.json2Error(error) }
            if path.hasPrefix("/jsonrpc") {
                let answer: OdooValue = ["jsonrpc": "2.0", "id": .none, "error": ["code": .int(version >= .v19 ? 0 : 200), "message": "Odoo Server Error", "data": error.errorData]]
                return OdooDoubleServer.response(.ok, "application/json; charset=utf-8", answer.jsonData)
            }
            return OdooDoubleServer.response(.ok, "text/xml; charset=utf-8", Data(XMLRPC.fault(.init(code: 1, string: error.traceback)).utf8))
        }
    }
}

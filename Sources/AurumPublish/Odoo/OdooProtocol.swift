import Foundation

/// One method call on an Odoo model with named arguments, as JSON-2 takes them; over XML-RPC and
/// JSON-RPC they travel as `execute_kw`'s keyword arguments, which Odoo binds by name the same way,
/// except the ones its dispatcher reads by position (see `OdooProtocol.positionalParameters`).
public struct OdooCall: Sendable, Hashable {
    public var model: String
    public var method: String
    /// The records a record method acts on (`write`, `read`); nil for model methods (`create`, `search_read`).
    public var ids: [Int]?
    public var arguments: [String: OdooValue]
    /// Odoo's context (`active_test`, `lang`); sent only when not empty.
    public var context: [String: OdooValue]

    public init(_ model: String, _ method: String, ids: [Int]? = nil, _ arguments: [String: OdooValue] = [:], context: [String: OdooValue] = [:]) {
        self.model = model
        self.method = method
        self.ids = ids
        self.arguments = arguments
        self.context = context
    }
}

/// Who calls: the database, the user id `authenticate` gave (XML-RPC and JSON-RPC only) and the
/// API key or password.
public struct OdooSession: Sendable, Hashable {
    public var database: String
    public var uid: Int?
    public var secret: String

    public init(database: String, uid: Int? = nil, secret: String) {
        self.database = database
        self.uid = uid
        self.secret = secret
    }
}

/// The three ways to call Odoo: how a call is written on the wire and how its answer is read.
public enum OdooProtocol: String, Sendable, CaseIterable, Codable {
    /// `/xmlrpc/2/object` `execute_kw`, Odoo 8 to 19 (deprecated in 19).
    case xmlrpc
    /// `POST /jsonrpc` with service `object`, Odoo 8 to 19 (deprecated in 19).
    case jsonrpc
    /// `POST /json/2/<model>/<method>` with a bearer API key, Odoo 19 and later.
    case json2

    /// An HTTP request, ready to send.
    public struct WireRequest: Sendable, Hashable {
        public var path: String
        public var headers: [String: String]
        public var body: Data
    }

    /// The request for `call` by `session`; `id` is the JSON-RPC request id.
    public func request(_ call: OdooCall, session: OdooSession, id: Int = 1) -> WireRequest {
        var keywords = call.arguments
        if !call.context.isEmpty { keywords["context"] = .struct(call.context) }
        var leading = call.ids.map { [OdooValue.array($0.map(OdooValue.int))] } ?? []
        if self != .json2 {
            for name in Self.positionalParameters[call.method] ?? [] {
                guard let value = keywords.removeValue(forKey: name) else { break }
                leading.append(value)
            }
        }
        let positional: OdooValue = .array(leading)
        let executeKW: [OdooValue] = [.string(session.database), session.uid.map(OdooValue.int) ?? false, .string(session.secret),
                                      .string(call.model), .string(call.method), positional, .struct(keywords)]
        switch self {
        case .xmlrpc:
            return WireRequest(path: "/xmlrpc/2/object", headers: ["Content-Type": "text/xml"],
                               body: Data(XMLRPC.call("execute_kw", executeKW).utf8))
        case .jsonrpc:
            return Self.jsonRPC(service: "object", method: "execute_kw", args: executeKW, id: id)
        case .json2:
            if let ids = call.ids { keywords["ids"] = .array(ids.map(OdooValue.int)) }
            return WireRequest(path: "/json/2/\(call.model)/\(call.method)",
                               headers: ["Content-Type": "application/json", "Authorization": "bearer \(session.secret)",
                                         "X-Odoo-Database": session.database],
                               body: OdooValue.struct(keywords).jsonData)
        }
    }

    /// Parameters that must travel positionally over XML-RPC and JSON-RPC. Odoo's dispatcher
    /// (`call_kw`) reads `create`'s `args[0]` after the call to answer one id or a list; sent only
    /// as the keyword `vals_list`, the create fails with IndexError and is rolled back (16-19).
    static let positionalParameters: [String: [String]] = ["create": ["vals_list"]]

    /// A JSON-RPC request to any service (`common` for `version` and `authenticate`).
    public static func jsonRPC(service: String, method: String, args: [OdooValue], id: Int) -> WireRequest {
        let envelope: OdooValue = ["jsonrpc": "2.0", "method": "call", "id": .int(id),
                                   "params": ["service": .string(service), "method": .string(method), "args": .array(args)]]
        return WireRequest(path: "/jsonrpc", headers: ["Content-Type": "application/json"], body: envelope.jsonData)
    }

    /// Reads an answer: the method's value, or the failure, classified. `retryAfter` is the
    /// response's `Retry-After` in seconds, if any.
    public func decode(status: Int, body: Data, retryAfter: Double? = nil) -> Result<OdooValue, OdooFailure> {
        if [429, 502, 503, 504].contains(status) { return .failure(.error(name: nil, message: nil, status: status, retryAfter: retryAfter)) }
        switch self {
        case .xmlrpc:
            guard status == 200 else { return .failure(.error(name: nil, message: Self.excerpt(body), status: status)) }
            do {
                return try XMLRPC.parseResponse(body).mapError(OdooFailure.fault)
            } catch {
                return .failure(OdooFailure(kind: .configuration, message: "not an XML-RPC answer (\(error)): \(Self.excerpt(body))"))
            }
        case .jsonrpc:
            guard status == 200, let envelope = try? OdooValue.json(body), let members = envelope.members else {
                return .failure(.error(name: nil, message: Self.excerpt(body), status: status == 200 ? 404 : status))
            }
            if let error = members["error"] {
                return .failure(.error(name: error["data"]["name"].string, message: error["data"]["message"].string ?? error["message"].string))
            }
            return .success(members["result"] ?? .none)  // a method returning None has no result key
        case .json2:
            let value = try? OdooValue.json(body)
            guard status == 200 else {
                return .failure(.error(name: value?["name"].string, message: value?["message"].string ?? Self.excerpt(body), status: status))
            }
            guard let value else { return .failure(OdooFailure(kind: .configuration, message: "not JSON: \(Self.excerpt(body))")) }
            return .success(value)
        }
    }

    /// The start of a body for an error message.
    static func excerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

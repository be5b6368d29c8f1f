import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore

/// Tokens for the actors the API tests use.
struct Tokens {
    var admin: String
    var steward: String
    var plm: String
    var reader: String
}

/// Runs `body` against the router on a fresh database, without a socket.
func withAPI(limits: ServerLimits = .init(), _ body: @escaping @Sendable (any TestClientProtocol, Tokens, TestStore) async throws -> Void) async throws {
    try await TestStore.with { t in
        let tokens = Tokens(admin: try await t.actor("root", .admin).token,
                            steward: try await t.actor("alice", .steward).token,
                            plm: try await t.actor("plm-sync", .source, entities: ["item"]).token,
                            reader: try await t.actor("odoo", .consumer, entities: ["item"]).token)
        let app = Application(router: AurumHTTPServer.router(store: t.store, rules: t.rules, limits: limits))
        try await app.test(.router) { client in try await body(client, tokens, t) }
    }
}

extension TestClientProtocol {
    /// Sends `json` (a literal or encoded text) with a bearer token and returns status and parsed body.
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil, contentType: String = "application/json",
              headers extra: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let json = response.body.readableBytes == 0 ? JSONValue.null
                : ((try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))) ?? .string(String(buffer: response.body)))
            return (response.status, json, response.headers)
        }
    }
}

extension JSONValue {
    /// The value as JSON text, to look for what must not be in it.
    var text: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
    subscript(_ index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}

let hexBolt = #"{"entity":"item","source":"plm","source_key":"PLM-4711","attributes":{"code":"B-1001","name":"Hex bolt M8x40","uom":"Units"}}"#

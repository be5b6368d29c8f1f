import AurumTestSupport
import Foundation
import Testing

/// One exchange recorded from a real Odoo server (Tests/Fixtures/odoo-wire).
struct WireExchange: Decodable, Sendable, CustomTestStringConvertible {
    struct Request: Decodable, Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        /// Absent for a GET.
        var body: String?
    }

    struct Response: Decodable, Sendable {
        var status: Int
        var reason: String
        var content_type: String?
        var body: String
    }

    var step: String
    var request: Request
    var response: Response
    /// Version folder and protocol file it came from.
    var version = ""
    var protocolName = ""

    enum CodingKeys: String, CodingKey { case step, request, response }

    var testDescription: String { "\(version)/\(protocolName) \(step)" }

    /// Every exchange of `version`'s `protocolName` file (xmlrpc, jsonrpc or json2), in order.
    static func load(_ version: String, _ protocolName: String) throws -> [WireExchange] {
        let path = ProjectPaths.odooWire + "/\(version)/\(protocolName).jsonl"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            var exchange = try JSONDecoder().decode(WireExchange.self, from: Data(line.utf8))
            exchange.version = version
            exchange.protocolName = protocolName
            return exchange
        }
    }

    /// Every exchange of every version for `protocolName`.
    static func all(_ protocolName: String) -> [WireExchange] {
        ["17", "18", "19"].flatMap { version in
            do { return try load(version, protocolName) } catch { fatalError("Tests/Fixtures/odoo-wire/\(version)/\(protocolName).jsonl: \(error)") }
        }
    }
}

import Foundation
import Testing

/// One exchange recorded from a real Odoo server (Tests/Fixtures/odoo-wire).
public struct WireExchange: Decodable, Sendable, CustomTestStringConvertible {
    public struct Request: Decodable, Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        /// Absent for a GET.
        public var body: String?
    }

    public struct Response: Decodable, Sendable {
        public var status: Int
        public var reason: String
        public var content_type: String?
        public var body: String
    }

    public var step: String
    public var request: Request
    public var response: Response
    /// Version folder and protocol file it came from.
    public var version = ""
    public var protocolName = ""

    enum CodingKeys: String, CodingKey { case step, request, response }

    public var testDescription: String { "\(version)/\(protocolName) \(step)" }

    /// Every exchange of `version`'s `protocolName` file (xmlrpc, jsonrpc or json2), in order.
    public static func load(_ version: String, _ protocolName: String) throws -> [WireExchange] {
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
    public static func all(_ protocolName: String) -> [WireExchange] {
        ["17", "18", "19"].flatMap { version in
            do { return try load(version, protocolName) } catch { fatalError("Tests/Fixtures/odoo-wire/\(version)/\(protocolName).jsonl: \(error)") }
        }
    }
}

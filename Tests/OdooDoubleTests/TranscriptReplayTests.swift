import AurumPublish
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import NIOCore
@testable import OdooDouble
import Testing

/// Replays every exchange recorded from a real Odoo 17, 18 and 19 server, in order, against a
/// fresh double of that version, and checks that it answers as the server did: the same status
/// and content type, the same fault codes and exception classes, and the same result: every
/// value equal, except texts of messages and tracebacks and the timestamps.
@Suite struct TranscriptReplayTests {
    static let cases: [(String, String)] = [("17", "xmlrpc"), ("17", "jsonrpc"), ("18", "xmlrpc"), ("18", "jsonrpc"),
                                            ("19", "xmlrpc"), ("19", "jsonrpc"), ("19", "json2")]
    static let adminKey = "replay-admin-key"
    static let limitedSecret = "replay-limited-secret"
    static let adminPassword = "replay-admin-password"

    @Test(arguments: cases)
    func doubleAnswersAsTheRecordedServer(_ version: String, _ protocolName: String) async throws {
        let exchanges = try WireExchange.load(version, protocolName)
        #expect(exchanges.count > 50)
        let server = OdooDoubleServer(.init(version: try #require(OdooVersion(rawValue: Int(version)!)), database: Self.database(exchanges),
                                            apiKey: Self.adminKey, password: Self.adminPassword, otherDatabases: protocolName == "json2" ? ["another_db"] : []))
        if protocolName == "json2" { server.addUser(login: "aurum_limited", apiKey: Self.limitedSecret, limited: true) }
        let app = Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Logger(label: "replay"))
        let mismatches = try await app.test(.live) { client in
            var mismatches = [String]()
            for exchange in exchanges {
                let (headers, body) = Self.substituteSecrets(exchange)
                let response = try await client.execute(uri: exchange.request.path, method: HTTPRequest.Method(exchange.request.method)!,
                                                        headers: headers, body: body.map { ByteBuffer(string: $0) })
                let text = String(buffer: response.body)
                for problem in Self.compare(exchange, status: response.status.code, contentType: response.headers[.contentType], body: text) {
                    mismatches.append("\(exchange.step): \(problem)")
                }
            }
            return mismatches
        }
        #expect(mismatches.isEmpty, Comment(rawValue: "\(mismatches.count) differences:\n" + mismatches.joined(separator: "\n")))
    }

    /// The database the recording used.
    static func database(_ exchanges: [WireExchange]) -> String {
        for exchange in exchanges {
            if let name = exchange.request.headers["X-Odoo-Database"] { return name }
            guard let body = exchange.request.body, exchange.step == "common.authenticate.password" else { continue }
            if exchange.protocolName == "jsonrpc" { return (try? OdooValue.json(Data(body.utf8)))?["params"]["args"].array?.first?.string ?? "" }
            let call = try? XMLRPC.parseCall(Data(body.replacingOccurrences(of: "<secret>", with: "x").utf8))
            return call?.params.first?.string ?? ""
        }
        return "odoo"
    }

    /// The recording hides every secret as `<secret>`: the administrator's key, except where the
    /// limited user signs in (its password, set by the administrator in `setup.create_limited_user`),
    /// where a password is sent on purpose, and where a wrong key is.
    static func substituteSecrets(_ exchange: WireExchange) -> (HTTPFields, String?) {
        let limited = exchange.step.hasPrefix("error.access.") || exchange.step == "common.authenticate.limited_user"
        let secret = switch exchange.step {
        case _ where limited: limitedSecret
        case "auth.context_get.with_password_as_bearer", "common.authenticate.password", "common.login.password",
             "object.execute_kw.with_password": adminPassword
        case "auth.bad_key": "not-a-key"
        default: adminKey
        }
        var headers = HTTPFields()
        for (name, value) in exchange.request.headers where !["host", "content-length"].contains(name.lowercased()) {
            headers[HTTPField.Name(name)!] = value.replacingOccurrences(of: "<secret>", with: secret)
        }
        guard var body = exchange.request.body else { return (headers, nil) }
        if exchange.step == "setup.create_limited_user", let first = body.range(of: "<secret>") {
            body.replaceSubrange(first, with: adminKey)
            body = body.replacingOccurrences(of: "<secret>", with: limitedSecret)
        } else {
            body = body.replacingOccurrences(of: "<secret>", with: secret)
        }
        return (headers, body)
    }

    /// What differs between the recorded answer and the double's.
    static func compare(_ exchange: WireExchange, status: Int, contentType: String?, body: String) -> [String] {
        var problems = [String]()
        if status != exchange.response.status { problems.append("status \(status), recorded \(exchange.response.status)") }
        if contentType != exchange.response.content_type {
            problems.append("content type \(contentType ?? "none"), recorded \(exchange.response.content_type ?? "none")")
        }
        guard problems.isEmpty else { return problems + ["body: \(body.prefix(300))"] }
        let recordedBody = exchange.response.body
        switch exchange.protocolName {
        case "xmlrpc":
            guard let recorded = try? XMLRPC.parseResponse(Data(recordedBody.utf8)), let actual = try? XMLRPC.parseResponse(Data(body.utf8)) else {
                return ["not XML-RPC: \(body.prefix(300))"]
            }
            switch (recorded, actual) {
            case (.success(let r), .success(let a)): problems += Shape.differences(r, a)
            case (.failure(let r), .failure(let a)):
                if r.code != a.code { problems.append("fault \(a.code), recorded \(r.code): \(a.string.suffix(200))") }
                if r.code == 1, lastLine(r.string).split(separator: ":").first != lastLine(a.string).split(separator: ":").first {
                    problems.append("exception \(lastLine(a.string)), recorded \(lastLine(r.string))")
                }
            default: problems.append("answered \(actual), recorded \(recorded)")
            }
        default:
            guard exchange.response.content_type?.contains("json") == true else { return problems }
            guard let recorded = try? OdooValue.json(Data(recordedBody.utf8)), let actual = try? OdooValue.json(Data(body.utf8)) else {
                return ["not JSON: \(body.prefix(300))"]
            }
            problems += Shape.differences(recorded, actual)
        }
        return problems
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? text
    }
}

/// Compares a recorded value with the double's: every value equal except the texts Odoo words
/// per version or per moment (messages, tracebacks, timestamps).
enum Shape {
    static let wordingKeys: Set<String> = ["message", "debug", "arguments", "write_date", "create_date", "faultString", "context"]

    static func differences(_ recorded: OdooValue, _ actual: OdooValue, path: String = "") -> [String] {
        switch (recorded, actual) {
        case (.struct(let r), .struct(let a)):
            var problems = [String]()
            let missing = Set(r.keys).subtracting(a.keys), extra = Set(a.keys).subtracting(r.keys)
            if !missing.isEmpty { problems.append("\(path): missing keys \(missing.sorted())") }
            if !extra.isEmpty { problems.append("\(path): extra keys \(extra.sorted())") }
            for key in r.keys.sorted() where a[key] != nil && !wordingKeys.contains(key) {
                problems += differences(r[key]!, a[key]!, path: path + "." + key)
            }
            return problems
        case (.array(let r), .array(let a)):
            guard r.count == a.count else { return ["\(path): \(a.count) items, recorded \(r.count): \(String(describing: actual).prefix(300))"] }
            return zip(r, a).enumerated().flatMap { differences($0.element.0, $0.element.1, path: "\(path)[\($0.offset)]") }
        case (.double(let r), _):
            guard let a = Domain.number(actual), abs(a - r) < 1e-9 else { return ["\(path): \(actual), recorded \(recorded)"] }
            return []
        default:
            return recorded == actual ? [] : ["\(path): \(actual), recorded \(recorded)"]
        }
    }
}

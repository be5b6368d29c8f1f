import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Testing

/// Requests as an attacker or a broken client sends them, over a real socket: each gets a 4xx
/// problem+json that says what is wrong (in HTTP's or JSON's terms, never Swift's), no request
/// gets a 500, and nothing is stored.
@Suite struct HostileRequestTests {
    static let valid = #"{"entity":"item","source":"plm","source_key":"K-1","attributes":{"code":"A-1","name":"Bolt","uom":"Units"}}"#

    /// Runs `body` with a live server on a fresh database and a source token for plm items.
    func withServer(_ body: @escaping @Sendable (_ port: Int, _ token: String, _ t: TestStore) async throws -> Void) async throws {
        try await TestStore.with { t in
            let token = try await t.actor("plm-sync", .source, entities: ["item"]).token
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules), server: AurumHTTPServer.httpServer) { port in
                try await body(port, token, t)
            }
        }
    }

    static func post(_ body: [UInt8], token: String, length: Int? = nil, extra: [(String, String)] = [],
                     contentType: String = "application/json") -> [UInt8] {
        var headers = [("Authorization", "Bearer \(token)"), ("Content-Type", contentType)] + extra
        if !extra.contains(where: { $0.0 == "Transfer-Encoding" }) { headers.append(("Content-Length", String(length ?? body.count))) }
        return RawHTTP.request("POST", "/v1/candidates", headers: headers, body: body)
    }

    static func expectProblem(_ answer: RawHTTP.Answer, _ status: Int, mentions: String, _ what: String) {
        #expect(answer.status == status, "\(what): \(answer.status) \(answer.body)")
        #expect(answer.headers["content-type"] == "application/problem+json", "\(what): \(answer.headers)")
        #expect(answer.body.contains(mentions), "\(what): \(answer.body)")
        for leak in ["DecodingError", "Swift", "Dictionary<", "PSQLError"] {
            #expect(!answer.body.contains(leak), "\(what) shows \(leak): \(answer.body)")
        }
    }

    @Test func aNULInAnyStringIsA422NamingTheField() async throws {
        try await withServer { port, token, t in
            let cases: [(String, String, String)] = [
                (Self.valid.replacingOccurrences(of: #""Bolt""#, with: #""Bo\u0000lt""#), "application/json", "candidate.attributes.name"),
                (Self.valid.replacingOccurrences(of: #""K-1""#, with: #""K\u0000-1""#), "application/json", "candidate.source_key"),
                ("[" + Self.valid + "," + Self.valid.replacingOccurrences(of: #""Units""#, with: #""\u0000""#) + "]", "application/json",
                 "candidates[1].attributes.uom"),
                (Self.valid + "\n" + Self.valid.replacingOccurrences(of: #""A-1""#, with: #""A\u00001""#), "application/x-ndjson",
                 "candidates[1].attributes.code"),
            ]
            for (body, contentType, path) in cases {
                let answer = try await RawHTTP.exchange(port: port, Self.post(Array(body.utf8), token: token, contentType: contentType))
                Self.expectProblem(answer, 422, mentions: path, path)
            }
            let stored = try await t.store.changeRequests(status: nil, entities: t.allEntities, limit: 10)
            #expect(stored.isEmpty, "nothing is stored from a refused request")
        }
    }

    @Test func truncatedBodiesAndMalformedChunkingAre400() async throws {
        try await withServer { port, token, _ in
            let body = Array(Self.valid.utf8)
            let chunked = [("Transfer-Encoding", "chunked")]
            let cases: [([UInt8], String, String)] = [
                (Self.post(Array(body.prefix(40)), token: token, length: body.count), "the connection ended before the body", "short body"),
                (Self.post(Array("zz\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8), token: token, extra: chunked), "chunk size", "bad chunk size"),
                (Self.post(Array("fffffffffffffffffffffff\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8), token: token, extra: chunked),
                 "chunk size", "chunk size overflow"),
                (Self.post(body, token: token, extra: [("Content-Length", "abc")]), "Content-Length", "Content-Length not a number"),
                (Array("GARBAGE\r\n\r\n".utf8), "request line", "garbage request line"),
                (RawHTTP.request("GET", "/livez", headers: [("X-Big", String(repeating: "a", count: 100_000))]), "headers", "headers too large"),
            ]
            for (request, mention, what) in cases {
                Self.expectProblem(try await RawHTTP.exchange(port: port, request), 400, mentions: mention, what)
            }
        }
    }

    @Test func malformedJSONSaysWhereInJSONTerms() async throws {
        try await withServer { port, token, _ in
            let cases: [(String, String)] = [
                (#"{"entity": }"#, "line 1, column 12"),
                (Self.valid + "xx", "unexpected text after the JSON document"),
                (Self.valid.replacingOccurrences(of: #"{"entity":"item""#, with: #"{"entity":"item","entity":"supplier""#), "appears twice"),
                (Self.valid.replacingOccurrences(of: #""Bolt""#, with: #""\ud800""#), "surrogate"),
                (Self.valid.replacingOccurrences(of: #""Bolt""#, with: "1e99999"), "too large"),
                (String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000), "nested deeper"),
                ("{\n  \"entity\": \"item\",\n  \"source\": plm\n}", "line 3, column 13"),
            ]
            for (body, mention) in cases {
                Self.expectProblem(try await RawHTTP.exchange(port: port, Self.post(Array(body.utf8), token: token)), 400, mentions: mention, mention)
            }
            let invalidUTF8 = Array(Self.valid.utf8).map { $0 == UInt8(ascii: "B") ? 0xFF : $0 }
            Self.expectProblem(try await RawHTTP.exchange(port: port, Self.post(invalidUTF8, token: token)), 400, mentions: "UTF-8", "invalid UTF-8")
            let ndjson = Self.valid + "\n\n{bad"
            Self.expectProblem(try await RawHTTP.exchange(port: port, Self.post(Array(ndjson.utf8), token: token, contentType: "application/x-ndjson")),
                               400, mentions: "line 3, column 2", "NDJSON line")
        }
    }

    /// Hundreds of corrupted bodies (bytes flipped, cut, control bytes and quotes inserted) from a
    /// fixed seed: none may be answered 5xx, and every refusal is problem+json.
    @Test func corruptedBodiesNeverGetA500() async throws {
        try await withServer { port, token, _ in
            var random = SeededRandom(seed: 9)
            let original = Array(("[" + Self.valid + "," + Self.valid.replacingOccurrences(of: "K-1", with: "K-2") + "]").utf8)
            let noise: [UInt8] = [0x00, 0x01, 0x0A, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0xC3, 0xFF, 0xED, 0xA0, 0x80]
            var statuses = [Int: Int]()
            for _ in 0..<300 {
                var body = original
                for _ in 0..<Int(random.next() % 4 + 1) {
                    let position = Int(random.next() % UInt64(body.count))
                    switch random.next() % 3 {
                    case 0: body[position] = noise[Int(random.next() % UInt64(noise.count))]
                    case 1: body.insert(noise[Int(random.next() % UInt64(noise.count))], at: position)
                    default: body.removeSubrange(position..<min(body.count, position + Int(random.next() % 8 + 1)))
                    }
                    if body.isEmpty { body = [0x7B] }
                }
                let answer = try await RawHTTP.exchange(port: port, Self.post(body, token: token))
                statuses[answer.status, default: 0] += 1
                #expect(answer.status < 500, "\(String(decoding: body, as: UTF8.self)): \(answer.body)")
                if answer.status >= 400 { #expect(answer.headers["content-type"] == "application/problem+json") }
            }
            #expect(statuses.keys.contains { $0 >= 400 }, "the corruptions must produce refusals: \(statuses)")
        }
    }
}

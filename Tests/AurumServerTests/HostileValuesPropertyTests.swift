import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PropertyBased
import Testing

/// Every route, every parameter a caller types, with values at their extremes (huge, negative,
/// fractional, NaN, empty, NUL, 10 KB, durations that overflow, instants out of range): never a
/// 5xx, and the server still answers afterwards. The values come from a seeded generator, so a
/// failing run replays: `AURUM_FUZZ_SEED` chooses the seed (printed), `AURUM_FUZZ_COUNT` how many
/// values (CI runs a short fixed-seed run; the README gives the long one).
@Suite struct HostileValuesPropertyTests {
    static let extremes: [String] = [
        "", " ", "0", "-0", "-1", "1", "1.5", "1e308", "-1e308", "1e-320", "nan", "NaN", "inf", "-inf", "Infinity",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", String(repeating: "9", count: 400),
        "999999999999999d", "99999999d", "9223372036854775807m", "0d", "-5m", "1.5h", "2d", "30m", "true", "false", "null",
        "\u{0}", "a\u{0}b", "%", "%00", "../../etc/passwd", "' OR 1=1 --", "\u{202E}evil", "💥", "\u{FEFF}",
        String(repeating: "x", count: 10_240), String(repeating: "€", count: 3_000),
        "2026-12-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2026-13-45T99:99:99Z", "-292277026596-12-04T15:30:07Z",
        "item", "supplier", "open", "dead", "odoo", "webhook:erp",
    ]
    static let numbers: [String] = [
        "0", "-0", "-1", "1", "1.5", "1e308", "-1e308", "1e-320", "9007199254740993", "123456789012345678901234567890",
        "9223372036854775807", "-9223372036854775808", "true", "null", "\"1\"", "[]", "{}",
    ]

    /// A hostile value: one of the extremes, a random 64-bit number, a random decimal, a random
    /// duration, or random Latin-1 text.
    static let value = Gen.oneOf(
        Gen.element(of: extremes).map { $0 ?? "" },
        Gen.int64().map { String($0) },
        Gen.double(in: -1e300...1e300).map { String($0) },
        Gen.int(in: -10...Int.max).map { "\($0)d" },
        Gen.latin1.string(of: 0...60))
    static let number = Gen.oneOf(Gen.element(of: numbers).map { $0 ?? "0" }, Gen.int64().map { String($0) })

    /// The requests one value makes: every query parameter, path id and body member it can be.
    static func requests(_ v: String, _ n: String) -> [(HTTPRequest.Method, String, String?)] {
        let e = v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let s = JSONValue.string(v).text
        var list: [(HTTPRequest.Method, String, String?)] = []
        for name in ["status", "entity", "source", "gate", "older_than", "mine", "duplicates", "limit"] {
            list.append((.get, "/v1/change-requests?\(name)=\(e)", nil))
        }
        for name in ["after", "limit", "entity"] { list.append((.get, "/v1/changes?\(name)=\(e)", nil)) }
        list.append((.get, "/v1/changes?after=0&wait=\(e)", nil))
        for name in ["consumer", "state", "record_id", "limit"] { list.append((.get, "/v1/deliveries?\(name)=\(e)", nil)) }
        for name in ["q", "state", "source", "changed_since", "changed_before", "after", "limit", "attr.code", "attr.weight", "attr.\(e)", e] {
            list.append((.get, "/v1/records/item?\(name)=\(e)", nil))
        }
        list.append((.get, "/v1/records/\(e)", nil))
        list += [
            (.get, "/v1/change-requests/\(e)", nil), (.get, "/v1/records/item/\(e)", nil), (.get, "/v1/records/item/1?as_of=\(e)", nil),
            (.get, "/v1/records/\(e)/1", nil), (.get, "/v1/records/item/\(e)/versions", nil), (.get, "/v1/records/item/\(e)/history", nil),
            (.get, "/v1/xref/\(e)/\(e)", nil), (.get, "/v1/xref/plm/PLM-1?entity=\(e)", nil), (.get, "/v1/status", nil),
            (.post, "/v1/change-requests/1/approve", #"{"revision": \#(n), "comment": \#(s)}"#),
            (.post, "/v1/change-requests/\(e)/approve", "{}"),
            (.post, "/v1/change-requests/1/reject", #"{"reason": \#(s)}"#),
            (.post, "/v1/change-requests/1/edit", #"{"set": {"name": \#(s), "weight": \#(n)}, "revision": \#(n)}"#),
            (.post, "/v1/change-requests/1/link", #"{"record_id": \#(n)}"#),
            (.post, "/v1/deliveries/replay", #"{"delivery_id": \#(n)}"#),
            (.post, "/v1/deliveries/replay", #"{"consumer": \#(s), "since": \#(s)}"#),
            (.post, "/v1/records/item/1/merge", #"{"into": \#(n), "reason": \#(s)}"#),
            (.post, "/v1/records/item/\(e)/block", #"{"reason": \#(s)}"#),
        ]
        return list
    }

    /// A candidate with the value in every member a source types.
    static func candidate(_ v: String, _ n: String) -> String {
        let s = JSONValue.string(v).text
        return #"{"entity":"item","source":"plm","source_key":\#(s),"attributes":{"code":\#(s),"name":\#(s),"uom":\#(s),"weight":\#(n)}}"#
    }

    @Test func noValueACallerTypesGetsA5xxOrStopsTheServer() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["AURUM_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_206
        let count = environment["AURUM_FUZZ_COUNT"].flatMap(Int.init) ?? 40
        print("hostile values: seed \(seed), \(count) values (AURUM_FUZZ_SEED=\(seed) replays this run)")
        var rng = Xoshiro(seed: (seed, seed &* 31, seed &* 131, seed &* 1_313))
        let inputs = (0..<count).map { _ in (Self.value.run(using: &rng), Self.number.run(using: &rng)) }
        try await withAPI { client, tokens, t in
            // One released item, so that a feed read from 0 answers at once whatever its wait.
            _ = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)])
            for (v, n) in inputs {
                for (method, uri, body) in Self.requests(v, n) {
                    let answer = try await client.call(method, uri, token: tokens.admin, body: body)
                    #expect(answer.status.code < 500, "\(method) \(uri.prefix(200)) \(body?.prefix(200) ?? ""): \(answer.status) \(answer.json.text.prefix(300))")
                }
                let submitted = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate(v, n))
                #expect(submitted.status.code < 500, "candidate with \(v.prefix(80).debugDescription), \(n): \(submitted.status) \(submitted.json.text.prefix(300))")
                // The value as an Idempotency-Key, on a candidate and on a decision.
                for (uri, body) in [("/v1/candidates", Self.candidate("K", n)), ("/v1/change-requests/1/approve", "{}")] {
                    let keyed = try await client.call(.post, uri, token: uri.hasPrefix("/v1/candidates") ? tokens.plm : tokens.steward, body: body,
                                                      headers: [HTTPField.Name("Idempotency-Key")!: v])
                    #expect(keyed.status.code < 500, "Idempotency-Key \(v.prefix(80).debugDescription) on \(uri): \(keyed.status) \(keyed.json.text.prefix(300))")
                }
            }
            #expect(try await client.call(.get, "/livez", token: nil).status == .ok)
            #expect(try await client.call(.get, "/readyz", token: nil).status == .ok)
            #expect(try await client.call(.get, "/v1/records/item/1", token: tokens.admin).status == .ok, "the server still reads")
        }
    }
}

import AurumCore
import AurumServer
import AurumStore
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PropertyBased
import Synchronization
import Testing

/// For random histories of items (proposals from a source, approvals, rejections, stewards'
/// edits), the record API's `?as_of=t` answers, at every instant tried, the version an auditor
/// rebuilds from the audit trail alone: the last `record.released` entry of the record written at
/// or before t. The histories come from a seeded generator (`AURUM_FUZZ_SEED`, `AURUM_FUZZ_COUNT`
/// histories; a failing run replays).
@Suite struct AsOfPropertyTests {
    enum Step: Sendable, CustomStringConvertible {
        case submit(key: Int, name: Int, weight: Double)
        case approve(key: Int), reject(key: Int), edit(key: Int, weight: Double)

        var description: String {
            switch self {
            case .submit(let key, let name, let weight): "submit K-\(key) name \(name) weight \(weight)"
            case .approve(let key): "approve K-\(key)"
            case .reject(let key): "reject K-\(key)"
            case .edit(let key, let weight): "edit K-\(key) weight \(weight)"
            }
        }
    }

    static let step = zip(Gen.int(in: 0...9), Gen.int(in: 1...3), Gen.int(in: 1...4), Gen.int(in: 1...9999)).map { kind, key, name, grams -> Step in
        let weight = Double(grams) / 1000
        switch kind {
        case 0...3: return .submit(key: key, name: name, weight: weight)
        case 4...6: return .approve(key: key)
        case 7: return .reject(key: key)
        default: return .edit(key: key, weight: weight)
        }
    }

    @Test func asOfAnswersTheVersionRebuiltFromTheAuditTrail() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["AURUM_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_206
        let count = environment["AURUM_FUZZ_COUNT"].flatMap(Int.init).map { max(1, $0 / 10) } ?? 4
        print("as_of histories: seed \(seed), \(count) histories (AURUM_FUZZ_SEED=\(seed) replays this run)")
        var rng = Xoshiro(seed: (seed, seed &* 7, seed &* 77, seed &* 777))
        let histories = (0..<count).map { _ in (0..<16).map { _ in Self.step.run(using: &rng) } }
        let compared = Mutex(0)
        for (number, history) in histories.enumerated() {
            try await withAPI { client, tokens, t in
                let count = try await Self.check(history, number: number, seed: seed, client: client, tokens: tokens, t: t)
                compared.withLock { $0 += count }
            }
        }
        #expect(compared.withLock { $0 } > 100, "the histories released versions, and the instants were compared")
    }

    /// Runs one history and compares at every instant tried; how many comparisons were made.
    static func check(_ history: [Step], number: Int, seed: UInt64, client: any TestClientProtocol, tokens: Tokens, t: TestStore) async throws -> Int {
        let second = try await t.actor("bob", .steward).token
        var open = [Int: Int64]()
        for step in history {
            switch step {
            case .submit(let key, let name, let weight):
                let body = #"{"entity":"item","source":"plm","source_key":"K-\#(key)","attributes":{"code":"C-\#(key)","name":"Part \#(key)-\#(name)","uom":"Units","weight":\#(weight)}}"#
                let answer = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body)
                if let id = answer.json["change_request_id"]?.integerValue, answer.json["status"] == "proposed" { open[key] = id }
            case .approve(let key):
                guard let id = open.removeValue(forKey: key) else { continue }
                // The steward who edited it may not approve it: the other does.
                let first = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: tokens.steward, body: "{}")
                if first.status == .forbidden { _ = try await client.call(.post, "/v1/change-requests/\(id)/approve", token: second, body: "{}") }
            case .reject(let key):
                guard let id = open.removeValue(forKey: key) else { continue }
                _ = try await client.call(.post, "/v1/change-requests/\(id)/reject", token: tokens.steward, body: #"{"reason":"no"}"#)
            case .edit(let key, let weight):
                guard let id = open[key] else { continue }
                _ = try await client.call(.post, "/v1/change-requests/\(id)/edit", token: tokens.steward, body: #"{"set":{"weight":\#(weight)}}"#)
            }
            try await Task.sleep(for: .milliseconds(3))
        }
        // What the audit trail says, read as an auditor reads the chain.
        var releases = [Int64: [(at: Date, version: Int, attributes: JSONValue)]]()
        try await AuditTrail(client: t.client, logger: TestLogger.quiet).export(from: nil, to: nil) { entry in
            if entry.entry.action == "record.released", let record = entry.entry.recordID, let version = entry.entry.version,
               let at = Self.instant(entry.at), let after = entry.entry.after {
                releases[record, default: []].append((at, version, after))
            }
            return true
        }
        let instants = releases.values.flatMap { $0.map(\.at) }.sorted()
        guard let first = instants.first, let last = instants.last else { return 0 }
        // Instants to the millisecond (as_of's precision) around and between the releases, none
        // within 2 ms of one (where a millisecond's rounding could fall on either side).
        var tried = [Date]()
        var at = first.addingTimeInterval(-0.05)
        while at < last.addingTimeInterval(0.05) {
            let rounded = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
            if !instants.contains(where: { abs($0.timeIntervalSince(rounded)) < 0.002 }) { tried.append(rounded) }
            at = at.addingTimeInterval(0.0017)
        }
        #expect(tried.count > 20, "history \(number): enough instants")
        var compared = 0
        for (record, versions) in releases {
            for instant in tried {
                let text = Instant.formatMilliseconds(instant)
                let answer = try await client.call(.get, "/v1/records/item/\(record)?as_of=\(text)", token: tokens.admin)
                let rebuilt = versions.last { $0.at <= instant }
                compared += 1
                if let rebuilt {
                    #expect(answer.status == .ok && answer.json["version"] == .number(Double(rebuilt.version)) && answer.json["attributes"] == rebuilt.attributes,
                            "seed \(seed) history \(number) record \(record) as of \(text): API \(answer.json["version"] ?? .null), audit v\(rebuilt.version)")
                } else {
                    #expect(answer.status == .notFound, "seed \(seed) history \(number) record \(record) as of \(text): before its first release")
                }
            }
        }
        return compared
    }

    static func instant(_ text: String) -> Date? {
        // 2026-12-06T03:12:45.123456Z: seconds from the formatter, the fraction by hand (to the microsecond).
        let parts = text.dropLast().split(separator: ".")
        guard parts.count == 2, let whole = ISO8601DateFormatter().date(from: parts[0] + "Z"), let fraction = Double("0." + parts[1]) else { return nil }
        return whole.addingTimeInterval(fraction)
    }
}

extension Instant {
    /// `date` in ISO 8601, UTC, to the millisecond.
    static func formatMilliseconds(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

import AurumCore
import Foundation
import PropertyBased
import Testing

/// The direct encoder ingest writes with gives what Foundation's `JSONEncoder` gives, for the
/// values it writes and for random ones (`AURUM_FUZZ_SEED` replays a run), and refuses what a
/// `JSONValue` cannot hold as that encoder writes it.
@Suite struct JSONValueEncoderTests {
    /// What `JSONEncoder` writes, read back as a value.
    static func standard(_ value: some Encodable) -> JSONValue { JSONValue(encoding: value) }

    static func randomValue(depth: Int, using rng: inout Xoshiro) -> JSONValue {
        switch Int.random(in: 0...(depth > 3 ? 3 : 5), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return Bool.random(using: &rng) ? .number(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)))
                                                 : .number(Double.random(in: -1e6...1e6, using: &rng))
        case 3: return .string(randomText(using: &rng))
        case 4: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(depth: depth + 1, using: &rng) })
        default:
            var members = [String: JSONValue]()
            for _ in 0..<Int.random(in: 0...4, using: &rng) { members[randomText(using: &rng)] = randomValue(depth: depth + 1, using: &rng) }
            return .object(members)
        }
    }

    static func randomText(using rng: inout Xoshiro) -> String {
        let alphabet = Array("abcXYZ 0-_\"\\/\n\t\u{01}é€😀")
        return String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    @Test func writesWhatTheStandardEncoderWritesForRandomValues() throws {
        let seed = ProcessInfo.processInfo.environment["AURUM_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_206
        var rng = Xoshiro(seed: (seed, seed &* 3, seed &* 33, seed &* 333))
        for round in 0..<300 {
            let explanation = Self.randomValue(depth: 0, using: &rng)
            let band = MatchBand.allCases.randomElement(using: &rng)!
            var duplicates = [PossibleDuplicate]()
            for n in 0..<Int.random(in: 0...3, using: &rng) {
                let target: MatchTarget = n.isMultiple(of: 2) ? .record(Int64(n + 1)) : .changeRequest(Int64(n + 7))
                let resolution: String? = n == 1 ? "distinct" : nil
                duplicates.append(PossibleDuplicate(target: target, score: Double(n) * 1.5, band: band,
                                                    explanation: Self.randomValue(depth: 1, using: &rng), resolution: resolution))
            }
            let match = FlowMatch(band: band, recordID: round.isMultiple(of: 3) ? nil : Int64(round), score: round.isMultiple(of: 5) ? nil : -2.25,
                                  explanation: round.isMultiple(of: 4) ? nil : explanation, possibleDuplicates: duplicates)
            #expect(try JSONValueEncoder.encode(match) == Self.standard(match), "seed \(seed), round \(round)")
            let contributions = [SourceContribution(source: Self.randomText(using: &rng), sourceKey: "K-\(round)",
                                                    attributes: ["name": Self.randomValue(depth: 2, using: &rng)], changedAt: ["name": "2026-12-06T11:00:00.000Z"])]
            #expect(try JSONValueEncoder.encode(contributions) == Self.standard(contributions), "seed \(seed), round \(round)")
        }
    }

    struct Shapes: Encodable {
        var lineage: [String: Lineage] = ["name": Lineage(source: "plm", sourceKey: "P-1", strategy: "trust"), "code": Lineage(steward: "ana", strategy: "steward")]
        var steward: [String: StewardValue] = ["uom": StewardValue(value: "Units", steward: "ana", at: "2026-12-06T11:00:00.000Z")]
        var byNumber: [Int: String] = [3: "three", 10: "ten"]
        var nested: [[Int?]] = [[1, nil], [], [Int(Int32.max)]]
        var small: Int8 = -8, unsigned: UInt16 = 65535, single: Float = 0.5, date = Date(timeIntervalSinceReferenceDate: 12.5)
        var absent: String? = nil

        enum CodingKeys: String, CodingKey { case lineage, steward, byNumber = "by_number", nested, small, unsigned, single, date, absent, inner }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lineage, forKey: .lineage)
            try c.encode(steward, forKey: .steward)
            try c.encode(byNumber, forKey: .byNumber)
            try c.encode(nested, forKey: .nested)
            try c.encode(small, forKey: .small)
            try c.encode(unsigned, forKey: .unsigned)
            try c.encode(single, forKey: .single)
            try c.encode(date, forKey: .date)
            try c.encodeIfPresent(absent, forKey: .absent)
            var inner = c.nestedContainer(keyedBy: CodingKeys.self, forKey: .inner)
            try inner.encodeNil(forKey: .absent)
            var list = inner.nestedUnkeyedContainer(forKey: .nested)
            try list.encode("a")
            try list.encodeNil()
        }
    }

    @Test func writesEveryShapeAsTheStandardEncoder() throws {
        #expect(try JSONValueEncoder.encode(Shapes()) == Self.standard(Shapes()))
        #expect(try JSONValueEncoder.encode(FlowMatch.none) == Self.standard(FlowMatch.none))
        #expect(try JSONValueEncoder.encode([Finding]()) == .array([]))
    }

    @Test func refusesWhatAValueCannotHoldAsTheEncoderWritesIt() throws {
        #expect(throws: JSONValueEncoder.Unrepresentable.self) { try JSONValueEncoder.encode(["id": Int64(1) << 60]) }
        #expect(throws: JSONValueEncoder.Unrepresentable.self) { try JSONValueEncoder.encode(["blob": Data([1, 2])]) }
        #expect(throws: JSONValueEncoder.Unrepresentable.self) { try JSONValueEncoder.encode([URL(fileURLWithPath: "/tmp")]) }
    }

    @Test func holdsIntegersUpToTwoToTheFiftyThird() throws {
        #expect(try JSONValueEncoder.encode(["id": Int64(1) << 53]) == ["id": .number(9_007_199_254_740_992)])
    }
}

@testable import AurumCore
import Testing

/// The canonical form the chain hashes is RFC 8785's, checked against the RFC's own examples, and
/// the chain check names the first entry where a chain was altered, broken, thinned or cut.
@Suite struct AuditChainTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992, "9007199254740992"), (-9007199254740992, "-9007199254740992"), (1e21, "1e+21"),
        (1e20, "100000000000000000000"), (0.000001, "0.000001"), (1e-7, "1e-7"), (4.5, "4.5"), (2e-3, "0.002"),
        (333333333.33333329, "333333333.3333333"), (1e23, "1e+23"), (1e30, "1e+30"), (1e-27, "1e-27"), (0.021, "0.021"),
        (123.45, "123.45"), (-1.5e-10, "-1.5e-10"), (295147905179352830000, "295147905179352830000"),
    ] as [(Double, String)])
    func numbersAreWrittenAsECMAScriptDoes(number: Double, expected: String) {
        #expect(CanonicalJSON.ecmaScript(number) == expected)
    }

    /// RFC 8785 § 3.2.4's example, and § 3.2.3's ordering of names by UTF-16 code units.
    @Test func theRFCsExamplesComeOutByteForByte() throws {
        let input = #"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"#
        let value = try JSONParser.parse(Array(input.utf8))
        #expect(CanonicalJSON.rfc8785(value) == #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
        let names = #"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#
        let sorted = CanonicalJSON.rfc8785(try JSONParser.parse(Array(names.utf8)))
        let order = ["Carriage Return", "One", "Control", "Latin Small", "Euro Sign", "Emoji", "Hebrew"].map { sorted.range(of: $0)!.lowerBound }
        #expect(order == order.sorted(), "\(sorted)")
        #expect(CanonicalJSON.rfc8785(.string("\u{8}\u{c}\u{1f}\u{7f}")) == #""\b\f\u001f\#u{7f}""#)
    }

    static func chain(_ count: Int) -> [ChainedAuditEntry] {
        var previous = AuditChain.genesis
        return (1...count).map { n in
            let entry = AuditEntry(actor: "alice", action: "change_request.approved", entity: "item", subject: "change_request:\(n)",
                                   recordID: Int64(n), version: 1, after: ["weight": .number(0.021), "name": .string("Bolt \(n)")],
                                   rulesVersion: "r1", requestID: "req-\(n)")
            let chained = ChainedAuditEntry(linking: entry, seq: Int64(n), at: "2026-12-06T03:00:0\(n).000001Z", after: previous)
            previous = chained.rowHash
            return chained
        }
    }

    static func check(_ entries: [ChainedAuditEntry], anchor: AuditAnchor? = nil, head: Int64? = nil) -> AuditChainProblem? {
        var check = AuditChainCheck(anchor: anchor)
        for entry in entries { if let problem = check.check(entry) { return problem } }
        return check.finish(recordedHead: head)
    }

    @Test func anIntactChainPassesAndEachTamperingIsNamedAtItsEntry() {
        let entries = Self.chain(6)
        let anchor = AuditAnchor(seq: 6, hash: entries[5].rowHash)
        #expect(Self.check(entries, anchor: anchor, head: 6) == nil)
        #expect(entries[0].prevHash == AuditChain.genesis && entries[1].prevHash == entries[0].rowHash)

        var altered = entries
        altered[2].entry.after = ["weight": .number(0.02), "name": .string("Bolt 3")]
        #expect(Self.check(altered) == .altered(seq: 3))

        var rehashed = entries  // a forger who recomputes the altered entry's own hash
        rehashed[2] = ChainedAuditEntry(linking: AuditEntry(actor: "mallory", action: "x", subject: "y"), seq: 3, at: entries[2].at,
                                        after: entries[2].prevHash)
        #expect(Self.check(rehashed) == .broken(seq: 4))

        var thinned = entries
        thinned.remove(at: 2)
        #expect(Self.check(thinned) == .missing(from: 3, to: 3))

        let cut = Array(entries.prefix(4))
        #expect(Self.check(cut) == nil, "without an anchor or a head a cut tail looks whole")
        #expect(Self.check(cut, head: 6) == .cutOff(last: 4, expected: 6))
        #expect(Self.check(cut, anchor: anchor) == .cutOff(last: 4, expected: 6))
        #expect(Self.check(entries, anchor: AuditAnchor(seq: 6, hash: entries[4].rowHash)) == .anchorDiffers(seq: 6))
    }

    @Test func anchorsReadBackAsPrinted() {
        let anchor = AuditAnchor(seq: 42, hash: String(repeating: "ab", count: 32))
        #expect(AuditAnchor(anchor.description) == anchor)
        #expect(AuditAnchor("42:" + String(repeating: "AB", count: 32)) == nil)
        #expect(AuditAnchor("x:" + anchor.hash) == nil)
        #expect(AuditAnchor("42") == nil)
    }
}

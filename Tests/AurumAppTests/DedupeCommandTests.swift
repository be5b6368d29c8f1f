import ArgumentParser
import AurumApp
import AurumTestSupport
import Foundation
import Testing

@Suite struct DedupeCommandTests {
    @Test func findsTheProcurementDuplicatesAndKeepsLookAlikesApart() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dedupe-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var command = try Aurum.parseAsRoot(["dedupe", ProjectPaths.examples + "/suppliers-procurement.csv", "--entity", "supplier",
                                             "--rules", ProjectPaths.rules, "--json", "--output", file]) as! AsyncParsableCommand
        try await command.run()
        let output = try String(contentsOfFile: file, encoding: .utf8)
        let report = try JSONDecoder().decode(Report.self, from: Data(output.utf8))
        #expect(report.pairs.map { "\($0.a)~\($0.b)" }.sorted() == ["P-001~P-002", "P-003~P-004", "P-005~P-006", "P-009~P-010"])
        #expect(report.pairs.allSatisfy { $0.band == "auto_link" || $0.band == "review" })
        #expect(report.clusters.map { $0.joined(separator: ",") }.sorted() == ["P-001,P-002", "P-003,P-004", "P-005,P-006", "P-009,P-010"])
        #expect(report.vetoed.map { "\($0.a)~\($0.b):\($0.explanation.vetoed_by ?? "")" } == ["P-012~P-013:different_vat"])
        #expect(report.stats.records == 13 && report.stats.pairs_compared >= 4)
        let first = try #require(report.pairs.first)
        #expect(first.explanation.text.hasPrefix("prior -16.6 · vat \"DE"))
        #expect(first.explanation.comparisons.first { $0.attribute == "name" }?.a == "wurth industrie service")
        #expect(report.pairs.allSatisfy { $0.probability != nil }, "a listed pair has its probability")
        #expect(report.vetoed.allSatisfy { $0.probability == nil }, "a vetoed pair is distinct, with no near-certain probability beside it")
        // The JSON's terms add up to the weight.
        for pair in report.pairs + report.vetoed {
            #expect(abs(pair.prior_weight + pair.explanation.comparisons.reduce(0) { $0 + $1.weight } - pair.weight) < 0.01)
        }
    }

    /// An export without item codes: every row fails validation ("code is required"), and the
    /// duplicates, named differently by two systems, are still listed beside the findings.
    @Test func rowsThatFailValidationAreStillMatchedUnlessValidOnly() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("no-codes-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
            source_key,name,shop_category
            A1,startech com expresscard to cardbus laptop adapter cb2ec,adapters
            W1,startech com cb2ec expresscard to pcmcia adapter card,adapters
            A2,targus privacy filter for 19 inch widescreen monitor asf19wusz,filters
            W2,crown ecoplus mat 3 x 10 charcoal,mats
            A3,lexmark 16 black print cartridge 10n0016,toner

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let all = try await runAurumCapturingAll(["dedupe", file, "--entity", "item", "--rules", ProjectPaths.rules, "--json"])
        #expect(all.code == 0)
        let report = try JSONDecoder().decode(Report.self, from: Data(all.output.utf8))
        #expect(report.pairs.map { "\($0.a)~\($0.b)" } == ["A1~W1"])
        #expect(report.invalid.count == 5 && report.invalid.allSatisfy { $0.errors.contains { $0.attribute == "code" } })
        #expect(all.errors.contains("warning: column shop_category is not item attribute and never compared"), "\(all.errors)")
        let valid = try await runAurumCapturingAll(["dedupe", file, "--entity", "item", "--rules", ProjectPaths.rules, "--json", "--valid-only"])
        let restricted = try JSONDecoder().decode(Report.self, from: Data(valid.output.utf8))
        #expect(restricted.pairs.isEmpty && restricted.invalid.count == 5 && restricted.stats.records == 0)
    }

    /// Thirty items sharing 22 common words: each word's block is over the name_word limit (25)
    /// and skipped. The report sums them up per key and lists only the largest 20.
    @Test func oversizedBlocksAreSummedUpPerKey() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("common-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let common = (0..<22).map { "common" + String(UnicodeScalar(UInt8(97 + $0))) }.joined(separator: " ")
        let rows = (0..<30).map { "I\($0),I-\($0),unique\(String(UnicodeScalar(UInt8(97 + $0 % 26))))\(String(UnicodeScalar(UInt8(97 + $0 / 26)))) \(common)" }
        try (["source_key,code,name"] + rows).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let all = try await runAurumCapturingAll(["dedupe", file, "--entity", "item", "--rules", ProjectPaths.rules, "--json"])
        #expect(all.code == 0)
        struct Oversized: Decodable {
            struct Summary: Decodable, Equatable { var key: String; var blocks: Int; var records: Int; var largest: Int; var skipped: Bool }
            struct Block: Decodable { var key: String; var size: Int }
            struct Stats: Decodable { var oversized: [Summary]; var oversized_blocks: [Block] }
            var stats: Stats
        }
        let report = try JSONDecoder().decode(Oversized.self, from: Data(all.output.utf8))
        #expect(report.stats.oversized == [.init(key: "name_word", blocks: 22, records: 660, largest: 30, skipped: true)])
        #expect(report.stats.oversized_blocks.count == 20 && report.stats.oversized_blocks.allSatisfy { $0.key == "name_word" && $0.size == 30 })
        let text = try await runAurumCapturingAll(["dedupe", file, "--entity", "item", "--rules", ProjectPaths.rules])
        #expect(text.output.contains("22 oversized blocks of key name_word (largest 30, 660 members in all) skipped"), "\(text.output)")
    }

    struct Report: Decodable {
        struct Pair: Decodable {
            var a: String; var b: String; var weight: Double; var prior_weight: Double; var probability: Double?; var band: String
            var explanation: Explanation
        }
        struct Explanation: Decodable { var text: String; var comparisons: [Comparison]; var vetoed_by: String? }
        struct Comparison: Decodable { var attribute: String; var a: String?; var weight: Double }
        struct Invalid: Decodable { var record: String; var errors: [Finding] }
        struct Finding: Decodable { var attribute: String }
        struct Stats: Decodable { var records: Int; var pairs_compared: Int; var seconds: Double; var peak_memory_bytes: Int }
        var pairs: [Pair]
        var vetoed: [Pair]
        var clusters: [[String]]
        var invalid: [Invalid]
        var stats: Stats
    }
}

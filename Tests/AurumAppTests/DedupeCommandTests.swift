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
        #expect(first.explanation.text.hasPrefix("vat: exact +"))
        #expect(first.explanation.comparisons.first { $0.attribute == "name" }?.a == "wurth industrie service")
    }

    struct Report: Decodable {
        struct Pair: Decodable { var a: String; var b: String; var score: Double; var probability: Double; var band: String; var explanation: Explanation }
        struct Explanation: Decodable { var text: String; var comparisons: [Comparison]; var vetoed_by: String? }
        struct Comparison: Decodable { var attribute: String; var a: String? }
        struct Stats: Decodable { var records: Int; var pairs_compared: Int; var seconds: Double; var peak_memory_bytes: Int }
        var pairs: [Pair]
        var vetoed: [Pair]
        var clusters: [[String]]
        var stats: Stats
    }
}

@testable import AurumApp
import ArgumentParser
import AurumCore
import AurumTestSupport
import Foundation
import Testing

@Suite struct MatchEstimateTests {
    /// Writes a generated supplier file and its labels, runs `aurum match estimate`, returns the block.
    func estimate(labels: Bool) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("estimate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let data = SyntheticData.generate(entity: "supplier", count: 2_000, dupRate: 0.1, seed: 9)
        try ([CSVWriter.line(data.header)] + data.rows.map(CSVWriter.line)).joined(separator: "\n").write(toFile: directory + "/records.csv", atomically: true, encoding: .utf8)
        var pairs = ["a,b,match"]
        for group in Dictionary(grouping: data.rows.indices, by: { data.cluster[$0] }).values where group.count > 1 {
            pairs.append("\(data.rows[group[0]][0]),\(data.rows[group[1]][0]),1")
        }
        for index in stride(from: 0, to: 400, by: 2) { pairs.append("\(data.rows[index][0]),\(data.rows[index + 1][0]),0") }
        try pairs.joined(separator: "\n").write(toFile: directory + "/labels.csv", atomically: true, encoding: .utf8)
        var arguments = ["match", "estimate", directory + "/records.csv", "--entity", "supplier", "--rules", ProjectPaths.rules,
                         "--sample", "20000", "--output", directory + "/out.yaml"]
        if labels { arguments += ["--labels", directory + "/labels.csv"] }
        var command = try Aurum.parseAsRoot(arguments) as! AsyncParsableCommand
        try await command.run()
        return try String(contentsOfFile: directory + "/out.yaml", encoding: .utf8)
    }

    /// The m of the `exact` level of `attribute` in an estimated block.
    func exactM(_ block: String, _ attribute: String) -> Double? {
        let lines = block.split(separator: "\n")
        guard let start = lines.firstIndex(of: "    - attribute: \(Substring(attribute))"),
              let level = lines[start...].first(where: { $0.contains("label: exact") }),
              let m = level.split(separator: "m: ").last?.split(separator: ",").first else { return nil }
        return Double(m)
    }

    @Test func emEstimatePrintsAMatchBlockWithStrongAgreementWeights() async throws {
        let block = try await estimate(labels: false)
        #expect(block.hasPrefix("# EM in "))
        #expect(block.contains("\nmatch:\n  prior: "))
        let vat = try #require(exactM(block, "vat"))
        // A pass that settled on look-alikes (one street, one city) would give VAT an m near 0.
        #expect(vat > 0.3, "VAT agrees for many duplicates: m \(vat)")
    }

    @Test func labelledPairsGiveMFromTheKnownMatches() async throws {
        let block = try await estimate(labels: true)
        #expect(block.hasPrefix("# from "))
        #expect(block.contains("non-matching labelled pairs"))
        let zip = try #require(exactM(block, "zip"))
        #expect(zip > 0.5, "most duplicates keep their zip in the generated data (a wrong digit in some): m \(zip)")
    }
}

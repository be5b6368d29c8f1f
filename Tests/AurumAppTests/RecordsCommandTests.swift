import ArgumentParser
@testable import AurumApp
import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Testing

/// `aurum records search|export` and `aurum record --diff` against a live server.
@Suite struct RecordsCommandTests {
    @Test func searchExportAndDiffThroughTheCLI() async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let ids = try await t.release([
                    SampleRules.item("P-1", ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units", "weight": 0.02]),
                    SampleRules.item("P-2", ["code": "N-2001", "name": "Hex nut M8, zinc+nickel", "uom": "Units"]),
                    SampleRules.item("P-3", ["code": "W-3001", "name": "Washer M8", "uom": "Units"]),
                ])
                _ = try await t.release([SampleRules.item("P-1", ["code": "B-1001", "name": "Hex bolt M8x40 DIN 933", "uom": "Units", "weight": 0.021])])
                let steward = try await t.actor("sam", .steward).token
                let common = ["--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile(steward)]

                let found = try await runAurumCapturingAll(["records", "search", "item", "--query", "hex"] + common)
                #expect(found.code == 0 && found.output.contains("B-1001") && found.output.contains("N-2001") && !found.output.contains("W-3001"),
                        "\(found.output)\(found.errors)")
                let quiet = try await runAurumCapturingAll(["records", "search", "item", "--where", "code=n-2001", "--quiet"] + common)
                #expect(quiet.output == "\(ids[1])\n", "only the ids: \(quiet.output)")
                let plus = try await runAurumCapturingAll(["records", "search", "item", "--where", "name=Hex nut M8, zinc+nickel", "--quiet"] + common)
                #expect(plus.output == "\(ids[1])\n", "a + in a value is sent as itself: \(plus.output)")
                let paged = try await runAurumCapturingAll(["records", "search", "item", "--limit", "2"] + common)
                #expect(paged.output.contains("more: --after \(ids[1])"), "\(paged.output)")
                let typo = try await runAurumCapturingAll(["records", "search", "item", "--where", "nmae=x"] + common)
                #expect(typo.code == 1 && typo.errors.contains("did you mean \"name\""), "\(typo.errors)")

                let csv = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString).csv").path
                defer { try? FileManager.default.removeItem(atPath: csv) }
                let exported = try await runAurumCapturingAll(["records", "export", "item", "--format", "csv", "--output", csv, "--rules", ProjectPaths.rules] + common)
                #expect(exported.code == 0 && exported.errors.contains("3 item records written"), "\(exported.errors)")
                let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
                #expect(lines.count == 4 && lines[0].hasPrefix("id,state,version,updated_at,code,name,"), "\(lines.first ?? "")")
                #expect(lines[2].contains("\"Hex nut M8, zinc+nickel\""), "a comma in a value is quoted: \(lines[2])")
                let ndjson = try await runAurumCapturingAll(["records", "export", "item", "--format", "ndjson", "--query", "bolt"] + common)
                let record = try JSONDecoder().decode(RecordView.self, from: Data(ndjson.output.utf8))
                #expect(record.id == ids[0] && record.version == 2 && ndjson.output.split(separator: "\n").count == 1)

                let diff = try await runAurumCapturingAll(["record", "item", String(ids[0]), "--diff", "1", "2"] + common)
                #expect(diff.code == 0 && diff.output.contains("name") && diff.output.contains("Hex bolt M8x40 DIN 933") && diff.output.contains("0.021"),
                        "\(diff.output)\(diff.errors)")
                #expect(!diff.output.contains("code"), "what did not change is not listed: \(diff.output)")
                let none = try await runAurumCapturingAll(["record", "item", String(ids[0]), "--diff", "1", "9"] + common)
                #expect(none.code == 3 && none.errors.contains("has no version 9; it has versions 1 to 2"), "\(none.errors)")
            }
        }
    }

    @Test func aDiffNeedsTwoVersions() {
        #expect(throws: (any Error).self) { try Aurum.parseAsRoot(["record", "item", "1", "--diff", "1"]) }
        #expect(throws: (any Error).self) { try Aurum.parseAsRoot(["records", "search", "item", "--where", "novalue"]) }
    }
}

@testable import AurumApp
import AurumCore
import AurumTestSupport
import Foundation
import Testing

/// `aurum load`: existing master data in as golden records, deduplicated, audited, resumable.
@Suite struct LoadCommandTests {
    static let csv = """
        source_key,code,name,uom,barcode,description
        P-1,B-1001,Hex bolt M8x40,Units,4006381333931,Hex bolt DIN 933 M8x40 steel zinc plated
        P-2,B-1002,Hex nut M8,Units,,
        P-3,B-1001,Hex bolt M8x40 zinc,Units,4006381333931,Hex bolt
        P-4,,Washer M8,Units,,
        P-5,B-1002,Wing nut M6,Units,,
        P-6,B-1003,Washer M8 DIN 125,Units,,

        """

    func withFile(_ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-load-\(UUID().uuidString).csv").path
        try Self.csv.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    @Test func loadsValidRowsAsReleasedRecordsOnePerDuplicateClusterAndARerunSkipsThem() async throws {
        try await TestStore.with { t in
            try await withFile { path in
                let arguments = ["load", path, "--entity", "item", "--source", "odoo", "--database-url", t.settings.url, "--json"]
                let first = try await runAurumCapturing(arguments)
                #expect(first.code == 1, "invalid and refused rows make the exit code 1")
                let outcome = try JSONDecoder().decode(JSONValue.self, from: Data(first.output.utf8))
                #expect(outcome.objectValue?["rows"] == 6 && outcome.objectValue?["loaded"] == 3 && outcome.objectValue?["merged"] == 1)
                #expect(outcome.objectValue?["invalid"]?.arrayValue?.first?.objectValue?["source_key"] == "P-4", "P-4 has no code")
                let refused = outcome.objectValue?["refused"]?.arrayValue?.first?.objectValue
                #expect(refused?["source_key"] == "P-5" && refused?["message"]?.stringValue?.contains("code \"B-1002\"") == true)

                // P-1 and P-3 share code and barcode: one record with both keys, values by survivorship.
                let bolt = try #require(try await t.store.crossReference(source: "odoo", sourceKey: "P-3", entities: ["item"]).first)
                #expect(try await t.store.crossReference(source: "odoo", sourceKey: "P-1", entities: ["item"]).first?.recordID == bolt.recordID)
                let record = try #require(try await t.store.record(entity: "item", id: bolt.recordID))
                #expect(record.version == 1 && record.state == .active && record.sources.map(\.sourceKey) == ["P-1", "P-3"])
                #expect(record.attributes["description"] == "Hex bolt DIN 933 M8x40 steel zinc plated", "item descriptions survive by length")
                #expect(record.lineage["description"] == Lineage(source: "odoo", sourceKey: "P-1", strategy: "longest"))
                let actions = try await t.auditActions()
                #expect(actions.filter { $0 == "record.loaded" }.count == 3 && actions.last == "load.completed")
                // Vacuumed by their owner (a vacuum by the application role skips every table):
                // the visibility map says all is visible, so look-ups read the indexes alone.
                let visible = try await t.client.query("""
                    SELECT relname::text FROM pg_class WHERE relname IN ('golden_record', 'golden_version', 'match_key') AND relallvisible > 0
                    """, logger: TestLogger.quiet)
                let pages = try await visible.decode(String.self).reduce(into: Set<String>()) { $0.insert($1) }
                #expect(pages == ["golden_record", "golden_version", "match_key"], "\(pages)")

                // Loaded records are matched like any other: a candidate with the same code links to them.
                let plm = try await t.actor("plm-sync", .source)
                let candidate = CandidateSubmission(entity: "item", source: "plm", sourceKey: "PLM-7",
                                                    attributes: ["code": "B-1003", "name": "Washer M8 DIN 125", "uom": "Units"])
                let result = try await t.store.ingest([candidate], by: plm.principal, requestID: "r")[0]
                #expect(result.match?.band == .autoLink)

                let again = try await runAurumCapturing(arguments)
                let second = try JSONDecoder().decode(JSONValue.self, from: Data(again.output.utf8))
                #expect(second.objectValue?["loaded"] == 0 && second.objectValue?["skipped"] == 3, "a rerun skips what is loaded")
                #expect(try await t.store.recordCount(entity: "item") == 3)
            }
        }
    }

    /// Batches are written one after the other while the next is prepared: every record of
    /// every batch is loaded once, and a second run finds them all loaded.
    @Test func aLoadOfSeveralBatchesWritesEachOnceAndARerunSkipsThemAll() async throws {
        try await TestStore.with { t in
            var csv = "source_key,code,name,uom\n"
            for n in 1...250 { csv += "M-\(n),M-\(n),Mutter Sorte\(n) Teil\(n * 3),Units\n" }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-load-\(UUID().uuidString).csv").path
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let arguments = ["load", path, "--entity", "item", "--source", "odoo", "--batch", "100", "--database-url", t.settings.url, "--json"]
            let first = try await runAurumCapturing(arguments)
            let outcome = try JSONDecoder().decode(JSONValue.self, from: Data(first.output.utf8))
            #expect(first.code == 0 && outcome.objectValue?["loaded"] == 250, "\(first.output)")
            #expect(try await t.store.recordCount(entity: "item") == 250)
            #expect(try await t.auditActions().filter { $0 == "record.loaded" }.count == 250)
            let again = try await runAurumCapturing(arguments)
            let second = try JSONDecoder().decode(JSONValue.self, from: Data(again.output.utf8))
            #expect(second.objectValue?["loaded"] == 0 && second.objectValue?["skipped"] == 250)
        }
    }

    /// A word on more items of the file than four times its key's limit is marked common before
    /// the load writes: its members are never stored, nor are they by a create with that word.
    @Test func aWordTheFileMakesCommonIsMarkedAndItsMembersNotStored() async throws {
        try await TestStore.with { t in
            let rules = try #require(t.rules.entities["item"]?.match)
            let wordKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name_word" })
            // The name_word hashes two names share: "schraube" of the file's many, "zentrifuge" of its one.
            func shared(_ a: String, _ b: String) throws -> UInt64 {
                let keys = { (name: String) in Set(MatchRecord(id: "", attributes: ["name": .string(name)], rules: rules).keys) }
                return try #require(keys(a).intersection(keys(b)).first { Blocking.key(of: $0) == wordKey })
            }
            let word = try shared("Schraube 1x7", "Schraube Zentrifuge Sonder"), rare = try shared("Zentrifuge Labor", "Schraube Zentrifuge Sonder")
            let count = try #require(rules.commonSize(of: word)) + 1
            var csv = "source_key,code,name,uom\n"
            for n in 1...count { csv += "S-\(n),C-\(n),Schraube \(n)x\(n * 7),Units\n" }
            csv += "Z-1,Z-1,Zentrifuge Labor,Units\n"
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-load-\(UUID().uuidString).csv").path
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let run = try await runAurumCapturing(["load", path, "--entity", "item", "--source", "odoo", "--database-url", t.settings.url, "--json"])
            #expect(run.code == 0, "\(run.output)")
            #expect(try await t.store.recordCount(entity: "item") == count + 1)
            let marked = try await t.client.query("SELECT key_hash FROM match_key_common WHERE entity = 'item'", logger: TestLogger.quiet)
            let markedKeys = try await marked.decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
            // The word and any other form of it the name's words give (every one on all the file's screws).
            let screw = Set(MatchRecord(id: "", attributes: ["name": "Schraube 1x7"], rules: rules).keys)
            #expect(markedKeys.contains(Int64(bitPattern: word))
                    && markedKeys.allSatisfy { screw.contains(UInt64(bitPattern: $0)) && Blocking.key(of: UInt64(bitPattern: $0)) == wordKey })
            let members = try await t.client.query("""
                SELECT count(*) FILTER (WHERE key_hash = \(Int64(bitPattern: word))), count(*) FILTER (WHERE key_hash = \(Int64(bitPattern: rare)))
                FROM match_key
                """, logger: TestLogger.quiet)
            let (wordMembers, rareMembers) = try #require(try await members.decode((Int64, Int64).self).first { _ in true })
            #expect(wordMembers == 0 && rareMembers == 1, "the common word's members are not stored; the rare word's are")

            // A candidate's create stores its keys but the common one.
            let plm = try await t.actor("plm-sync", .source)
            let candidate = CandidateSubmission(entity: "item", source: "plm", sourceKey: "PLM-1",
                                                attributes: ["code": "N-1", "name": "Schraube Zentrifuge Sonder", "uom": "Units"])
            let result = try await t.store.ingest([candidate], by: plm.principal, requestID: "r")[0]
            let request = try #require(result.changeRequestID)
            let keys = try await t.client.query("SELECT key_hash FROM match_key WHERE change_request_id = \(request)", logger: TestLogger.quiet)
            let stored = try await keys.decode(Int64.self).reduce(into: Set<Int64>()) { $0.insert($1) }
            #expect(stored.contains(Int64(bitPattern: rare)) && !stored.contains(Int64(bitPattern: word)))
        }
    }

    @Test func aSourceKeyAnOpenCreateProposesIsRefusedNotGivenASecondRecord() async throws {
        try await TestStore.with { t in
            // Odoo's P-2 came in as a candidate first and waits for a steward.
            let odoo = try await t.actor("odoo-sync", .source, sources: ["odoo"])
            let candidate = CandidateSubmission(entity: "item", source: "odoo", sourceKey: "P-2", attributes: ["code": "B-1002", "name": "Hex nut M8", "uom": "Units"])
            let open = try #require(try await t.store.ingest([candidate], by: odoo.principal, requestID: "r")[0].changeRequestID)
            try await withFile { path in
                let loaded = try await runAurumCapturing(["load", path, "--entity", "item", "--source", "odoo", "--database-url", t.settings.url, "--json"])
                let outcome = try JSONDecoder().decode(JSONValue.self, from: Data(loaded.output.utf8))
                let refused = outcome.objectValue?["refused"]?.arrayValue?.compactMap(\.objectValue) ?? []
                #expect(refused.contains { $0["source_key"] == "P-2" && $0["message"]?.stringValue?.contains("open change request \(open)") == true },
                        "\(loaded.output)")
                #expect(try await t.store.crossReference(source: "odoo", sourceKey: "P-2", entities: ["item"]).isEmpty, "no record took the key")
                #expect(try await t.store.changeRequest(id: open)?.status == .open, "the steward still decides it")
            }
        }
    }
}

import ArgumentParser
import AurumApp
import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The steward's whole path over real HTTP: the CLI's commands against a live server on a real database.
@Suite struct EndToEndTests {
    func aurum(_ arguments: [String]) async throws -> Int32 { try await runAurum(arguments) }

    func withLiveServer(_ body: @escaping @Sendable (_ url: String, _ t: TestStore) async throws -> Void) async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                try await body("http://\(LiveServer.host):\(port)", t)
            }
        }
    }

    @Test func importApproveRejectAndReadBackThroughTheCLI() async throws {
        try await withLiveServer { url, t in
            let plm = try await t.actor("plm-sync", .source, entities: ["item"]).token
            let alice = try await t.actor("alice", .steward).token
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("items-\(UUID().uuidString).csv").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            try """
                source_key,code,name,uom,barcode,weight
                PLM-1,B-1001,Hex bolt M8x40,Units,4006381333931,0.021
                PLM-2,B-1002,"Washer, M8",Units,,
                PLM-3,B-1003,,Units,,
                """.write(toFile: file, atomically: true, encoding: .utf8)

            let ingested = try await runAurumCapturing(["ingest", file, "--entity", "item", "--source", "plm", "--url", url, "--token-file", tokenFile(plm)])
            #expect(ingested.code == 1, "a rejected row makes the exit code 1")
            #expect(ingested.output.contains("3 rows — 2 proposed, 0 unchanged, 1 rejected"), "the answers are read whole: \(ingested.output)")
            let open = try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10)
            try #require(open.map(\.sourceKey) == ["PLM-1", "PLM-2"])
            #expect(open[1].proposed["name"] == "Washer, M8")

            #expect(try await aurum(["approve", String(open[0].id), "--comment", "ok", "--url", url, "--token-file", tokenFile(alice)]) == 0)
            #expect(try await aurum(["reject", String(open[1].id), "--reason", "not ours", "--url", url, "--token-file", tokenFile(alice)]) == 0)
            #expect(try await aurum(["approve", String(open[1].id), "--url", url, "--token-file", tokenFile(alice)]) == 5, "decided already: a conflict")
            #expect(try await aurum(["approve", String(open[0].id), "--url", url, "--token-file", tokenFile(plm)]) == 4, "a source may not approve: forbidden")
            #expect(try await aurum(["approve", "9999", "--url", url, "--token-file", tokenFile(alice)]) == 3, "no such change request")
            let queue = try await runAurumCapturing(["queue", "--status", "all", "--url", url, "--token-file", tokenFile(alice), "--json"])
            #expect(queue.code == 0)
            let listed = try JSONDecoder().decode([ChangeRequestView].self, from: Data(queue.output.utf8))
            #expect(listed.map(\.status) == [.released, .rejected] && listed.map(\.sourceKey) == ["PLM-1", "PLM-2"], "\(queue.output)")
            let shown = try await runAurumCapturing(["show", String(open[0].id), "--url", url, "--token-file", tokenFile(alice)])
            #expect(shown.code == 0)
            #expect(shown.output.hasPrefix("change request \(open[0].id): create item record"), "\(shown.output)")
            #expect(shown.output.contains("released") && shown.output.contains("approvals 1 · alice at steward: ok"), "\(shown.output)")

            let released = try #require(try await t.store.changeRequest(id: open[0].id)?.recordID)
            let record = try #require(try await t.store.record(entity: "item", id: released))
            #expect(record.attributes == ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units", "barcode": "4006381333931", "weight": 0.021])
            let history = try await runAurumCapturing(["record", "item", String(released), "--versions", "--url", url, "--token-file", tokenFile(alice)])
            #expect(history.code == 0)
            let rows = history.output.split(separator: "\n")
            #expect(rows.count == 2 && rows[0].hasPrefix("VERSION"), "\(history.output)")
            #expect(rows.last?.hasPrefix("1 ") == true && rows.last?.contains("code=B-1001") == true && rows.last?.contains("alice") == true,
                    "\(history.output)")

            // The same file again: its batch was stored, so its answer is repeated and nothing reopens.
            let again = try await runAurumCapturingAll(["ingest", file, "--entity", "item", "--source", "plm", "--url", url, "--token-file", tokenFile(plm), "--json"])
            #expect(again.errors.contains("had been sent and stored by an earlier run"), "\(again.errors)")
            #expect(try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10).isEmpty)
            // Sent anew on purpose, the rejected row opens a new change request.
            #expect(try await aurum(["ingest", file, "--entity", "item", "--source", "plm", "--resend", "--url", url, "--token-file", tokenFile(plm), "--json"]) == 1)
            #expect(try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10).map(\.sourceKey) == ["PLM-2"])
        }
    }

    @Test func unreachableServerExits69() async throws {
        #expect(try await aurum(["queue", "--url", "http://127.0.0.1:9", "--token-file", tokenFile("aurum_x")]) == 69)
    }

    @Test func rulesCheckExitsNonZeroOnATypo() async throws {
        #expect(try await aurum(["rules", "check", ProjectPaths.rules]) == 0)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        for name in ["aurum.yaml", "item.yaml"] {
            try FileManager.default.copyItem(atPath: ProjectPaths.rules + "/" + name, toPath: broken + "/" + name)
        }
        let item = try String(contentsOfFile: broken + "/item.yaml", encoding: .utf8)
        try item.replacingOccurrences(of: "required: true", with: "requried: true").write(toFile: broken + "/item.yaml", atomically: true, encoding: .utf8)
        #expect(try await aurum(["rules", "check", broken]) == 1)
    }
}

@testable import AurumApp
import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

/// `aurum audit verify|anchor|export` on the database.
@Suite struct AuditCommandTests {
    @Test func verifyAnchorAndExportAsAnAuditorUsesThem() async throws {
        try await TestStore.with { t in
            let database = ["--database-url", t.settings.url]
            _ = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt), SampleRules.item("PLM-2", ["code": "B-2", "name": "Nut, \"M8\"", "uom": "Units"])])
            let anchor = try await runAurumCapturing(["audit", "anchor"] + database)
            let head = try #require(AuditAnchor(anchor.output), "\(anchor.output)")
            let verified = try await runAurumCapturing(["audit", "verify", "--anchor", head.description] + database)
            #expect(verified.code == 0 && verified.output.contains("intact: \(head.seq) entries, head \(head)"), "\(verified.output)")

            let jsonl = try await runAurumCapturing(["audit", "export", "--format", "jsonl"] + database)
            let lines = jsonl.output.split(separator: "\n").map(String.init)
            #expect(lines.count == Int(head.seq))
            let last = try JSONParser.parse(Array(lines.last!.utf8))
            #expect(last.objectValue?["row_hash"]?.stringValue == head.hash && last.objectValue?["seq"] == .number(Double(head.seq)))
            let csv = try await runAurumCapturing(["audit", "export", "--format", "csv", "--from", "2000-01-01T00:00:00Z", "--to", "2000-01-02T00:00:00Z"] + database)
            #expect(csv.output == "seq,at,actor,action,entity,subject,record_id,version,before,after,reason,rules_version,request_id,prev_hash,row_hash\n",
                    "nothing was written in 2000: the header alone")
            let all = try await runAurumCapturing(["audit", "export", "--format", "csv"] + database)
            #expect(all.output.contains(#""{""code"":""B-2"",""name"":""Nut, \""M8\"""","#), "JSON in a quoted CSV field")

            try await t.asOwner { owner in
                try await owner.query("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only", logger: TestLogger.quiet)
                try await owner.query("UPDATE audit_entry SET request_id = 'forged' WHERE seq = 3", logger: TestLogger.quiet)
            }
            let broken = try await runAurumCapturingAll(["audit", "verify"] + database)
            #expect(broken.code == 1 && broken.errors.contains("entry 3 was altered"), "\(broken.errors)")
            let json = try await runAurumCapturing(["audit", "verify", "--json"] + database)
            let answer = try JSONParser.parse(Array(json.output.utf8)).objectValue
            #expect(json.code == 1 && answer?["intact"] == false && answer?["checked"] == 2)
            #expect(answer?["problem"]?.objectValue?["kind"] == "altered" && answer?["problem"]?.objectValue?["seq"] == 3)

            for (arguments, message) in [(["verify", "--anchor", "12:abc"], "--anchor 12:abc is not a head"),
                                         (["export", "--from", "yesterday"], "--from yesterday is not an instant")] {
                do {
                    _ = try Aurum.parseAsRoot(["audit"] + arguments)
                    Issue.record("\(arguments) parsed")
                } catch {
                    #expect(Aurum.exitCode(for: error).rawValue == 64 && Aurum.message(for: error).contains(message), "\(Aurum.message(for: error))")
                }
            }
        }
    }
}

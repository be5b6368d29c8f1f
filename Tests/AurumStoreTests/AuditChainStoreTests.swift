import AurumCore
@testable import AurumStore
import AurumTestSupport
import Foundation
import PostgresNIO
import Testing

/// The audit trail as a chain in the database: what writers leave, what `verify` catches when
/// someone with the owner's privileges rewrites it, and that an export checks out in Python.
@Suite struct AuditChainStoreTests {
    /// A small history: candidates, approvals, a rejection.
    static func history(_ t: TestStore) async throws {
        let plm = try await t.actor("plm-sync", .source)
        let alice = try await t.actor("alice", .steward)
        for n in 1...3 {
            let created = try await t.store.ingest([SampleRules.item("PLM-\(n)", ["code": .string("B-\(n)"), "name": .string("Bolt \(n)"), "uom": "Units",
                                                                                    "weight": .number(0.021 * Double(n))])],
                                                   by: plm.principal, requestID: "req-\(n)")[0]
            _ = try await t.store.approve(changeRequest: created.changeRequestID!, by: alice.principal, comment: nil, revision: nil, requestID: "ok-\(n)")
        }
        let update = try await t.store.ingest([SampleRules.item("PLM-1", ["uom": "kg"])], by: plm.principal, requestID: "req-9")[0]
        _ = try await t.store.reject(changeRequest: update.changeRequestID!, by: alice.principal, reason: "counted \"per piece\"\n", requestID: "no")
    }

    /// Runs SQL as the owner with the audit table's append-only trigger off: what an administrator
    /// of the database could do, and what the chain must reveal.
    static func tamper(_ t: TestStore, _ sql: String) async throws {
        try await t.asOwner { owner in
            try await owner.query("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only", logger: TestLogger.quiet)
            try await owner.query(PostgresQuery(unsafeSQL: sql), logger: TestLogger.quiet)
            try await owner.query("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only", logger: TestLogger.quiet)
        }
    }

    static func trail(_ t: TestStore) -> AuditTrail { AuditTrail(client: t.client, logger: TestLogger.quiet) }

    @Test func everyEntryIsLinkedInOrderAndTheHeadIsTheLast() async throws {
        try await TestStore.with { t in
            try await Self.history(t)
            let rows = try await t.client.query("SELECT seq, id FROM audit_entry ORDER BY seq", logger: TestLogger.quiet)
                .decode((Int64, Int64).self).rows()
            #expect(rows.map(\.0) == Array(1...Int64(rows.count)), "seq is 1, 2, 3, … without gaps")
            let found = try await Self.trail(t).verify()
            #expect(found.problem == nil && found.checked == Int64(rows.count))
            #expect(try await Self.trail(t).anchor() == found.head)
            let head = try await t.client.query("SELECT seq, hash FROM audit_chain_head", logger: TestLogger.quiet).decode((Int64, String).self).rows()
            #expect(head.first?.0 == found.head.seq && head.first?.1 == found.head.hash)
        }
    }

    @Test func aChangedByteIsNamedAtItsEntry() async throws {
        try await TestStore.with { t in
            try await Self.history(t)
            try await Self.tamper(t, "UPDATE audit_entry SET after = jsonb_set(after, '{weight}', '0.02') WHERE seq = (SELECT min(seq) FROM audit_entry WHERE after ? 'weight')")
            let altered = try await t.client.query("SELECT min(seq) FROM audit_entry WHERE after ? 'weight'", logger: TestLogger.quiet)
                .decode(Int64.self).first { _ in true }!
            let found = try await Self.trail(t).verify()
            #expect(found.problem == .altered(seq: altered) && found.checked == altered - 1)
        }
    }

    @Test func aDeletedMiddleRowIsNamed() async throws {
        try await TestStore.with { t in
            try await Self.history(t)
            try await Self.tamper(t, "DELETE FROM audit_entry WHERE seq = 5")
            #expect(try await Self.trail(t).verify().problem == .missing(from: 5, to: 5))
        }
    }

    @Test func aRehashedForgeryBreaksTheNextLink() async throws {
        try await TestStore.with { t in
            try await Self.history(t)
            // The forger recomputes entry 4's own hash after changing its actor, as anyone can.
            var forged: ChainedAuditEntry?
            try await Self.trail(t).export(from: nil, to: nil) { entry in
                guard entry.seq == 4 else { return true }
                var changed = entry.entry
                changed.actor = "mallory"
                forged = ChainedAuditEntry(linking: changed, seq: 4, at: entry.at, after: entry.prevHash)
                return false
            }
            let entry = try #require(forged)
            try await Self.tamper(t, "UPDATE audit_entry SET actor = 'mallory', row_hash = '\(entry.rowHash)' WHERE seq = 4")
            #expect(try await Self.trail(t).verify().problem == .broken(seq: 5))
        }
    }

    /// Removing the newest entries and moving the database's own head back leaves a chain that
    /// looks whole; the anchor kept outside proves the cut.
    @Test func aCutTailIsCaughtByTheAnchor() async throws {
        try await TestStore.with { t in
            try await Self.history(t)
            let anchor = try await Self.trail(t).anchor()
            #expect(try await Self.trail(t).verify(anchor: anchor).problem == nil)
            try await Self.tamper(t, "DELETE FROM audit_entry WHERE seq > \(anchor.seq - 2)")
            #expect(try await Self.trail(t).verify().problem == .cutOff(last: anchor.seq - 2, expected: anchor.seq), "the head row still knows")
            try await t.asOwner { owner in
                try await owner.query("""
                    UPDATE audit_chain_head SET seq = e.seq, hash = e.row_hash FROM (SELECT seq, row_hash FROM audit_entry ORDER BY seq DESC LIMIT 1) e
                    """, logger: TestLogger.quiet)
            }
            #expect(try await Self.trail(t).verify().problem == nil, "with the head moved back too, only the anchor can tell")
            #expect(try await Self.trail(t).verify(anchor: anchor).problem == .cutOff(last: anchor.seq - 2, expected: anchor.seq))
        }
    }

    @Test func aRowWrittenAroundAurumIsNamed() async throws {
        try await TestStore.with { t in
            try await Self.history(t)
            try await t.client.query("INSERT INTO audit_entry (actor, action, subject) VALUES ('mallory', 'record.released', 'record:1')", logger: TestLogger.quiet)
            let id = try await t.client.query("SELECT id FROM audit_entry WHERE actor = 'mallory'", logger: TestLogger.quiet).decode(Int64.self).first { _ in true }!
            #expect(try await Self.trail(t).verify().problem == .unchained(id: id))
        }
    }

    /// 32 writers at once (ingests, approvals, token changes) leave one chain without gaps.
    @Test func thirtyTwoConcurrentWritersKeepOneChain() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<32 {
                    group.addTask {
                        switch n % 3 {
                        case 0:
                            let created = try await t.store.ingest([SampleRules.item("C-\(n)", ["code": .string("C-\(n)"), "name": .string("Part \(n)"), "uom": "Units"])],
                                                                   by: plm.principal, requestID: "c-\(n)")[0]
                            _ = try await t.store.approve(changeRequest: created.changeRequestID!, by: alice.principal, comment: nil, revision: nil, requestID: "a-\(n)")
                        case 1:
                            _ = try await t.store.ingest((0..<5).map { SampleRules.item("B-\(n)-\($0)", ["code": .string("B-\(n)-\($0)"), "name": "Part", "uom": "Units"]) },
                                                         by: plm.principal, requestID: "b-\(n)")
                        default:
                            _ = try await t.actor("person-\(n)", .steward)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let found = try await Self.trail(t).verify()
            let count = try await t.client.query("SELECT count(*)::int8 FROM audit_entry", logger: TestLogger.quiet).decode(Int64.self).first { _ in true }!
            #expect(found.problem == nil && found.checked == count && found.head.seq == count, "\(found)")
        }
    }

    /// What the README tells an auditor to do, done with Python's standard library alone.
    @Test func anExportChecksOutWithPythonAndATamperedOneDoesNot() async throws {
        try await TestStore.with { t in
            try await Self.history(t)
            let anchor = try await Self.trail(t).anchor()
            var lines = [String]()
            try await Self.trail(t).export(from: nil, to: nil) { lines.append(CanonicalJSON.rfc8785($0.exported)); return true }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-trail-\(UUID().uuidString).jsonl").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let intact = try Self.python([ProjectPaths.root + "/scripts/audit-verify.py", file, "--anchor", anchor.description])
            #expect(intact.status == 0 && intact.output.contains("head \(anchor)"), "\(intact.output)")
            let tampered = lines.enumerated().map { $0.offset == 4 ? $0.element.replacingOccurrences(of: "\"alice\"", with: "\"mallory\"") : $0.element }
            #expect(tampered[4].contains("mallory"), "entry 5 is alice's approval")
            try (tampered.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let caught = try Self.python([ProjectPaths.root + "/scripts/audit-verify.py", file])
            #expect(caught.status == 1 && caught.output.contains("entry 5 was altered"), "\(caught.output)")
            try (lines.dropLast(2).joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let cut = try Self.python([ProjectPaths.root + "/scripts/audit-verify.py", file, "--anchor", anchor.description])
            #expect(cut.status == 1 && cut.output.contains("before the anchor"), "\(cut.output)")
        }
    }

    /// Entries written before the chain existed are linked, in id order, by the migration that
    /// made the trail a chain (its follow-up, run as the owner).
    @Test func entriesFromBeforeTheChainAreLinkedWhenItIsMade() async throws {
        try await TestStore.with { t in
            try await t.asOwner { owner in
                try await owner.query("""
                    INSERT INTO audit_entry (actor, action, subject, after) VALUES
                        ('alice', 'token.created', 'token:1', '{"name": "alice"}'), ('bob', 'token.created', 'token:2', NULL),
                        ('alice', 'token.revoked', 'token:2', '{"weight": 0.021}')
                    """, logger: TestLogger.quiet)
                #expect(try await Self.trail(t).verify().problem == .unchained(id: 1))
                try await owner.withConnection { connection in
                    try await connection.query("BEGIN", logger: TestLogger.quiet)
                    try await AuditTrail.chainEarlierEntries(on: connection, logger: TestLogger.quiet)
                    try await connection.query("COMMIT", logger: TestLogger.quiet)
                }
            }
            let found = try await Self.trail(t).verify()
            #expect(found.problem == nil && found.checked == 3, "\(found)")
            // The chain goes on from there.
            _ = try await t.actor("carol", .steward)
            #expect(try await Self.trail(t).verify().checked == 4)
        }
    }

    /// A second process configured with another audit key is refused before it seals anything.
    @Test func theDatabaseKeepsToTheFirstAuditKey() async throws {
        try await TestStore.with { t in
            let (first, second) = (AuditKey(bytes: Array(repeating: 1, count: 32)), AuditKey(bytes: Array(repeating: 2, count: 32)))
            try await t.store.requireAuditKey(first)
            try await t.store.requireAuditKey(first)
            try await t.store.requireAuditKey(nil)
            let refused = await #expect(throws: StoreError.self) { try await t.store.requireAuditKey(second) }
            #expect(refused?.message.contains("id \(second.id)") == true && refused?.message.contains("id \(first.id)") == true
                    && refused?.message.contains("AURUM_AUDIT_KEY_FILE") == true, "\(String(describing: refused))")
        }
    }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

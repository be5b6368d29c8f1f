import AurumCore
import AurumStore
import AurumTestSupport
import Foundation
import Testing

/// The change feed: every released version at a position handed out at commit, gap-free, read
/// in pages; and the versions current at an instant.
@Suite struct ChangeFeedTests {
    static func bolt(_ n: Int) -> CandidateSubmission {
        SampleRules.item("PLM-\(n)", ["code": .string("B-\(n)"), "name": .string("Bolt \(n)"), "uom": "Units"])
    }

    @Test func releasedVersionsAreReadInPagesInReleaseOrder() async throws {
        try await TestStore.with { t in
            let ids = try await t.release((1...5).map(Self.bolt))
            var renamed = SampleRules.hexBolt
            renamed["code"] = "B-1"
            renamed["name"] = "Bolt 1, zinc"
            _ = try await t.release([SampleRules.item("PLM-1", renamed)])
            let first = try await t.store.changes(after: 0, entities: t.allEntities, limit: 4)
            #expect(first.items.map(\.data.position) == [1, 2, 3, 4] && first.hasMore && first.nextCursor == 4)
            let rest = try await t.store.changes(after: first.nextCursor, entities: t.allEntities, limit: 4)
            #expect(rest.items.map(\.data.position) == [5, 6] && !rest.hasMore && rest.nextCursor == 6)
            let last = try #require(rest.items.last)
            #expect(last.id == "item-\(ids[0])-v2" && last.data.version == 2 && last.data.attributes["name"] == "Bolt 1, zinc")
            #expect(last.type == "aurum.item.released" && last.subject == "item/\(ids[0])")
            let none = try await t.store.changes(after: 6, entities: t.allEntities, limit: 4)
            #expect(none.items.isEmpty && none.nextCursor == 6 && !none.hasMore)
            #expect(try await t.store.changes(after: 0, entities: ["supplier"], limit: 10).items.isEmpty)
        }
    }

    @Test func asOfAnswersTheVersionCurrentThen() async throws {
        try await TestStore.with { t in
            let id = try #require(try await t.release([Self.bolt(1)]).first)
            try await Task.sleep(for: .milliseconds(50))
            let between = Date()
            try await Task.sleep(for: .milliseconds(50))
            var renamed = SampleRules.hexBolt
            renamed["code"] = "B-1"
            _ = try await t.release([SampleRules.item("PLM-1", renamed)])
            #expect(try await t.store.record(entity: "item", id: id, asOf: between)?.version == 1)
            #expect(try await t.store.record(entity: "item", id: id, asOf: Date())?.version == 2)
            #expect(try await t.store.record(entity: "item", id: id, asOf: between.addingTimeInterval(-3600)) == nil)
        }
    }

    /// 32 releasers at once for the configured time (default 30 s) while a reader follows the
    /// feed: it sees every release once, each page starting right after the last position it
    /// saw, and at the end the feed holds exactly the versions released, at positions 1…N.
    @Test func aReaderFollowingTheFeedUnder32ConcurrentReleasersSeesEveryReleaseOnceInOrder() async throws {
        let seconds = Double(ProcessInfo.processInfo.environment["AURUM_FEED_TEST_SECONDS"] ?? "") ?? 30
        try await TestStore.with { t in
            let source = try await t.actor("plm-sync", .source)
            let steward = try await t.actor("alice", .steward)
            let stop = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            async let reading: [Int64] = {
                var seen = [Int64]()
                var cursor: Int64 = 0
                var gaps = 0
                while ContinuousClock.now < stop + .seconds(2) {
                    let page = try await t.store.changes(after: cursor, entities: t.allEntities, limit: 50)
                    if let first = page.items.first?.data.position, first != cursor + 1 { gaps += 1 }
                    seen += page.items.map(\.data.position)
                    cursor = page.nextCursor
                    if page.items.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(gaps == 0, "a page never starts past the position after the last one read")
                return seen
            }()
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<32 {
                    group.addTask {
                        var n = 0, done = 0
                        while ContinuousClock.now < stop {
                            n += 1
                            let candidate = Self.bolt(worker * 1_000_000 + n)
                            guard let request = try await t.store.ingest([candidate], by: source.principal, requestID: "w\(worker)")[0].changeRequestID
                            else { continue }
                            _ = try await t.store.approve(changeRequest: request, by: steward.principal, comment: nil, revision: nil, requestID: "w\(worker)")
                            done += 1
                        }
                        return done
                    }
                }
                return try await group.reduce(0, +)
            }
            let seen = try await reading
            #expect(total > 32, "the releasers released (\(total))")
            #expect(seen == Array(1...Int64(seen.count)), "every position once, in order, none skipped")
            #expect(seen.count == total, "the reader saw every release: \(seen.count) of \(total)")
            let versions = try await t.client.query("SELECT count(*) FROM golden_version", logger: TestLogger.quiet)
            #expect(try await versions.decode(Int.self).first(where: { _ in true }) == total)
        }
    }
}

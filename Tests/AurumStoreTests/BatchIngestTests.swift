import AurumCore
@testable import AurumStore
import AurumTestSupport
import PostgresNIO
import Testing

/// A batch is one transaction planned in memory: its candidates end as if they had come one after
/// the other (a key or record named twice, a duplicate of an earlier create in the same batch),
/// a candidate that fails validation is stored as rejected beside the others, and concurrent
/// batches over the same keys never deadlock or open two proposals for one key.
@Suite struct BatchIngestTests {
    static func supplier(_ source: String, _ key: String, _ attributes: Attributes) -> CandidateSubmission {
        MergeTests.supplier(source, key, attributes)
    }

    static let acmePortal: Attributes = ["name": "Acme Industrial Supply GmbH", "street": "Hauptstrasse 5", "zip": "70173", "city": "Stuttgart",
                                         "country": "DE", "is_company": true, "vat": "DE129273398", "email": "info@acme-industrial.de"]
    static let brenner: Attributes = ["name": "Brenner Werkzeugbau GmbH", "street": "Industriestr. 12", "zip": "89073", "city": "Ulm",
                                      "country": "DE", "is_company": true, "vat": "DE811234567", "email": "info@brenner-werkzeugbau.de"]

    static func request(_ t: TestStore, _ result: IngestResult) async throws -> ChangeRequestView {
        let id = try #require(result.changeRequestID)
        return try #require(try await t.store.changeRequest(id: id))
    }

    @Test func aBatchEndsAsIfItsCandidatesCameOneAfterTheOther() async throws {
        try await TestStore.with { t in
            let sources = try await t.actor("sync", .source, sources: ["procurement", "portal"])
            let alice = try await t.actor("alice", .steward)
            let first = try await t.store.ingest([Self.supplier("procurement", "V-1001", MergeTests.acme)], by: sources.principal, requestID: "r")[0]
            let record = try #require(try await t.store.approve(changeRequest: first.changeRequestID!, by: alice.principal, comment: nil,
                                                                revision: nil, requestID: "r").recordID)
            var brennerLater = Self.brenner
            brennerLater["phone"] = "+49 731 55501"
            let batch = [
                Self.supplier("portal", "acme-42", Self.acmePortal),
                Self.supplier("portal", "acme-43", Self.acmePortal.merging(["email": "orders@acme-industrial.de"]) { $1 }),
                Self.supplier("procurement", "V-2000", Self.brenner),
                Self.supplier("procurement", "V-2001", ["name": "Nobody GmbH", "is_company": "perhaps"]),
                Self.supplier("procurement", "V-2000", brennerLater),
            ]
            let results = try await t.store.ingest(batch, by: sources.principal, requestID: "batch")
            #expect(results.map(\.status) == [.proposed, .proposed, .proposed, .rejected, .proposed])
            #expect(results[0].match?.band == .autoLink && results[0].match?.recordID == record)
            #expect(results[1].match?.band == .autoLink && results[1].match?.recordID == record)
            #expect(results[3].errors.map(\.attribute) == ["is_company"], "the rejected candidate is named by its field: \(results[3].errors)")
            #expect(Set(results.compactMap(\.candidateID)).count == 5, "every candidate stored")

            // Two keys matched to one record: the second's update supersedes the first's and carries both keys.
            let firstUpdate = try await Self.request(t, results[0])
            let secondUpdate = try await Self.request(t, results[1])
            #expect(firstUpdate.status == .superseded && firstUpdate.supersededBy == secondUpdate.id)
            #expect(secondUpdate.kind == .update && secondUpdate.recordID == record && secondUpdate.status == .open)
            #expect(Set(secondUpdate.contributions.map(\.sourceKey)) == ["acme-42", "acme-43"])
            #expect(secondUpdate.proposed["email"] == "orders@acme-industrial.de", "the most recent e-mail survives")

            // One key twice: the later candidate supersedes the earlier's create, with its phone.
            let firstCreate = try await Self.request(t, results[2])
            let secondCreate = try await Self.request(t, results[4])
            #expect(firstCreate.status == .superseded && firstCreate.supersededBy == secondCreate.id)
            #expect(secondCreate.kind == .create && secondCreate.status == .open && secondCreate.proposed["phone"] == "+49 731 55501")

            let open = try await t.store.changeRequests(status: .open, entities: ["supplier"], limit: 100)
            #expect(open.map(\.id).sorted() == [secondUpdate.id, secondCreate.id].sorted())
            let audit = try await t.client.query("""
                SELECT action FROM audit_entry WHERE request_id = 'batch' ORDER BY id
                """, logger: TestLogger.quiet).decode(String.self).rows()
            #expect(audit == ["candidate.proposed", "change_request.opened", "candidate.proposed", "change_request.opened", "candidate.rejected",
                              "candidate.proposed", "change_request.superseded", "change_request.opened",
                              "candidate.proposed", "change_request.superseded", "change_request.opened"],
                     "round one (acme-42, V-2000 and the rejected V-2001 are first), then the two that waited for it")
            // A resend of the same batch changes nothing: each candidate meets the proposal it made
            // (V-2000's first form leaves the phone its second form gave, as one source sending less).
            let again = try await t.store.ingest(Array(batch[1...]), by: sources.principal, requestID: "again")
            #expect(again.map(\.status) == [.unchanged, .unchanged, .rejected, .unchanged])
            #expect(again[0].changeRequestID == secondUpdate.id && again[3].changeRequestID == secondCreate.id)
        }
    }

    @Test func aCreateIsMatchedAgainstTheCreatesBeforeItInTheSameBatch() async throws {
        try await TestStore.with { t in
            let sources = try await t.actor("sync", .source, sources: ["procurement", "portal"])
            let results = try await t.store.ingest([
                Self.supplier("procurement", "V-1001", MergeTests.acme),
                Self.supplier("portal", "acme-42", Self.acmePortal.merging(["vat": .null, "email": "sales@acme.example"]) { $1 }),
                Self.supplier("procurement", "V-2000", Self.brenner),
            ], by: sources.principal, requestID: "r")
            #expect(results.map(\.status) == [.proposed, .proposed, .proposed])
            #expect(results[0].match?.band == .distinct && results[2].match?.band == .distinct)
            #expect(results[1].match?.band == .review, "the portal's supplier is the procurement one of the same batch: \(String(describing: results[1].match))")
            let flagged = try await Self.request(t, results[1])
            #expect(flagged.kind == .create && flagged.possibleDuplicates.map(\.changeRequestID) == [results[0].changeRequestID])
            guard case .object(let explanation) = flagged.possibleDuplicates.first?.explanation, case .string(let text) = explanation["text"] else {
                Issue.record("the pair is stored with its explanation"); return
            }
            #expect(text.contains("name"), "\(text)")
        }
    }

    /// Two batches naming the same keys in opposite orders, at once, many times: every key ends
    /// with exactly one open proposal, and neither batch fails.
    @Test func crossedBatchesOverTheSameKeysNeverDeadlockNorOpenTwoProposals() async throws {
        try await TestStore.with { t in
            let sources = try await t.actor("sync", .source, sources: ["procurement"])
            let towns = ["Stuttgart", "Ulm", "Augsburg", "Freiburg", "Mannheim"], trades = ["Stahlbau", "Druckguss", "Elektro", "Kunststoff"]
            let keys = (0..<20).map { "V-\(3000 + $0)" }
            func batch(_ keys: [String], phone: String) -> [CandidateSubmission] {
                keys.map { key in
                    let n = Int(key.dropFirst(2))!
                    return Self.supplier("procurement", key, ["name": .string("\(trades[n % 4]) \(towns[n % 5]) \(n) GmbH"),
                                                              "street": .string("Weg \(n)"), "zip": .string("\(70000 + n * 37)"),
                                                              "city": .string(towns[n % 5]), "country": "DE", "is_company": true,
                                                              "phone": .string(phone)])
                }
            }
            let outcomes = try await withThrowingTaskGroup(of: [IngestResult].self) { group in
                for round in 0..<6 {
                    let ordered = round.isMultiple(of: 2) ? keys : keys.reversed()
                    group.addTask { try await t.store.ingest(batch(ordered, phone: "+49 711 \(100_000 + round)"), by: sources.principal, requestID: "r\(round)") }
                }
                return try await group.reduce(into: [[IngestResult]]()) { $0.append($1) }
            }
            #expect(outcomes.count == 6 && outcomes.allSatisfy { $0.count == keys.count && $0.allSatisfy { $0.status != .rejected } })
            let open = try await t.store.changeRequests(status: .open, entities: ["supplier"], limit: 1000)
            #expect(open.count == keys.count && Set(open.map(\.sourceKey)) == Set(keys), "one open proposal per key")
        }
    }
}

/// The look-up of a batch's blocking keys: a many-valued key over its limit is left out (counted
/// in the database, never sent), a single-valued one cut to its limit, and a candidate's own open
/// proposal never counted.
@Suite struct BatchKeyLookupTests {
    @Test func blocksOverTheirLimitAreLeftOutOrCutAsTheEngineTakesThem() async throws {
        try await TestStore.with { t in
            let rules = try #require(t.rules.entities["item"]?.match)
            let wordKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name_word" })
            let nameKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name" })
            let wordLimit = rules.blockingKeys[wordKey].maxBlockSize ?? rules.maxBlockSize
            let nameLimit = rules.blockingKeys[nameKey].maxBlockSize ?? rules.maxBlockSize
            let common = Blocking.hash("washer", key: wordKey), rare = Blocking.hash("zentrifuge", key: wordKey)
            let everywhere = Blocking.hash("steel", key: wordKey)
            let crowded = Blocking.hash("bolt hex", key: nameKey)
            // Records 1...: a common word on as many records as its limit (one too many with the
            // candidate), a word on many more, a rare word on two less than the limit, and a
            // single-valued name on more records than its limit.
            func keys(_ hash: UInt64, records: ClosedRange<Int64>) async throws {
                try await t.client.query("""
                    INSERT INTO match_key (entity, key_hash, record_id) SELECT 'item', \(Int64(bitPattern: hash)), r FROM generate_series(\(records.lowerBound), \(records.upperBound)) r
                    """, logger: TestLogger.quiet)
            }
            try await keys(common, records: 1...Int64(wordLimit))
            try await keys(rare, records: 1...Int64(wordLimit - 2))
            try await keys(everywhere, records: 1...Int64(wordLimit * 4))
            try await keys(crowded, records: 1...Int64(nameLimit + 5))
            try await t.client.query("""
                INSERT INTO match_key (entity, key_hash, change_request_id) VALUES ('item', \(Int64(bitPattern: rare)), 77)
                """, logger: TestLogger.quiet)
            let blocks = try await t.client.withConnection { connection in
                try await MatchKeys.targets(of: [([common], nil), ([rare], nil), ([rare], 77), ([crowded], nil), ([common, rare, everywhere], 77),
                                                 ([everywhere], nil)],
                                            entity: "item", rules: rules, on: connection, logger: TestLogger.quiet)
            }
            let found = blocks.targets
            #expect(blocks.stored == [common: wordLimit, rare: wordLimit - 1, everywhere: wordLimit + 2, crowded: nameLimit + 2],
                    "what the store holds per key, counted to two past the limit (what matching within the batch adds to)")
            #expect(blocks.common.isEmpty, "no key is marked common")
            #expect(found[0].isEmpty, "the common word is over its limit with the candidate: left out")
            #expect(found[1].count == wordLimit - 1 && found[1].contains(.changeRequest(77)), "the rare word's block: its records and the open proposal")
            #expect(found[2].count == wordLimit - 2 && !found[2].contains(.changeRequest(77)), "a candidate's own proposal is not a target")
            #expect(found[3].count == nameLimit && found[3].contains(.record(1)), "a single-valued block is cut to its limit, not left out")
            #expect(found[4] == found[2] && found[5].isEmpty, "a word on four times its limit meets nothing")
        }
    }

    /// A many-valued key whose block grows past four times its limit is marked common when the
    /// store is pruned: its block is over the limit from then on and its members no longer stored.
    @Test func aWordPastItsCommonSizeIsMarkedAndNoLongerStored() async throws {
        try await TestStore.with { t in
            let rules = try #require(t.rules.entities["item"]?.match)
            let wordKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name_word" })
            let word = Blocking.hash("schraube", key: wordKey), rare = Blocking.hash("zentrifuge", key: wordKey)
            let commonSize = try #require(rules.commonSize(of: word))
            try await t.client.query("""
                INSERT INTO match_key (entity, key_hash, record_id) SELECT 'item', \(Int64(bitPattern: word)), r FROM generate_series(1, \(commonSize + 1)) r
                """, logger: TestLogger.quiet)
            func lookUp(_ hashes: [UInt64]) async throws -> MatchKeys.Blocks {
                try await t.client.withConnection { connection in
                    try await MatchKeys.targets(of: [(hashes, nil)], entity: "item", rules: rules, on: connection, logger: TestLogger.quiet)
                }
            }
            let first = try await lookUp([word, rare])
            #expect(first.common.isEmpty && first.targets[0].isEmpty && first.stored[word] == rules.blockLimit(of: word) + 2,
                    "over its limit, counted to two past it, as before it is marked")
            #expect(try await t.store.pruneCommonKeys() == ["customer": 0, "item": 1, "supplier": 0, "warehouse": 0])
            let marked = try await t.client.query("SELECT key_hash FROM match_key_common WHERE entity = 'item'", logger: TestLogger.quiet)
            #expect(try await marked.decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) } == [Int64(bitPattern: word)])
            // Its members leave (merged away, say): the word stays common, as marked.
            try await t.client.query("DELETE FROM match_key WHERE key_hash = \(Int64(bitPattern: word)) AND record_id > 3", logger: TestLogger.quiet)
            let again = try await lookUp([word])
            #expect(again.common == [word] && again.targets[0].isEmpty && again.stored[word] == commonSize + 1, "answered from the mark")
            // A record's keys are stored without the common one.
            try await t.client.withConnection { connection in
                try await MatchKeys.insert([Int64(bitPattern: word), Int64(bitPattern: rare)], entity: "item", record: 500, changeRequest: nil,
                                           on: connection, logger: TestLogger.quiet)
            }
            let stored = try await t.client.query("SELECT key_hash FROM match_key WHERE record_id = 500", logger: TestLogger.quiet)
            #expect(try await stored.decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) } == [Int64(bitPattern: rare)])
        }
    }

    /// Pruning never waits for a request: a member another transaction holds locked (a release
    /// dropping its proposal's keys) is left, the rest removed, and the key marked at once.
    @Test func pruningSkipsMembersARequestHoldsAndDoesNotWaitForIt() async throws {
        try await TestStore.with { t in
            let rules = try #require(t.rules.entities["item"]?.match)
            let wordKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name_word" })
            let word = Int64(bitPattern: Blocking.hash("schraube", key: wordKey))
            let commonSize = try #require(rules.commonSize(ofKey: wordKey))
            try await t.client.query("""
                INSERT INTO match_key (entity, key_hash, record_id) SELECT 'item', \(word), r FROM generate_series(1, \(commonSize)) r
                """, logger: TestLogger.quiet)
            try await t.client.query("INSERT INTO match_key (entity, key_hash, change_request_id) VALUES ('item', \(word), 77)", logger: TestLogger.quiet)
            let left = try await t.client.withTransaction(logger: TestLogger.quiet) { connection in
                // The proposal's keys locked by this open transaction while the store is pruned beside it.
                try await connection.query("SELECT 1 FROM match_key WHERE change_request_id = 77 FOR UPDATE", logger: TestLogger.quiet)
                let store = t.store
                let marked = await answer(within: .seconds(20)) { try? await store.pruneCommonKeys() } ?? nil
                #expect(marked?["item"] == 1, "pruned without waiting for the open transaction")
                let rows = try await t.client.query("SELECT count(*)::bigint FROM match_key WHERE key_hash = \(word)", logger: TestLogger.quiet)
                return try await rows.decode(Int64.self).first { _ in true }
            }
            #expect(left == 1, "the locked member is left for next time, the others removed")
        }
    }

    /// Two servers pruning at the same moment: one marks, the other finds the work done or being
    /// done; neither fails or waits for ever, and the word is marked once.
    @Test func twoPrunesAtOnceMarkEachWordOnce() async throws {
        try await TestStore.with { t in
            let rules = try #require(t.rules.entities["item"]?.match)
            let wordKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name_word" })
            let commonSize = try #require(rules.commonSize(ofKey: wordKey))
            for word in ["schraube", "mutter", "scheibe"] {
                try await t.client.query("""
                    INSERT INTO match_key (entity, key_hash, record_id)
                    SELECT 'item', \(Int64(bitPattern: Blocking.hash(word, key: wordKey))), r FROM generate_series(1, \(commonSize + 1)) r
                    """, logger: TestLogger.quiet)
            }
            let store = t.store
            let marked = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 { group.addTask { try await store.pruneCommonKeys()["item"] ?? 0 } }
                return try await group.reduce(0, +)
            }
            #expect(marked == 3, "each word marked by one of them")
            let left = try await t.client.query("SELECT count(*)::bigint FROM match_key", logger: TestLogger.quiet)
            #expect(try await left.decode(Int64.self).first { _ in true } == 0)
        }
    }

    /// After a load or a re-index, every word past its common size is marked and its members removed;
    /// a word at its common size, or a single-valued key however large, is left as it is.
    @Test func pruningMarksEveryWordPastItsCommonSize() async throws {
        try await TestStore.with { t in
            let rules = try #require(t.rules.entities["item"]?.match)
            let wordKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name_word" })
            let nameKey = try #require(rules.blockingKeys.firstIndex { $0.name == "name" })
            let past = Blocking.hash("schraube", key: wordKey), at = Blocking.hash("mutter", key: wordKey)
            let name = Blocking.hash("bolt hex", key: nameKey)
            let commonSize = try #require(rules.commonSize(of: past))
            #expect(rules.commonSize(of: name) == nil, "a single-valued key is never common")
            for (hash, count) in [(past, commonSize + 1), (at, commonSize), (name, commonSize * 3)] {
                try await t.client.query("""
                    INSERT INTO match_key (entity, key_hash, record_id) SELECT 'item', \(Int64(bitPattern: hash)), r FROM generate_series(1, \(count)) r
                    """, logger: TestLogger.quiet)
            }
            try await t.client.withConnection { connection in
                try await MatchKeys.prune(entity: "item", rules: rules, on: connection, logger: TestLogger.quiet)
            }
            let marked = try await t.client.query("SELECT key_hash FROM match_key_common", logger: TestLogger.quiet)
            #expect(try await marked.decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) } == [Int64(bitPattern: past)])
            let left = try await t.client.query("SELECT key_hash, count(*)::bigint FROM match_key GROUP BY 1 ORDER BY 2", logger: TestLogger.quiet)
            let counts = try await left.decode((Int64, Int64).self).reduce(into: [Int64: Int]()) { $0[$1.0] = Int($1.1) }
            #expect(counts == [Int64(bitPattern: at): commonSize, Int64(bitPattern: name): commonSize * 3])
        }
    }
}

/// COPY's text format, as the batch and the load write it: every text comes back as it went in.
@Suite struct CopyRowsTests {
    @Test func textWithTabsNewlinesAndBackslashesRoundTrips() async throws {
        try await TestStore.with { t in
            let texts = ["plain", "tab\there", "line\nbreak", "back\\slash \\N", "carriage\rreturn", "\t\n\\\r", "", "Müller – 東京 🔩", "end\\"]
            var rows = CopyRows()
            for (index, text) in texts.enumerated() { rows.add([String(index), text]) }
            rows.add([String(texts.count), nil])
            try await t.client.withConnection { connection in
                try await connection.query("CREATE TEMP TABLE copied (n int, t text)", logger: TestLogger.quiet)
                try await rows.copy(into: "copied", ["n", "t"], on: connection, logger: TestLogger.quiet)
                let back = try await connection.query("SELECT t FROM copied ORDER BY n", logger: TestLogger.quiet).decode(String?.self).rows()
                #expect(back == texts.map(Optional.some) + [nil])
            }
        }
    }

}

/// Prepared records indexed by their blocking-key hashes, for matching one record at a time: a
/// candidate arriving at ingest is matched this way against the golden records, whose key
/// hashes the store indexes the same way (one row per record and key).
///
/// Per key the index is the (hash, record) entries sorted, found by binary search: 16 bytes per
/// record and key, where a dictionary of arrays would need several times that.
public struct MatchIndex: Sendable {
    public let records: [MatchRecord]
    public let rules: MatchRules
    private let entries: [[Entry]]

    struct Entry: Sendable {
        var hash: UInt64
        var record: Int32
    }

    /// What matching one record found.
    public struct Matches: Sendable {
        /// Pairs that reach review, strongest first; `a` is -1 (the record matched), `b` an index
        /// into `records`.
        public var pairs: [ScoredPair]
        /// Records compared.
        public var compared: Int
        /// Keys whose block held more than `maxBlockSize` records: only the first of them were compared.
        public var cappedKeys: [String]
    }

    public init(records: [MatchRecord], rules: MatchRules) {
        self.records = records
        self.rules = rules
        entries = rules.blockingKeys.indices.map { key in
            var keyed = [Entry]()
            keyed.reserveCapacity(records.count)
            for (index, record) in records.enumerated() where record.keys[key] != 0 { keyed.append(Entry(hash: record.keys[key], record: Int32(index))) }
            keyed.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.record < $1.record }
            return keyed
        }
    }

    /// The indexes of the records that share a blocking key with `record`, each once and in
    /// order, leaving out `excluding` (the record itself when it is indexed too).
    public func candidates(for record: MatchRecord, excluding: Int? = nil) -> (indexes: [Int], cappedKeys: [String]) {
        var found = [Int32]()
        var capped = [String]()
        for (key, sorted) in entries.enumerated() where record.keys[key] != 0 {
            let hash = record.keys[key]
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle].hash < hash { low = middle + 1 } else { high = middle }
            }
            var taken = 0
            while low < sorted.count, sorted[low].hash == hash {
                if taken == rules.maxBlockSize { capped.append(rules.blockingKeys[key].name); break }
                if Int(sorted[low].record) != excluding { found.append(sorted[low].record); taken += 1 }
                low += 1
            }
        }
        found.sort()
        var distinct = [Int]()
        distinct.reserveCapacity(found.count)
        for index in found where distinct.last != Int(index) { distinct.append(Int(index)) }
        return (distinct, capped)
    }

    /// Scores `record` against every record it shares a block with, keeping the pairs that
    /// reach review (vetoed or not), strongest first.
    public func matches(for record: MatchRecord, scorer: MatchScorer, excluding: Int? = nil) -> Matches {
        let (candidates, capped) = candidates(for: record, excluding: excluding)
        var pairs = [ScoredPair]()
        for index in candidates where scorer.weight(record, records[index]) >= rules.reviewThreshold {
            pairs.append(scorer.score(record, records[index], a: -1, b: index))
        }
        pairs.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.b < $1.b }
        return Matches(pairs: pairs, compared: candidates.count, cappedKeys: capped)
    }
}

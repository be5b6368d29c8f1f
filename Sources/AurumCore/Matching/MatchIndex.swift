/// Prepared records indexed by their blocking-key hashes, for matching one record at a time: a
/// candidate arriving at ingest is matched this way against the golden records, whose key
/// hashes the store indexes the same way (one row per record and key).
///
/// Per key the index is the (hash, record) entries sorted, found by binary search: 16 bytes per
/// record and key, where a dictionary of arrays would need several times that.
public struct MatchIndex: Sendable {
    public let records: [MatchRecord]
    public let rules: MatchRules
    private let entries: [Blocking.Entry]

    /// What matching one record found.
    public struct Matches: Sendable {
        /// Pairs that reach review, strongest first; `a` is -1 (the record matched), `b` an index
        /// into `records`.
        public var pairs: [ScoredPair]
        /// Records compared.
        public var compared: Int
        /// Keys with a value whose block was over the key's limit: for a single-valued key only
        /// the first records of the block were compared, for a many-valued key none.
        public var cappedKeys: [String]
    }

    public init(records: [MatchRecord], rules: MatchRules) {
        self.records = records
        self.rules = rules
        entries = Blocking.entries(records)
    }

    /// The indexes of the records that share a blocking key with `record`, each once and in
    /// order, leaving out `excluding` (the record itself when it is indexed too).
    public func candidates(for record: MatchRecord, excluding: Int? = nil) -> (indexes: [Int], cappedKeys: [String]) {
        var found = [Int32]()
        var capped = [String]()
        for hash in record.keys {
            var low = 0, high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].hash < hash { low = middle + 1 } else { high = middle }
            }
            var end = low
            while end < entries.count, entries[end].hash == hash { end += 1 }
            let key = rules.blockingKeys[Blocking.key(of: hash)]
            // The block as a batch run over the index and the record would see it: the record counts once.
            let size = end - low + (excluding.map { excluded in entries[low..<end].contains { Int($0.record) == excluded } ? 0 : 1 } ?? 1)
            if size > rules.blockLimit(of: hash), !capped.contains(key.name) { capped.append(key.name) }
            let limit = rules.membersTaken(fromBlockOf: hash, size: size)
            if limit == 0 { continue }
            var taken = 0
            for entry in entries[low..<end] where Int(entry.record) != excluding && taken < limit {
                found.append(entry.record)
                taken += 1
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
        for index in candidates where scorer.reaches(record, records[index], rules.reviewThreshold) {
            pairs.append(scorer.score(record, records[index], a: -1, b: index))
        }
        pairs.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.b < $1.b }
        return Matches(pairs: pairs, compared: candidates.count, cappedKeys: capped)
    }
}

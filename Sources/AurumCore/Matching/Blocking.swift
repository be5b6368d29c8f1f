/// Chooses the pairs worth comparing: records that share a value of any blocking key.
///
/// Each key value is a 64-bit hash (`MatchRecord.keys`, the key's position in its top byte); the
/// blocks are runs of equal hashes once the (hash, record) entries of all records are sorted,
/// which needs no dictionary and no array per block. A block larger than its key's limit is not
/// compared all-to-all (that is quadratic): for a key with one value per record its records are
/// sorted by the first comparison's value and each is compared with the next `window` records;
/// for a key with several values per record (each word, typo variants, LSH bands) the value is
/// too common to be evidence and the block is skipped. Either way the block is reported, so
/// nothing is dropped silently.
public enum Blocking {
    /// What blocking did, for the statistics a steward and the benchmark read.
    public struct Report: Sendable, Hashable {
        public var blocks = 0
        public var comparedPairs = 0
        public var oversizedBlocks: [OversizedBlock] = []
        /// Records without any blocking-key value: never compared with anything.
        public var unkeyedRecords = 0
    }

    /// A block over its key's limit: the key's name, the block's size, a few of its records, and
    /// whether it was skipped (a common value of a many-valued key) or compared within a window.
    public struct OversizedBlock: Sendable, Hashable {
        public var key: String
        public var size: Int
        public var examples: [String]
        public var skipped: Bool
    }

    /// Records compared with each record in an oversized block.
    public static let window = 20

    struct Entry: Sendable {
        var hash: UInt64
        var record: Int32
    }

    /// Every record's key hashes (of `onlyKey` alone, when given) as (hash, record) entries,
    /// sorted by hash and, within a hash, by record: the blocks are their runs.
    static func entries(_ records: [MatchRecord], onlyKey: Int? = nil) -> [Entry] {
        var keyed = [Entry]()
        keyed.reserveCapacity(records.reduce(0) { $0 + $1.keys.count })
        for (index, record) in records.enumerated() {
            for hash in record.keys where onlyKey == nil || key(of: hash) == onlyKey { keyed.append(Entry(hash: hash, record: Int32(index))) }
        }
        RadixSort.sort(&keyed) { $0.hash }  // stable: records stay in order within a block
        return keyed
    }

    /// The distinct pairs (a < b) to compare, sorted, and the report; with `onlyKey`, the pairs
    /// that key alone chooses (a key's position in the rules).
    public static func pairs(_ records: [MatchRecord], rules: MatchRules, onlyKey: Int? = nil) -> (pairs: [UInt64], report: Report) {
        var report = Report()
        report.unkeyedRecords = records.count { $0.keys.isEmpty }
        let keyed = entries(records, onlyKey: onlyKey)
        var pairs = [UInt64]()
        var members = [Int32]()
        var start = 0
        while start < keyed.count {
            var end = start + 1
            while end < keyed.count && keyed[end].hash == keyed[start].hash { end += 1 }
            defer { start = end }
            guard end - start > 1 else { continue }
            report.blocks += 1
            members.removeAll(keepingCapacity: true)
            for entry in keyed[start..<end] { members.append(entry.record) }
            let key = rules.blockingKeys[Blocking.key(of: keyed[start].hash)]
            if members.count <= key.maxBlockSize ?? rules.maxBlockSize {
                for i in 0..<members.count { for j in (i + 1)..<members.count { pairs.append(pair(members[i], members[j])) } }
                continue
            }
            report.oversizedBlocks.append(OversizedBlock(key: key.name, size: members.count,
                                                         examples: members.prefix(3).map { records[Int($0)].id }, skipped: key.isMultiValued))
            guard !key.isMultiValued else { continue }
            members.sort { (records[Int($0)].text(0) ?? "") < (records[Int($1)].text(0) ?? "") }
            for i in 0..<members.count {
                for j in (i + 1)..<min(members.count, i + 1 + window) { pairs.append(pair(members[i], members[j])) }
            }
        }
        RadixSort.sort(&pairs) { $0 }
        var distinct = 0
        for pair in pairs where distinct == 0 || pairs[distinct - 1] != pair {
            pairs[distinct] = pair
            distinct += 1
        }
        pairs.removeLast(pairs.count - distinct)
        report.comparedPairs = pairs.count
        report.oversizedBlocks.sort { $0.size > $1.size }
        return (pairs, report)
    }

    /// A blocking-key value's hash: the key's position in the rules (plus one) in the top byte,
    /// FNV-1a of its text below. Stable across runs and machines, so the store can keep and index it.
    public static func hash(_ text: String, key: Int) -> UInt64 {
        hash(state: fnv(text, from: fnvOffset), key: key)
    }

    /// A key value's hash from FNV-1a's state after its text.
    static func hash(state: UInt64, key: Int) -> UInt64 {
        UInt64(key + 1) << 56 | ((state == 0 ? 1 : state) & 0x00FF_FFFF_FFFF_FFFF)
    }

    /// The position in the rules of the key whose value `hash` is.
    public static func key(of hash: UInt64) -> Int { Int(hash >> 56) - 1 }

    /// FNV-1a over a text's UTF-8 bytes, never 0.
    public static func hash(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { hash($0) }
    }

    /// FNV-1a's starting state.
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a's state after `text`'s UTF-8 bytes, from `state` (not yet made non-zero).
    static func fnv(_ text: String, from state: UInt64) -> UInt64 {
        var text = text
        return text.withUTF8 { fnv($0, from: state) }
    }

    /// FNV-1a's state after `bytes`, from `state`.
    @inline(__always)
    static func fnv(_ bytes: UnsafeBufferPointer<UInt8>, from state: UInt64) -> UInt64 {
        var hash = state
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// FNV-1a over `bytes`, never 0.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let hash = fnv(bytes, from: fnvOffset)
        return hash == 0 ? 1 : hash
    }

    /// Two record indexes packed into one value, the smaller first.
    public static func pair(_ a: Int32, _ b: Int32) -> UInt64 {
        let (low, high) = a < b ? (a, b) : (b, a)
        return UInt64(UInt32(low)) << 32 | UInt64(UInt32(high))
    }

    /// The two record indexes of a packed pair.
    public static func unpack(_ pair: UInt64) -> (Int, Int) {
        (Int(pair >> 32), Int(pair & 0xFFFF_FFFF))
    }
}

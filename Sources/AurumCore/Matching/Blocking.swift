/// Chooses the pairs worth comparing: records that share a value of any blocking key.
///
/// Blocks larger than the rules' `maxBlockSize` are not compared all-to-all (that is quadratic):
/// their records are sorted by the first comparison's value and each is compared with the next
/// `window` records, and the block is reported, so nothing is dropped silently.
public enum Blocking {
    /// What blocking did, for the statistics a steward and the benchmark read.
    public struct Report: Sendable, Hashable {
        public var blocks = 0
        public var comparedPairs = 0
        public var oversizedBlocks: [OversizedBlock] = []
    }

    /// A block that was compared within a sorted window only.
    public struct OversizedBlock: Sendable, Hashable {
        public var key: String
        public var size: Int
    }

    /// Records compared with each record in an oversized block.
    public static let window = 20

    /// The distinct pairs (a < b) to compare, and the report.
    public static func pairs(_ records: [MatchRecord], rules: MatchRules) -> (pairs: [UInt64], report: Report) {
        var seen = Set<UInt64>()
        var report = Report()
        for keyIndex in rules.blockingKeys.indices {
            // Blocks by a 64-bit hash of the key: hashing a UInt64 is far cheaper than a String.
            var blocks = [UInt64: [Int32]]()
            for (index, record) in records.enumerated() {
                if let key = record.keys[keyIndex] { blocks[fnv1a(key), default: []].append(Int32(index)) }
            }
            for members in blocks.values where members.count > 1 {
                let key = records[Int(members[0])].keys[keyIndex] ?? ""
                report.blocks += 1
                if members.count <= rules.maxBlockSize {
                    for i in 0..<members.count { for j in (i + 1)..<members.count { seen.insert(pair(members[i], members[j])) } }
                } else {
                    report.oversizedBlocks.append(OversizedBlock(key: key, size: members.count))
                    let sorted = members.sorted { (records[Int($0)].values.first??.text ?? "") < (records[Int($1)].values.first??.text ?? "") }
                    for i in 0..<sorted.count {
                        for j in (i + 1)..<min(sorted.count, i + 1 + window) { seen.insert(pair(sorted[i], sorted[j])) }
                    }
                }
            }
        }
        report.comparedPairs = seen.count
        report.oversizedBlocks.sort { $0.size > $1.size }
        return (seen.sorted(), report)
    }

    /// FNV-1a over the key's UTF-8 bytes.
    @inline(__always)
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Similarity of strings as sets or sequences of words, robust to word order and extra words.
public enum TokenSimilarity {
    /// Words of `text`, split on white space.
    public static func tokens(_ text: String) -> [Substring] {
        text.split(whereSeparator: \.isWhitespace)
    }

    /// Token-set similarity: shared words over the words of the shorter side (1 when one side's
    /// words are all in the other, as "Acme" and "Acme Industrial").
    public static func tokenSet(_ a: String, _ b: String) -> Double {
        let left = Set(tokens(a)), right = Set(tokens(b))
        guard !left.isEmpty, !right.isEmpty else { return left.isEmpty && right.isEmpty ? 1 : 0 }
        return Double(left.intersection(right).count) / Double(min(left.count, right.count))
    }

    /// Jaccard similarity of the word sets: shared words over all distinct words.
    public static func jaccard(_ a: String, _ b: String) -> Double {
        let left = Set(tokens(a)), right = Set(tokens(b))
        guard !left.isEmpty || !right.isEmpty else { return 1 }
        return Double(left.intersection(right).count) / Double(left.union(right).count)
    }

    /// Words two sorted, distinct word lists share (a merge, no hashing).
    public static func sharedCount(_ a: [Substring], _ b: [Substring]) -> Int {
        var i = 0, j = 0, shared = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { shared += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return shared
    }

    /// Words two sorted, distinct, space-separated word lists share, and how many words each has:
    /// a merge over the bytes, for ASCII text prepared once per record.
    static func sharedWords(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> (shared: Int, left: Int, right: Int) {
        var i = 0, j = 0, shared = 0, left = 0, right = 0
        var x = a.isEmpty ? nil : word(a, from: 0), y = b.isEmpty ? nil : word(b, from: 0)
        if x != nil { left = 1 }
        if y != nil { right = 1 }
        while let u = x, let v = y {
            let order = compare(a[u], b[v])
            if order == 0 { shared += 1 }
            if order <= 0 { i = u.upperBound + 1; x = i < a.count ? word(a, from: i) : nil; if x != nil { left += 1 } }
            if order >= 0 { j = v.upperBound + 1; y = j < b.count ? word(b, from: j) : nil; if y != nil { right += 1 } }
        }
        while let u = x { i = u.upperBound + 1; x = i < a.count ? word(a, from: i) : nil; if x != nil { left += 1 } }
        while let v = y { j = v.upperBound + 1; y = j < b.count ? word(b, from: j) : nil; if y != nil { right += 1 } }
        return (shared, left, right)
    }

    private static func word(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Range<Int> {
        var end = start
        while end < bytes.count && bytes[end] != 0x20 { end += 1 }
        return start..<end
    }

    private static func compare(_ a: Slice<UnsafeBufferPointer<UInt8>>, _ b: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : a.count < b.count ? -1 : 1
    }

    /// Monge-Elkan similarity with each word used once: the words of the side with fewer words
    /// are paired with words of the other, most similar pairs first (Jaro-Winkler), and the
    /// pairs' similarities averaged. Word order does not count, a missing word costs nothing, a
    /// misspelt one a little: "smith john" and "jon smith" give 0.97, "john smith" and "smith" 1;
    /// "drechheim drehteile" and "halldorf drehteile" 0.75, as a shared common word is used once.
    public static func mongeElkan(_ a: String, _ b: String) -> Double {
        let left = tokens(a), right = tokens(b)
        guard !left.isEmpty, !right.isEmpty else { return left.isEmpty && right.isEmpty ? 1 : 0 }
        let (base, other) = left.count <= right.count ? (left, right) : (right, left)
        return pairedAverage(base.count, other.count) { wordSimilarity(base[$0], other[$1]) }
    }

    /// `mongeElkan` over the bytes of two ASCII texts, without making strings: the path every
    /// compared pair of a large file takes.
    static func mongeElkan(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        func ranges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
            var result = [Range<Int>](), start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x20 {
                if index > start { result.append(start..<index) }
                start = index + 1
            }
            return result
        }
        let left = ranges(a), right = ranges(b)
        guard !left.isEmpty, !right.isEmpty else { return left.isEmpty && right.isEmpty ? 1 : 0 }
        let (base, baseBytes, other, otherBytes) = left.count <= right.count ? (left, a, right, b) : (right, b, left, a)
        return pairedAverage(base.count, other.count) { i, j in
            let u = baseBytes[base[i]], v = otherBytes[other[j]]
            if u.elementsEqual(v) { return 1 }
            if (u.count == 1 && v.first == u.first) || (v.count == 1 && u.first == v.first) { return 0.95 }
            return JaroWinkler.similarity(u, v)
        }
    }

    /// The average similarity of `base` words (no more than `other`) each paired with a word of
    /// the other side, most similar pairs first, each word used once. One word takes its best
    /// partner and two against two (most names) the better pair and then the other two: the same
    /// greedy pairing, without sorting.
    static func pairedAverage(_ base: Int, _ other: Int, _ similarity: (Int, Int) -> Double) -> Double {
        if base == 1 { return (0..<other).reduce(0) { max($0, similarity(0, $1)) } }
        if base == 2, other == 2 {
            let s = [similarity(0, 0), similarity(0, 1), similarity(1, 0), similarity(1, 1)]
            let best = s.indices.max { s[$0] != s[$1] ? s[$0] < s[$1] : $0 > $1 }!
            return (s[best] + s[3 - best]) / 2
        }
        var scores = [(similarity: Double, i: Int, j: Int)]()
        scores.reserveCapacity(base * other)
        for i in 0..<base { for j in 0..<other { scores.append((similarity(i, j), i, j)) } }
        scores.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : ($0.i, $0.j) < ($1.i, $1.j) }
        var usedBase = [Bool](repeating: false, count: base), usedOther = [Bool](repeating: false, count: other)
        var total = 0.0, paired = 0
        for score in scores where !usedBase[score.i] && !usedOther[score.j] {
            usedBase[score.i] = true
            usedOther[score.j] = true
            total += score.similarity
            paired += 1
            if paired == base { break }
        }
        return total / Double(base)
    }

    /// Two words' similarity for names: 1 when equal, 0.95 for an initial and a word it begins
    /// ("d" and "david"), else Jaro-Winkler.
    static func wordSimilarity(_ x: Substring, _ y: Substring) -> Double {
        if x == y { return 1 }
        if (x.count == 1 && y.first == x.first) || (y.count == 1 && x.first == y.first) { return 0.95 }
        return JaroWinkler.similarity(String(x), String(y))
    }

    /// The similarity of what is left of two names once their closest pair of words (the family
    /// name they share) is set aside: Monge-Elkan of the remaining words. "lena nopstein" and
    /// "leon nopstein" leave "lena" and "leon" (0.83); "smith john" and "john smith" leave "john"
    /// twice (1). A name of one word leaves nothing to differ (1): a missing given name is no difference.
    public static func otherWords(_ a: String, _ b: String) -> Double {
        var left = tokens(a), right = tokens(b)
        guard left.count > 1, right.count > 1 else { return 1 }
        var best = (0, 0, -1.0)
        for (i, x) in left.enumerated() {
            for (j, y) in right.enumerated() {
                let similarity = wordSimilarity(x, y)
                if similarity > best.2 { best = (i, j, similarity) }
            }
        }
        left.remove(at: best.0)
        right.remove(at: best.1)
        return mongeElkan(left.joined(separator: " "), right.joined(separator: " "))
    }

    /// Token-sort similarity: the words sorted, then compared by normalized Levenshtein, so
    /// "Bolt Hex M8" and "Hex Bolt M8" are equal.
    public static func tokenSort(_ a: String, _ b: String) -> Double {
        let left = tokens(a).sorted().joined(separator: " "), right = tokens(b).sorted().joined(separator: " ")
        let distance = EditDistance.levenshtein(left, right)
        return EditDistance.similarity(distance: distance, left.unicodeScalars.count, right.unicodeScalars.count)
    }
}

/// How much each word says, for (soft) tf-idf cosine: the smoothed inverse document frequency
/// ln((1 + N) / (1 + df)) + 1 over N records, so a word in every record weighs 1 and one in a
/// single record about ln(N/2) + 1. A word never seen (a new candidate's) weighs the most.
public struct WordWeights: Sendable, Hashable {
    public var documentFrequencies: [UInt64: Int]
    public var documents: Int
    /// When set (0...1), the similarity is at least this times the share of the shorter name's
    /// weight found in the longer: a name that another holds whole (of two or more words, or of
    /// one rare word).
    public var containment: Double?

    public init(documentFrequencies: [UInt64: Int] = [:], documents: Int = 0) {
        self.documentFrequencies = documentFrequencies
        self.documents = documents
    }

    /// The weight of a word (by `Blocking.hash`).
    public func weight(_ hash: UInt64) -> Double {
        log(Double(1 + documents) / Double(1 + (documentFrequencies[hash] ?? 0))) + 1
    }

    /// Soft tf-idf (Cohen, Ravikumar and Fienberg, 2003): the cosine of two distinct-word lists
    /// as tf-idf vectors with term frequency 1, where a word of one side without its equal on
    /// the other is paired with the other side's most similar word when their Jaro-Winkler
    /// similarity is at least `softThreshold` ("bluck" and "black"), counting that similarity
    /// times both words' weights; with `containment`, at least that share of the shorter side.
    func cosine(_ a: PreparedText, _ b: PreparedText) -> Double {
        var left = [(word: String, weight: Double)](), right = [(word: String, weight: Double)]()
        a.forEachWord { if Self.counts($0) { left.append(($0, weight(Blocking.hash($0)))) } }
        b.forEachWord { if Self.counts($0) { right.append(($0, weight(Blocking.hash($0)))) } }
        let normA = left.reduce(0) { $0 + $1.weight * $1.weight }, normB = right.reduce(0) { $0 + $1.weight * $1.weight }
        guard normA > 0, normB > 0 else { return 0 }
        var dot = 0.0
        for x in left {
            let (best, partner) = Self.bestMatch(x.word, in: right)
            dot += x.weight * partner * best
        }
        let cosine = min(1, dot / (normA * normB).squareRoot())
        // A short name whose words the long one holds ("mozy backup" in "simply put software
        // llc mozy backup 3.0"): the shorter side's weight found in the longer, scaled.
        guard let containment else { return cosine }
        let (shorter, longer, shorterNorm) = normA <= normB ? (left, right, normA) : (right, left, normB)
        // One word is held whole only when it is rare (a program's own name, "westward"); a common
        // one ("office") is in many longer names.
        let rare = log(Double(1 + documents) / Double(1 + Self.rareInAtMost)) + 1
        guard shorter.count >= 2 || (shorter.count == 1 && shorter[0].weight >= rare) else { return cosine }
        var found = 0.0
        for x in shorter { found += x.weight * x.weight * Self.bestMatch(x.word, in: longer).similarity }
        return max(cosine, containment * found / shorterNorm)
    }

    /// `word`'s equal in `words`, or its most similar word at `softThreshold` or above (0 and no weight when none is).
    static func bestMatch(_ word: String, in words: [(word: String, weight: Double)]) -> (similarity: Double, weight: Double) {
        var best = 0.0, partner = 0.0
        for y in words {
            if word == y.word { return (1, y.weight) }
            let similarity = JaroWinkler.similarity(word, y.word)
            if similarity >= softThreshold, similarity > best { best = similarity; partner = y.weight }
        }
        return (best, partner)
    }

    /// A word in at most this many of the records is rare enough to stand for a whole name (containment).
    static let rareInAtMost = 3

    /// Words at least this similar (Jaro-Winkler) count as the same word, scaled by their similarity.
    public static let softThreshold = 0.9

    /// Whether a word counts in the cosine: numbers and single characters do not. They are
    /// sizes, versions and quantities ("m 8 x 40", "cs 3"), rare enough to outweigh every word
    /// that names the thing, and the comparisons of model numbers and the vetoes on numbers,
    /// quantities and sizes judge them better.
    static func counts(_ word: String) -> Bool {
        word.utf8.count > 1 && word.first?.isNumber != true
    }

    /// The cosine of two texts' distinct words, for tests and one-off comparisons.
    public func cosine(_ a: String, _ b: String) -> Double {
        Comparator.measure(.tfidf, a, b, weights: self)?.similarity ?? 0
    }
}

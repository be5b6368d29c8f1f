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

    /// Token-sort similarity: the words sorted, then compared by normalized Levenshtein, so
    /// "Bolt Hex M8" and "Hex Bolt M8" are equal.
    public static func tokenSort(_ a: String, _ b: String) -> Double {
        let left = tokens(a).sorted().joined(separator: " "), right = tokens(b).sorted().joined(separator: " ")
        let distance = EditDistance.levenshtein(left, right)
        return EditDistance.similarity(distance: distance, left.unicodeScalars.count, right.unicodeScalars.count)
    }
}

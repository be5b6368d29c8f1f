/// Edit distances between strings, computed over Unicode scalar values (or, for prepared ASCII
/// text, its bytes) with rolling rows on the stack, since matching calls them millions of times.
public enum EditDistance {
    /// Levenshtein distance: insertions, deletions and substitutions each cost 1.
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        levenshtein(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)))
    }

    /// Levenshtein distance over code units or scalar values.
    public static func levenshtein<C: RandomAccessCollection>(_ a: C, _ b: C) -> Int where C.Element: Equatable, C.Index == Int {
        let n = a.count, m = b.count
        if n == 0 { return m }
        if m == 0 { return n }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (m + 1)) { rows in
            var previous = rows.baseAddress!, current = previous + (m + 1)
            for j in 0...m { previous[j] = j }
            let a0 = a.startIndex, b0 = b.startIndex
            for i in 1...n {
                current[0] = i
                let x = a[a0 + i - 1]
                for j in 1...m {
                    let cost = x == b[b0 + j - 1] ? 0 : 1
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                }
                swap(&previous, &current)
            }
            return previous[m]
        }
    }

    /// Damerau-Levenshtein distance in its optimal-string-alignment form: Levenshtein plus the
    /// transposition of two adjacent characters at cost 1 (no substring edited twice).
    public static func damerauLevenshtein(_ a: String, _ b: String) -> Int {
        damerauLevenshtein(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)))
    }

    /// Optimal-string-alignment distance over code units or scalar values.
    public static func damerauLevenshtein<C: RandomAccessCollection>(_ a: C, _ b: C) -> Int where C.Element: Equatable, C.Index == Int {
        let n = a.count, m = b.count
        if n == 0 { return m }
        if m == 0 { return n }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * (m + 1)) { rows in
            var beforePrevious = rows.baseAddress!, previous = beforePrevious + (m + 1), current = previous + (m + 1)
            for j in 0...m { beforePrevious[j] = 0; previous[j] = j }
            let a0 = a.startIndex, b0 = b.startIndex
            for i in 1...n {
                current[0] = i
                for j in 1...m {
                    let cost = a[a0 + i - 1] == b[b0 + j - 1] ? 0 : 1
                    var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                    if i > 1, j > 1, a[a0 + i - 1] == b[b0 + j - 2], a[a0 + i - 2] == b[b0 + j - 1] {
                        value = min(value, beforePrevious[j - 2] + 1)
                    }
                    current[j] = value
                }
                (beforePrevious, previous, current) = (previous, current, beforePrevious)
            }
            return previous[m]
        }
    }

    /// 1 − distance / length of the longer string: 1 for equal strings, 0 for nothing in common.
    public static func similarity(distance: Int, _ a: Int, _ b: Int) -> Double {
        let longest = max(a, b)
        return longest == 0 ? 1 : 1 - Double(distance) / Double(longest)
    }
}

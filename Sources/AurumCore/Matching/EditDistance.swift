/// Edit distances between strings, computed over Unicode scalar values with two rolling rows
/// (no matrix), since matching calls them millions of times.
public enum EditDistance {
    /// Levenshtein distance: insertions, deletions and substitutions each cost 1.
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        levenshtein(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)))
    }

    /// Levenshtein distance over code units or scalar values.
    public static func levenshtein<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Damerau-Levenshtein distance in its optimal-string-alignment form: Levenshtein plus the
    /// transposition of two adjacent characters at cost 1 (no substring edited twice).
    public static func damerauLevenshtein(_ a: String, _ b: String) -> Int {
        damerauLevenshtein(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)))
    }

    /// Optimal-string-alignment distance over scalar values.
    public static func damerauLevenshtein<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, beforePrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }

    /// 1 − distance / length of the longer string: 1 for equal strings, 0 for nothing in common.
    public static func similarity(distance: Int, _ a: Int, _ b: Int) -> Double {
        let longest = max(a, b)
        return longest == 0 ? 1 : 1 - Double(distance) / Double(longest)
    }
}

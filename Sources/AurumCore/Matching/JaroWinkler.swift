/// Jaro and Jaro-Winkler similarity (Winkler 1990): the share of matching characters within a
/// window, penalised for transpositions, boosted for a common prefix of up to four characters.
public enum JaroWinkler {
    /// Jaro-Winkler similarity with prefix scale `p` (0.1 in Winkler's paper), in 0...1.
    public static func similarity(_ a: String, _ b: String, prefixScale p: Double = 0.1) -> Double {
        similarity(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)), prefixScale: p)
    }

    /// Jaro-Winkler over code units or scalar values.
    public static func similarity<C: RandomAccessCollection>(_ a: C, _ b: C, prefixScale p: Double = 0.1) -> Double
    where C.Element: Equatable, C.Index == Int {
        let jaro = jaro(a, b)
        var prefix = 0
        while prefix < min(4, a.count, b.count), a[a.startIndex + prefix] == b[b.startIndex + prefix] { prefix += 1 }
        return jaro + Double(prefix) * p * (1 - jaro)
    }

    /// Jaro similarity over code units or scalar values.
    public static func jaro<C: RandomAccessCollection>(_ a: C, _ b: C) -> Double where C.Element: Equatable, C.Index == Int {
        let n = a.count, m = b.count
        if n == 0 && m == 0 { return 1 }
        if n == 0 || m == 0 { return 0 }
        let window = max(0, max(n, m) / 2 - 1)
        let a0 = a.startIndex, b0 = b.startIndex
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: n + m) { flags in
            let aMatched = flags.baseAddress!, bMatched = aMatched + n
            aMatched.initialize(repeating: false, count: n + m)
            var matches = 0
            for i in 0..<n {
                let low = max(0, i - window), high = min(m - 1, i + window)
                guard low <= high else { continue }
                for j in low...high where !bMatched[j] && a[a0 + i] == b[b0 + j] {
                    aMatched[i] = true
                    bMatched[j] = true
                    matches += 1
                    break
                }
            }
            guard matches > 0 else { return 0 }
            var transpositions = 0, k = 0
            for i in 0..<n where aMatched[i] {
                while !bMatched[k] { k += 1 }
                if a[a0 + i] != b[b0 + k] { transpositions += 1 }
                k += 1
            }
            let found = Double(matches)
            return (found / Double(n) + found / Double(m) + (found - Double(transpositions / 2)) / found) / 3
        }
    }
}

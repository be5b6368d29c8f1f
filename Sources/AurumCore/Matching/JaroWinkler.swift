/// Jaro and Jaro-Winkler similarity (Winkler 1990): the share of matching characters within a
/// window, penalised for transpositions, boosted for a common prefix of up to four characters.
public enum JaroWinkler {
    /// Jaro-Winkler similarity with prefix scale `p` (0.1 in Winkler's paper), in 0...1.
    public static func similarity(_ a: String, _ b: String, prefixScale p: Double = 0.1) -> Double {
        similarity(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)), prefixScale: p)
    }

    /// Jaro-Winkler over scalar values.
    public static func similarity<T: Equatable>(_ a: [T], _ b: [T], prefixScale p: Double = 0.1) -> Double {
        let jaro = jaro(a, b)
        var prefix = 0
        while prefix < min(4, a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * p * (1 - jaro)
    }

    /// Jaro similarity over scalar values.
    public static func jaro<T: Equatable>(_ a: [T], _ b: [T]) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var aMatched = [Bool](repeating: false, count: a.count)
        var bMatched = [Bool](repeating: false, count: b.count)
        var matches = 0
        for i in 0..<a.count {
            let low = max(0, i - window), high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !bMatched[j] && a[i] == b[j] {
                aMatched[i] = true
                bMatched[j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0, k = 0
        for i in 0..<a.count where aMatched[i] {
            while !bMatched[k] { k += 1 }
            if a[i] != b[k] { transpositions += 1 }
            k += 1
        }
        let m = Double(matches)
        return (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions / 2)) / m) / 3
    }
}

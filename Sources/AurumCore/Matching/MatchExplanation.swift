/// A scored pair in words: `vat: exact +12.3 · name: jaro_winkler 0.93 +6.1 · city: else -2.0`.
public enum MatchExplanation {
    public static func line(_ pair: ScoredPair) -> String {
        var parts = pair.contributions.filter { $0.level != "null" }.map { c in
            let similarity = c.method == .exact ? "" : c.similarity.map { $0 < 1 ? " " + fixed($0, 2) : "" } ?? ""
            return "\(c.attribute): \(c.level)\(similarity) \(signed(c.weight))"
        }
        if let veto = pair.vetoedBy { parts.append("vetoed by \(veto)") }
        return parts.joined(separator: " · ")
    }

    static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + fixed(value, 1) }

    /// `value` with `digits` decimals, without Foundation's formatters.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if digits == 0, abs(rounded) < 1e15 { return String(Int(rounded)) }
        var text = String(rounded)
        if text.contains("e") { return text }
        if !text.contains(".") { text += "." }
        let decimals = text.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        return text
    }
}

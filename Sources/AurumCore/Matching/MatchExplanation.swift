/// A scored pair in words: `vat: exact +12.3 · name: jaro_winkler 0.93 +6.1 · city: else -2.0`.
public enum MatchExplanation {
    /// The pair's terms in words, adding up to its weight: the prior, then each comparison with
    /// the normalized values it compared (one value when they agreed exactly), its level and
    /// weight. `prior -16.6 · name "wuerth industrie" = exact +9.1 · city "koln" ~ "koeln" close 0.91 +3.2 · = 2.1`
    public static func line(_ pair: ScoredPair) -> String {
        var parts = ["prior \(signed(pair.priorWeight))"]
        for c in pair.contributions where c.level != "null" {
            let similarity = c.method == .exact ? "" : c.similarity.map { $0 < 1 ? " " + fixed($0, 2) : "" } ?? ""
            let values = c.left == c.right ? "\(quoted(c.left)) =" : "\(quoted(c.left)) ~ \(quoted(c.right))"
            parts.append("\(c.attribute) \(values) \(c.level)\(similarity) \(signed(c.weight))")
        }
        parts.append("= \(fixed(pair.weight, 1))")
        if let veto = pair.vetoedBy { parts.append("vetoed by \(veto)") }
        if let heldBack = pair.heldBack { parts.append("review: \(heldBack)") }
        return parts.joined(separator: " · ")
    }

    /// A value in quotes, cut to 40 characters.
    static func quoted(_ value: String?) -> String {
        guard let value else { return "-" }
        return "\"" + (value.count > 40 ? value.prefix(39) + "…" : value) + "\""
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

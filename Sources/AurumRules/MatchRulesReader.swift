import AurumCore
import Yams

/// Reads an entity's `match:` section: prior, thresholds, blocking keys, comparisons with their
/// levels, and vetoes, reporting every problem with its line.
struct MatchRulesReader {
    let doc: YAMLDocument
    let attributes: Set<String>

    static let keys = ["prior", "thresholds", "max_block_size", "best_margin", "auto_link_requires", "blocking", "compare", "veto"]
    static let comparisonKeys = ["name", "attribute", "with", "normalize", "method", "levels", "term_frequency", "containment"]
    static let levelKeys = ["label", "exact", "at_least", "at_most", "m", "u"]
    static let partKeys = ["attribute", "normalize", "take", "prefix", "bands", "rows", "qgram"]
    static let vetoKeys = ["name", "different", "normalize", "take", "below", "method", "when_same", "when_both", "unless_same", "unless_above"]
    static let takes: [String: BlockingTransform] = [
        "whole": .whole, "first_word": .firstWord, "soundex": .soundex, "sorted_words": .sortedWords, "numbers": .numbers, "phonetic_words": .phoneticWords,
        "each_word": .eachWord, "each_phonetic": .eachPhonetic, "deletions": .deletions, "minhash": .minhash(bands: 8, rows: 2, qgram: 0),
        "quantities": .quantities, "variants": .variants, "each_number": .eachNumber,
    ]
    /// Takes a veto may use: one value, or a set of words or numbers (which conflict when disjoint);
    /// typo variants and LSH bands are for blocking keys only.
    static let vetoTakes: Set<String> = ["whole", "first_word", "soundex", "sorted_words", "numbers", "phonetic_words", "quantities", "variants", "each_number", "each_word"]

    func read(_ node: Node) -> MatchRules? {
        guard let entries = doc.mapping(node, allowed: Self.keys, what: "match") else { return nil }
        let field = { (key: String) in entries.first { $0.key == key }?.value }
        var rules = MatchRules(prior: 0.0001, reviewThreshold: 0, autoLinkThreshold: 10, comparisons: [], blockingKeys: [])
        if let prior = field("prior").flatMap({ doc.number($0, "match.prior") }) {
            if prior > 0 && prior < 1 { rules.prior = prior } else { doc.report(field("prior"), "match.prior must be a probability between 0 and 1 (exclusive)") }
        }
        if let node = field("thresholds") { thresholds(node, into: &rules) } else { doc.report(node, "match needs thresholds: {review: W, auto_link: W} (match weights in bits)") }
        if let size = field("max_block_size").flatMap({ doc.int($0, "match.max_block_size") }) {
            if size >= 2 { rules.maxBlockSize = size } else { doc.report(field("max_block_size"), "match.max_block_size must be at least 2") }
        }
        if let node = field("best_margin"), let margin = doc.number(node, "match.best_margin") {
            if margin >= 0 { rules.bestMargin = margin } else { doc.report(node, "match.best_margin must be a weight in bits, 0 or more") }
        }
        rules.comparisons = list(field("compare"), "match.compare", comparison)
        rules.blockingKeys = list(field("blocking"), "match.blocking", blockingKey)
        let names = Set(rules.comparisons.map(\.name))
        if let node = field("auto_link_requires") {
            for name in doc.strings(node, "match.auto_link_requires") ?? [] {
                if let index = rules.comparisons.firstIndex(where: { $0.name == name }) { rules.autoLinkRequires.append(index); continue }
                doc.report(node, "match.auto_link_requires names unknown comparison \"\(name)\"\(Suggestion.didYouMean(name, in: names)); the comparisons are \(rules.comparisons.map(\.name).joined(separator: ", "))")
            }
        }
        rules.vetoes = list(field("veto"), "match.veto") { veto($0, comparisonNames: names) }
        // Only an absent or empty list is reported here; entries that failed were reported already.
        if Self.isEmpty(field("compare")) { doc.report(node, "match needs at least one comparison under compare:") }
        if Self.isEmpty(field("blocking")) { doc.report(node, "match needs at least one blocking key under blocking:") }
        return rules
    }

    static func isEmpty(_ node: Node?) -> Bool {
        guard let node else { return true }
        if case .sequence(let items) = node { return items.isEmpty }
        return false
    }

    func thresholds(_ node: Node, into rules: inout MatchRules) {
        guard let entries = doc.mapping(node, allowed: ["review", "auto_link"], what: "match.thresholds") else { return }
        for (key, _, value) in entries {
            guard let weight = doc.number(value, "match.thresholds.\(key)") else { continue }
            if key == "review" { rules.reviewThreshold = weight } else { rules.autoLinkThreshold = weight }
        }
        if rules.reviewThreshold > rules.autoLinkThreshold {
            doc.report(node, "match.thresholds: review (\(rules.reviewThreshold)) is above auto_link (\(rules.autoLinkThreshold))")
        }
    }

    func list<T>(_ node: Node?, _ what: String, _ read: (Node) -> T?) -> [T] {
        guard let node else { return [] }
        guard case .sequence(let items) = node else {
            doc.report(node, "\(what) must be a list")
            return []
        }
        return items.compactMap(read)
    }

    func attribute(_ node: Node?, _ what: String) -> String? {
        guard let node, let name = doc.string(node, what) else { return nil }
        guard attributes.contains(name) else {
            doc.report(node, "\(what) names unknown attribute \"\(name)\"\(Suggestion.didYouMean(name, in: attributes))")
            return nil
        }
        return name
    }

    func comparison(_ node: Node) -> Comparison? {
        guard let entries = doc.mapping(node, allowed: Self.comparisonKeys, what: "a comparison") else { return nil }
        let field = { (key: String) in entries.first { $0.key == key }?.value }
        guard let attributeNode = field("attribute") else { doc.report(node, "a comparison needs attribute:"); return nil }
        guard let name = attribute(attributeNode, "comparison") else { return nil }
        let normalizer = field("normalize").flatMap { doc.choice($0, "normalizer", as: MatchNormalizer.self) } ?? .text
        guard let methodNode = field("method") else { doc.report(node, "comparison of \(name) needs method:"); return nil }
        guard let method = doc.choice(methodNode, "comparator", as: ComparisonMethod.self) else { return nil }
        let termFrequency = field("term_frequency").flatMap { doc.bool($0, "\(name).term_frequency") } ?? false
        let label = field("name").flatMap { doc.string($0, "comparison name") }
        let levels = list(field("levels"), "\(name).levels") { level($0, method: method) }
        guard !levels.isEmpty else { doc.report(node, "comparison of \(name) needs levels: from the strongest agreement to the fallback"); return nil }
        if levels.last?.condition != .otherwise {
            doc.report(field("levels"), "the last level of \(name) must be the fallback (no exact, at_least or at_most)")
        }
        if levels.dropLast().contains(where: { $0.condition == .otherwise }) {
            doc.report(field("levels"), "only the last level of \(name) may be the fallback; the levels after it can never be reached")
        }
        var comparison = Comparison(attribute: name, normalizer: normalizer, method: method, levels: levels, termFrequency: termFrequency, name: label)
        comparison.with = knownAttributes(field("with"), "comparison of \(name) with")
        if let node = field("containment"), let share = doc.number(node, "\(name).containment") {
            if method != .tfidf { doc.report(node, "containment is for method: tfidf; \(name) uses \(method.rawValue)") }
            else if !(0...1).contains(share) { doc.report(node, "containment must be between 0 and 1") }
            else { comparison.containment = share }
        }
        return comparison
    }

    func level(_ node: Node, method: ComparisonMethod) -> ComparisonLevel? {
        guard let entries = doc.mapping(node, allowed: Self.levelKeys, what: "a level") else { return nil }
        let field = { (key: String) in entries.first { $0.key == key }?.value }
        var condition = LevelCondition.otherwise
        if let exact = field("exact"), doc.bool(exact, "exact") == true { condition = .exact }
        if let node = field("at_least"), let value = doc.number(node, "at_least") {
            if [.numeric, .date, .exact].contains(method) { doc.report(node, "at_least is a similarity (0 to 1); \(method.rawValue) uses exact: or at_most:") }
            if !(0...1).contains(value) { doc.report(node, "at_least must be between 0 and 1") }
            condition = .similarityAtLeast(value)
        }
        if let node = field("at_most"), let value = doc.number(node, "at_most") {
            if ![.numeric, .date].contains(method) { doc.report(node, "at_most is a difference for numeric and date comparisons; use at_least: for \(method.rawValue)") }
            condition = .differenceAtMost(value)
        }
        // A bad probability is reported and replaced, so the level keeps its place in the list.
        let m = probability(field("m"), "m", node) ?? 0.5, u = probability(field("u"), "u", node) ?? 0.5
        let label = field("label").flatMap { doc.string($0, "label") } ?? Self.defaultLabel(condition)
        return ComparisonLevel(label: label, condition: condition, m: m, u: u)
    }

    func probability(_ node: Node?, _ name: String, _ level: Node) -> Double? {
        guard let node else { doc.report(level, "a level needs \(name): (a probability)"); return nil }
        guard let value = doc.number(node, name) else { return nil }
        guard value > 0 && value <= 1 else { doc.report(node, "\(name) must be a probability above 0 and at most 1"); return nil }
        return value
    }

    static func defaultLabel(_ condition: LevelCondition) -> String {
        switch condition {
        case .exact: "exact"
        case .similarityAtLeast(let s): "≥\(s)"
        case .differenceAtMost(let d): "≤\(d)"
        case .otherwise: "else"
        }
    }

    func blockingKey(_ node: Node) -> BlockingKey? {
        guard let entries = doc.mapping(node, allowed: ["name", "parts", "max_block_size"], what: "a blocking key") else { return nil }
        guard let name = entries.first(where: { $0.key == "name" }).flatMap({ doc.string($0.value, "blocking key name") }) else {
            doc.report(node, "a blocking key needs name:")
            return nil
        }
        let parts = list(entries.first { $0.key == "parts" }?.value, "blocking key \(name) parts", part)
        guard !parts.isEmpty else { doc.report(node, "blocking key \(name) needs parts: (one or more attributes)"); return nil }
        var key = BlockingKey(name: name, parts: parts)
        if let sizeNode = entries.first(where: { $0.key == "max_block_size" })?.value, let size = doc.int(sizeNode, "blocking key \(name) max_block_size") {
            if size >= 2 { key.maxBlockSize = size } else { doc.report(sizeNode, "blocking key \(name) max_block_size must be at least 2") }
        }
        return key
    }

    func part(_ node: Node) -> BlockingPart? {
        if case .scalar = node {
            return attribute(node, "blocking part").map { BlockingPart(attribute: $0, normalizer: .text) }
        }
        guard let entries = doc.mapping(node, allowed: Self.partKeys, what: "a blocking part") else { return nil }
        let field = { (key: String) in entries.first { $0.key == key }?.value }
        guard let name = attribute(field("attribute"), "blocking part") else {
            if field("attribute") == nil { doc.report(node, "a blocking part needs attribute:") }
            return nil
        }
        let normalizer = field("normalize").flatMap { doc.choice($0, "normalizer", as: MatchNormalizer.self) } ?? .text
        var transform = field("take").flatMap { take($0) } ?? .whole
        if let prefix = field("prefix").flatMap({ doc.int($0, "prefix") }) {
            if prefix > 0 { transform = .prefix(prefix) } else { doc.report(field("prefix"), "prefix must be a positive number of characters") }
        }
        let lsh = ["bands", "rows", "qgram"].compactMap { key in field(key).map { (key, $0) } }
        if case .minhash(var bands, var rows, var qgram) = transform {
            for (key, node) in lsh {
                guard let value = doc.int(node, key) else { continue }
                let range = key == "qgram" ? 0...8 : 1...64
                guard range.contains(value) else { doc.report(node, "\(key) must be between \(range.lowerBound) and \(range.upperBound)"); continue }
                switch key {
                case "bands": bands = value
                case "rows": rows = value
                default: qgram = value
                }
            }
            transform = .minhash(bands: bands, rows: rows, qgram: qgram)
        } else if let (key, node) = lsh.first {
            doc.report(node, "\(key) is for take: minhash only")
        }
        return BlockingPart(attribute: name, normalizer: normalizer, transform: transform)
    }

    func take(_ node: Node) -> BlockingTransform? {
        guard let text = doc.string(node, "take") else { return nil }
        if let transform = Self.takes[text] { return transform }
        doc.report(node, "unknown take \"\(text)\"\(Suggestion.didYouMean(text, in: Self.takes.keys)); one of: \(Self.takes.keys.sorted().joined(separator: ", ")) (or prefix: N)")
        return nil
    }

    /// A list of attribute names, each of which must exist.
    func knownAttributes(_ node: Node?, _ what: String, comparisons: Set<String> = []) -> [String] {
        guard let node else { return [] }
        return (doc.strings(node, what) ?? []).filter { attribute in
            if attributes.contains(attribute) || comparisons.contains(attribute) { return true }
            doc.report(node, "\(what) names unknown attribute \"\(attribute)\"\(Suggestion.didYouMean(attribute, in: attributes))")
            return false
        }
    }

    func veto(_ node: Node, comparisonNames: Set<String>) -> Veto? {
        guard let entries = doc.mapping(node, allowed: Self.vetoKeys, what: "a veto") else { return nil }
        let field = { (key: String) in entries.first { $0.key == key }?.value }
        guard let name = field("name").flatMap({ doc.string($0, "veto name") }) else { doc.report(node, "a veto needs name:"); return nil }
        guard let different = attribute(field("different"), "veto \(name)") else {
            if field("different") == nil { doc.report(node, "veto \(name) needs different: (the attribute whose values must differ)") }
            return nil
        }
        var veto = Veto(name: name, different: different)
        veto.normalizer = field("normalize").flatMap { doc.choice($0, "normalizer", as: MatchNormalizer.self) }
        if let node = field("take"), let take = take(node) {
            if let text = doc.string(node, "take"), !Self.vetoTakes.contains(text) {
                doc.report(node, "veto \(name) cannot take \(text), which is for blocking keys; one of: \(Self.vetoTakes.sorted().joined(separator: ", "))")
            } else {
                veto.take = take
            }
        }
        if let node = field("below"), let below = doc.number(node, "below") {
            if (0...1).contains(below) { veto.similarityBelow = below } else { doc.report(node, "below must be a similarity between 0 and 1") }
        }
        if let node = field("method"), let method = doc.choice(node, "veto similarity", as: VetoSimilarity.self) {
            veto.similarityMethod = method
        }
        veto.whenSame = knownAttributes(field("when_same"), "veto \(name) when_same", comparisons: comparisonNames)
        veto.unlessSame = knownAttributes(field("unless_same"), "veto \(name) unless_same", comparisons: comparisonNames)
        if let node = field("unless_above"), let bits = doc.number(node, "unless_above") {
            if veto.unlessSame.isEmpty { doc.report(node, "veto \(name) unless_above needs unless_same: (the comparisons whose weight must pass it)") }
            veto.unlessAbove = bits
        }
        if let node = field("when_both"), let entries = doc.mapping(node, what: "veto \(name) when_both") {
            for (attribute, keyNode, value) in entries {
                guard attributes.contains(attribute) else {
                    doc.report(keyNode, "veto \(name) when_both names unknown attribute \"\(attribute)\"\(Suggestion.didYouMean(attribute, in: attributes))")
                    continue
                }
                if case .scalar(let scalar) = value { veto.whenBoth[attribute] = MatchNormalizer.text.apply(scalar.string) ?? scalar.string }
            }
        }
        return veto
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A record prepared for matching: each comparison's normalized value, the form its method
/// compares (words sorted for token sort, distinct words sorted for token set and Jaccard), the
/// values vetoes read, and each blocking key as a 64-bit hash, computed once.
///
/// A million of these stay resident while a file is deduplicated, so a record holds two heap
/// buffers and no more: every prepared text in one UTF-8 buffer, and the blocking-key hashes.
public struct MatchRecord: Sendable {
    /// The record's label in results: a source key, a row number or a golden-record id.
    public var id: String
    /// The record's blocking-key values as hashes, sorted and distinct (see `Blocking.hash`):
    /// none for a key whose parts are missing, several for a key that gives several values. The
    /// same function of the record the store indexes (one row per record and hash).
    public var keys: [UInt64]
    /// The prepared texts: a header (the number of slots, then one end offset per slot, UInt32s,
    /// bit 31 of an end set when the text is not ASCII), then the texts. Slots: per comparison its text and its compared form (empty
    /// when it is the text itself), then one per veto-only attribute. An empty text is no value.
    let storage: [UInt8]
    /// Per veto of the rules, the value it compares (its attribute normalized and taken apart:
    /// the quantities, variants, words or numbers), worked out once per record, not per pair.
    private(set) var vetoValues = [String?]()

    /// Prepares `attributes` for `rules`.
    public init(id: String, attributes: Attributes, rules: MatchRules) {
        self.init(id: id, rules: rules) { attributes[$0]?.matchText }
    }

    /// Prepares a record whose raw attribute values `raw` gives by name (a CSV row, say), for `rules`.
    public init(id: String, rules: MatchRules, raw: @escaping (String) -> String?) {
        self.id = id
        var normalizer = RecordNormalizer(raw: raw)
        var texts = [String?]()
        texts.reserveCapacity(rules.comparisons.count * 2 + rules.vetoSlots.count)
        for comparison in rules.comparisons {
            let text = comparison.with.isEmpty ? normalizer.value(comparison.attribute, comparison.normalizer)
                : normalizer.value([comparison.attribute] + comparison.with, comparison.normalizer)
            texts.append(text)
            texts.append(text.flatMap { Self.comparedForm($0, comparison.method) })
        }
        for slot in rules.vetoSlots { texts.append(normalizer.value(slot.attribute, slot.normalizer)) }
        storage = Self.pack(texts)
        var keys = [UInt64]()
        for (index, key) in rules.blockingKeys.enumerated() { Self.keyHashes(key, index: index, normalizer: &normalizer, into: &keys) }
        keys.sort()
        var distinct = 0
        for hash in keys where distinct == 0 || keys[distinct - 1] != hash { keys[distinct] = hash; distinct += 1 }
        keys.removeLast(keys.count - distinct)
        self.keys = keys
        vetoValues = rules.vetoes.map { veto in normalized(veto.different, veto.normalizer, rules: rules).flatMap(veto.take.apply) }
    }

    /// The form of `text` that `method` compares, when it is not the text itself.
    static func comparedForm(_ text: String, _ method: ComparisonMethod) -> String? {
        switch method {
        case .tokenSort:
            let words = text.split(separator: " ")
            return words.count < 2 ? nil : words.sorted().joined(separator: " ")
        case .tokenSet, .jaccard, .tfidf, .modelNumbers:
            var distinct = [Substring]()
            for word in text.split(separator: " ").sorted() where distinct.last != word { distinct.append(word) }
            return distinct.joined(separator: " ")
        default:
            return nil
        }
    }

    static func pack(_ texts: [String?]) -> [UInt8] {
        let header = (texts.count + 1) * 4
        var bytes = [UInt8](repeating: 0, count: header)
        withUnsafeBytes(of: UInt32(texts.count).littleEndian) { bytes.replaceSubrange(0..<4, with: $0) }
        bytes.reserveCapacity(header + texts.reduce(0) { $0 + ($1?.utf8.count ?? 0) })
        for (slot, text) in texts.enumerated() {
            var ascii = true
            if let text { for byte in text.utf8 { ascii = ascii && byte < 0x80; bytes.append(byte) } }
            let end = UInt32(bytes.count - header) | (ascii ? 0 : 1 << 31)
            withUnsafeBytes(of: end.littleEndian) { bytes.replaceSubrange(slot * 4 + 4..<slot * 4 + 8, with: $0) }
        }
        return bytes
    }

    /// Values one key may give a record at most (the product of its parts' values is cut here).
    public static let maxValuesPerKey = 64

    /// The key's combinations of its parts' values, folded by `extend` from `start` (the key's
    /// name and ":"), parts joined with `|`; none when any part is missing. The texts and their
    /// hashes are the same fold over other states.
    static func combine<State>(_ key: BlockingKey, normalizer: inout RecordNormalizer, start: State,
                               extend: (State, String) -> State) -> [State] {
        var states = [extend(start, key.name + ":")]
        for (number, part) in key.parts.enumerated() {
            guard let values = normalizer.values(part), !values.isEmpty else { return [] }
            var next = [State]()
            next.reserveCapacity(min(states.count * values.count, maxValuesPerKey))
            for state in states {
                let prefixed = number == 0 ? state : extend(state, "|")
                for value in values where next.count < maxValuesPerKey { next.append(extend(prefixed, value)) }
            }
            states = next
        }
        return states
    }

    /// The key's texts: its name and parts joined with `|`, one per combination of the parts'
    /// values; none when any part is missing.
    static func keyTexts(_ key: BlockingKey, normalizer: inout RecordNormalizer) -> [String] {
        combine(key, normalizer: &normalizer, start: "", extend: +)
    }

    /// The hashes of `keyTexts` (as `Blocking.hash(text, key: index)`), computed without making
    /// the texts: FNV-1a runs on over each part's values, so a shared prefix is hashed once.
    static func keyHashes(_ key: BlockingKey, index: Int, normalizer: inout RecordNormalizer, into keys: inout [UInt64]) {
        for state in combine(key, normalizer: &normalizer, start: Blocking.fnvOffset, extend: { Blocking.fnv($1, from: $0) }) {
            keys.append(Blocking.hash(state: state, key: index))
        }
    }

    /// The texts of blocking key `key` for `attributes`, as they are hashed (for reports and tests).
    public static func keyTexts(_ key: BlockingKey, attributes: Attributes) -> [String] {
        var normalizer = RecordNormalizer { attributes[$0]?.matchText }
        return Self.keyTexts(key, normalizer: &normalizer)
    }

    /// Runs `body` with the prepared values, without copying them.
    @inline(__always)
    func withValues<R>(_ body: (PreparedValues) -> R) -> R {
        storage.withUnsafeBytes { body(PreparedValues(bytes: $0)) }
    }

    /// Comparison `index`'s normalized text, or nil when the record has no value.
    public func text(_ index: Int) -> String? {
        withValues { $0.slot(index * 2).map { String(decoding: $0.bytes, as: UTF8.self) } }
    }

    /// The normalized value of `attribute` as comparisons or vetoes see it (with `normalizer`,
    /// when given, else as its first comparison normalizes it).
    func normalized(_ attribute: String, _ normalizer: MatchNormalizer? = nil, rules: MatchRules) -> String? {
        let (comparison, slot) = rules.source(attribute, normalizer)
        if let comparison { return text(comparison) }
        guard let slot else { return nil }
        return withValues { $0.slot(rules.comparisons.count * 2 + slot).map { String(decoding: $0.bytes, as: UTF8.self) } }
    }
}

/// Normalizes one record's attributes, each (attribute, normalizer) once however many
/// comparisons, keys and vetoes ask for it. A record has a dozen such values at most, so a
/// short list beats a dictionary.
struct RecordNormalizer {
    let raw: (String) -> String?
    let context: NormalizationContext
    private var cache: [(attribute: String, normalizer: MatchNormalizer, value: String?)] = []
    private var partCache: [(part: BlockingPart, values: [String]?)] = []

    init(raw: @escaping (String) -> String?) {
        self.raw = raw
        self.context = NormalizationContext(country: raw("country").map { TextFolding.trim($0).uppercased() })
    }

    mutating func value(_ attribute: String, _ normalizer: MatchNormalizer) -> String? {
        if let cached = cache.first(where: { $0.normalizer == normalizer && $0.attribute == attribute }) { return cached.value }
        let value = raw(attribute).flatMap { normalizer.apply($0, context: context) }
        cache.append((attribute, normalizer, value))
        return value
    }

    /// The values a blocking part takes of this record (its transform of the normalized value),
    /// once however many keys share the part; nil when the attribute is missing.
    mutating func values(_ part: BlockingPart) -> [String]? {
        if let cached = partCache.first(where: { $0.part == part }) { return cached.values }
        let values = value(part.attribute, part.normalizer).map { part.transform.values($0) }
        partCache.append((part, values))
        return values
    }

    /// The values of `attributes` that are present, joined with a space, normalized as one text.
    mutating func value(_ attributes: [String], _ normalizer: MatchNormalizer) -> String? {
        let joined = attributes.compactMap(raw).filter { !$0.isEmpty }.joined(separator: " ")
        return joined.isEmpty ? nil : normalizer.apply(joined, context: context)
    }
}

/// A view of one record's prepared texts, valid inside `MatchRecord.withValues`.
struct PreparedValues {
    let bytes: UnsafeRawBufferPointer
    /// Where the texts start: after the slot count and the end offsets.
    let textStart: Int

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        textStart = (Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))) + 1) * 4
    }

    /// The text in `slot`, or nil when it is empty.
    @inline(__always)
    func slot(_ slot: Int) -> PreparedText? {
        let endWord = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: slot * 4 + 4, as: UInt32.self))
        let start = slot == 0 ? 0 : Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: slot * 4, as: UInt32.self)) & 0x7FFF_FFFF)
        let end = Int(endWord & 0x7FFF_FFFF)
        guard end > start else { return nil }
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + textStart
        return PreparedText(bytes: UnsafeBufferPointer(start: base + start, count: end - start), ascii: endWord & (1 << 31) == 0)
    }

    /// Comparison `index`'s value: its text and the form its method compares.
    @inline(__always)
    func value(_ index: Int) -> MatchValue? {
        guard let text = slot(index * 2) else { return nil }
        return MatchValue(text: text, form: slot(index * 2 + 1) ?? text)
    }
}

/// UTF-8 bytes of a prepared text, borrowed from a record's storage.
struct PreparedText {
    let bytes: UnsafeBufferPointer<UInt8>
    /// True when every byte is ASCII, so bytes are characters and comparators may use them as they are.
    let ascii: Bool

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Calls `body` with each space-separated word.
    func forEachWord(_ body: (String) -> Void) {
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x20 {
            if index > start { body(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
            start = index + 1
        }
    }

    static func == (a: PreparedText, b: PreparedText) -> Bool {
        a.bytes.count == b.bytes.count && (a.bytes.count == 0 || memcmp(a.bytes.baseAddress!, b.bytes.baseAddress!, a.bytes.count) == 0)
    }
}

/// A comparison's value in one record: the normalized text and the form its method compares.
struct MatchValue {
    let text: PreparedText
    let form: PreparedText
}

extension BlockingTransform {
    /// The single value of a single-valued transform (nil when nothing is left), as vetoes read it.
    func apply(_ value: String) -> String? {
        let result: String
        switch self {
        case .whole: result = value
        case .prefix(let n): result = String(value.filter { $0 != " " }.prefix(n))
        case .soundex: result = Phonetic.soundex(value.split(separator: " ").first.map(String.init) ?? "")
        case .firstWord: result = value.split(separator: " ").first.map(String.init) ?? ""
        case .sortedWords: result = value.split(separator: " ").sorted().joined(separator: " ")
        case .phoneticWords: result = value.split(separator: " ").map { Phonetic.soundex(String($0)) }.sorted().joined(separator: " ")
        case .numbers: result = value.split(separator: " ").filter { $0.first?.isNumber == true }.joined(separator: " ")
        case .quantities: result = ItemFeatures.quantities(value).joined(separator: " ")
        case .variants: result = ItemFeatures.variants(value).joined(separator: " ")
        case .eachWord, .eachPhonetic, .eachNumber, .deletions, .minhash:
            let joined = values(value).joined(separator: " ")
            return joined.isEmpty ? nil : joined
        }
        return result.isEmpty ? nil : result
    }

    /// Every value the transform gives for `value`, distinct (one for single-valued transforms).
    func values(_ value: String) -> [String] {
        var result: [String]
        switch self {
        case .eachWord: result = value.split(separator: " ").map(String.init)
        case .eachPhonetic: result = value.split(separator: " ").map { Phonetic.soundex(String($0)) }
        case .eachNumber: result = value.split(separator: " ").compactMap(ItemFeatures.numberToken)
        case .deletions: result = KeyVariants.deletions(value)
        case .minhash(let bands, let rows, let qgram): result = KeyVariants.minhash(value, bands: bands, rows: rows, qgram: qgram)
        default: return apply(value).map { [$0] } ?? []
        }
        // A handful of values: a linear check beats hashing them into a set.
        var distinct = [String]()
        distinct.reserveCapacity(result.count)
        for value in result where !value.isEmpty && !distinct.contains(value) { distinct.append(value) }
        return distinct
    }
}

extension JSONValue {
    /// The value as text for matching: strings as they are, numbers and booleans written out.
    public var matchText: String? {
        switch self {
        case .string(let s): s
        case .number(let n): JSONValue.format(n)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }
}

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
    /// One hash per blocking key of the rules, in order (see `Blocking.hash`); 0 when a part is
    /// missing. The same function of the record the store can index later.
    public var keys: [UInt64]
    /// The prepared texts: a header (the number of slots, then one end offset per slot, UInt32s,
    /// bit 31 of an end set when the text is not ASCII), then the texts. Slots: per comparison its text and its compared form (empty
    /// when it is the text itself), then one per veto-only attribute. An empty text is no value.
    let storage: [UInt8]

    /// Prepares `attributes` for `rules`.
    public init(id: String, attributes: Attributes, rules: MatchRules) {
        self.init(id: id, rules: rules) { attributes[$0]?.matchText }
    }

    /// Prepares a record whose raw attribute values `raw` gives by name (a CSV row, say), for `rules`.
    public init(id: String, rules: MatchRules, raw: @escaping (String) -> String?) {
        self.id = id
        var normalizer = RecordNormalizer(raw: raw)
        var texts = [String?]()
        texts.reserveCapacity(rules.comparisons.count * 2 + rules.vetoOnlyAttributes.count)
        for comparison in rules.comparisons {
            let text = normalizer.value(comparison.attribute, comparison.normalizer)
            texts.append(text)
            texts.append(text.flatMap { Self.comparedForm($0, comparison.method) })
        }
        for attribute in rules.vetoOnlyAttributes { texts.append(normalizer.value(attribute, .text)) }
        storage = Self.pack(texts)
        keys = rules.blockingKeys.map { key in Self.key(key, normalizer: &normalizer).map(Blocking.hash) ?? 0 }
    }

    /// The form of `text` that `method` compares, when it is not the text itself.
    static func comparedForm(_ text: String, _ method: ComparisonMethod) -> String? {
        switch method {
        case .tokenSort:
            let words = text.split(separator: " ")
            return words.count < 2 ? nil : words.sorted().joined(separator: " ")
        case .tokenSet, .jaccard:
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

    /// The key's text: its name and parts joined with `|`, or nil when any part is missing.
    static func key(_ key: BlockingKey, normalizer: inout RecordNormalizer) -> String? {
        var parts = [String]()
        for part in key.parts {
            guard let normalized = normalizer.value(part.attribute, part.normalizer), let value = part.transform.apply(normalized) else { return nil }
            parts.append(value)
        }
        return key.name + ":" + parts.joined(separator: "|")
    }

    /// The text of blocking key `key` for `attributes`, as it is hashed (for reports and tests).
    public static func keyText(_ key: BlockingKey, attributes: Attributes) -> String? {
        var normalizer = RecordNormalizer { attributes[$0]?.matchText }
        return Self.key(key, normalizer: &normalizer)
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

    /// The normalized value of `attribute` as comparisons or vetoes see it.
    func normalized(_ attribute: String, rules: MatchRules) -> String? {
        if let index = rules.comparisons.firstIndex(where: { $0.attribute == attribute }) { return text(index) }
        guard let veto = rules.vetoOnlyAttributes.firstIndex(of: attribute) else { return nil }
        return withValues { $0.slot(rules.comparisons.count * 2 + veto).map { String(decoding: $0.bytes, as: UTF8.self) } }
    }
}

/// Normalizes one record's attributes, each (attribute, normalizer) once however many
/// comparisons, keys and vetoes ask for it. A record has a dozen such values at most, so a
/// short list beats a dictionary.
struct RecordNormalizer {
    let raw: (String) -> String?
    let context: NormalizationContext
    private var cache: [(attribute: String, normalizer: MatchNormalizer, value: String?)] = []

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
        }
        return result.isEmpty ? nil : result
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

import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An audit entry as the chain holds it: its place in the chain, when it was written, the hash of
/// the entry before it and its own hash over both and every field of the entry.
///
/// `rowHash` is the lowercase hex SHA-256 of the UTF-8 bytes of `canonical` written in the JSON
/// Canonicalization Scheme (RFC 8785); the first entry's `prevHash` is 64 zeros. Changing any
/// byte of an entry breaks its own hash; removing one breaks the next entry's link; removing the
/// newest is caught by an anchor (a chain head kept outside the database).
public struct ChainedAuditEntry: Sendable, Hashable {
    /// The place in the chain: 1, 2, 3, … without gaps, in the order entries were committed.
    public var seq: Int64
    /// UTC, to the microsecond: `2026-12-06T03:12:45.123456Z`.
    public var at: String
    public var entry: AuditEntry
    public var prevHash: String
    public var rowHash: String

    /// Links `entry` after the entry whose hash is `previous`.
    public init(linking entry: AuditEntry, seq: Int64, at: String, after previous: String) {
        self.seq = seq
        self.at = at
        self.entry = entry
        self.prevHash = previous
        self.rowHash = ""
        rowHash = AuditChain.hash(canonical)
    }

    /// An entry as stored, hashes as they were read (to be checked, not trusted).
    public init(seq: Int64, at: String, entry: AuditEntry, prevHash: String, rowHash: String) {
        self.seq = seq
        self.at = at
        self.entry = entry
        self.prevHash = prevHash
        self.rowHash = rowHash
    }

    /// Every field the row hash covers, by the names the README documents.
    public var canonical: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "seq": .number(Double(seq)), "at": .string(at), "actor": .string(entry.actor), "action": .string(entry.action),
            "entity": text(entry.entity), "subject": .string(entry.subject),
            "record_id": entry.recordID.map { .number(Double($0)) } ?? .null, "version": entry.version.map { .number(Double($0)) } ?? .null,
            "before": entry.before ?? .null, "after": entry.after ?? .null, "reason": text(entry.reason),
            "rules_version": text(entry.rulesVersion), "request_id": text(entry.requestID), "prev_hash": .string(prevHash),
        ])
    }

    /// The entry as an auditor's export writes it: the canonical fields and the row hash.
    public var exported: JSONValue {
        guard case .object(var members) = canonical else { return canonical }
        members["row_hash"] = .string(rowHash)
        return .object(members)
    }

    /// Whether the stored hash is the hash of what is stored.
    public var isIntact: Bool { rowHash == AuditChain.hash(canonical) }
}

public enum AuditChain {
    /// The link before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// `entries`, each with its time, linked in order after the entry `head` names: the one way
    /// entries enter the chain.
    public static func link(_ entries: [(entry: AuditEntry, at: String)], after head: AuditAnchor) -> [ChainedAuditEntry] {
        var previous = head.hash
        return entries.enumerated().map { offset, item in
            let chained = ChainedAuditEntry(linking: item.entry, seq: head.seq + Int64(offset) + 1, at: item.at, after: previous)
            previous = chained.rowHash
            return chained
        }
    }

    /// SHA-256, lowercase hex, of `canonical` in RFC 8785 form.
    public static func hash(_ canonical: JSONValue) -> String {
        SHA256Hex.of(Array(CanonicalJSON.rfc8785(canonical).utf8))
    }
}

/// SHA-256 as lowercase hex: the audit chain's hashes and request fingerprints.
public enum SHA256Hex {
    public static func of(_ bytes: some Sequence<UInt8>) -> String {
        hex(Array(SHA256.hash(data: Array(bytes))))
    }

    /// Bytes as lowercase hex.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The chain head at some moment, written down outside the database: `seq:row_hash`.
public struct AuditAnchor: Sendable, Hashable, CustomStringConvertible {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// Reads `seq:hash` as `aurum audit anchor` prints it.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].count == 64,
              parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.init(seq: seq, hash: String(parts[1]))
    }

    public var description: String { "\(seq):\(hash)" }
}

/// What is wrong with a chain, naming the first entry where it shows.
public enum AuditChainProblem: Sendable, Hashable, CustomStringConvertible {
    /// The entry's content is not what its hash was computed over: changed after it was written.
    case altered(seq: Int64)
    /// The entry's link does not name the entry before it: an entry before it was removed, or
    /// replaced together with its hash.
    case broken(seq: Int64)
    /// Entries are missing between two that are there.
    case missing(from: Int64, to: Int64)
    /// An entry that is not in the chain at all (no place, no hashes): written around Aurum.
    case unchained(id: Int64)
    /// Entries are missing at the end: the chain stops before the anchor's entry, or before the
    /// head the database itself recorded.
    case cutOff(last: Int64, expected: Int64)
    /// The anchor's entry is there but is not the entry the anchor was taken of.
    case anchorDiffers(seq: Int64)

    public var seq: Int64? {
        switch self {
        case .altered(let seq), .broken(let seq), .anchorDiffers(let seq): seq
        case .missing(let from, _): from
        case .cutOff(let last, _): last + 1
        case .unchained: nil
        }
    }

    public var description: String {
        switch self {
        case .altered(let seq): "entry \(seq) was altered: its content does not match its hash"
        case .broken(let seq): "entry \(seq) does not link to the entry before it: an earlier entry was removed or replaced"
        case .missing(let from, let to): from == to ? "entry \(from) is missing" : "entries \(from) to \(to) are missing"
        case .unchained(let id): "the row with id \(id) is not in the chain: it was written around Aurum"
        case .cutOff(let last, let expected): "the chain ends at entry \(last), but entry \(expected) existed: entries after \(last) were removed"
        case .anchorDiffers(let seq): "entry \(seq) is not the entry the anchor was taken of: the chain was rewritten from there on"
        }
    }

    /// A short name for scripts.
    public var kind: String {
        switch self {
        case .altered: "altered"
        case .broken: "broken"
        case .missing: "missing"
        case .unchained: "unchained"
        case .cutOff: "cut_off"
        case .anchorDiffers: "anchor_differs"
        }
    }
}

/// Walks a chain entry by entry, in `seq` order, keeping only the last link: any number of
/// entries in constant memory.
public struct AuditChainCheck: Sendable {
    public let anchor: AuditAnchor?
    public private(set) var checked: Int64 = 0
    public private(set) var last: (seq: Int64, hash: String) = (0, AuditChain.genesis)
    private var anchorSeen = false

    public init(anchor: AuditAnchor? = nil) {
        self.anchor = anchor
    }

    /// Checks the next entry; the first problem found, or nil.
    public mutating func check(_ entry: ChainedAuditEntry) -> AuditChainProblem? {
        if entry.seq > last.seq + 1 { return .missing(from: last.seq + 1, to: entry.seq - 1) }
        if !entry.isIntact { return .altered(seq: entry.seq) }
        if entry.prevHash != last.hash || entry.seq != last.seq + 1 { return .broken(seq: entry.seq) }
        if let anchor, anchor.seq == entry.seq {
            if anchor.hash != entry.rowHash { return .anchorDiffers(seq: entry.seq) }
            anchorSeen = true
        }
        last = (entry.seq, entry.rowHash)
        checked += 1
        return nil
    }

    /// After the last entry: whether the chain reaches the anchor and the head the database keeps.
    public func finish(recordedHead: Int64? = nil) -> AuditChainProblem? {
        if let anchor, anchor.seq > 0, !anchorSeen { return .cutOff(last: last.seq, expected: anchor.seq) }
        if let recordedHead, recordedHead > last.seq { return .cutOff(last: last.seq, expected: recordedHead) }
        return nil
    }
}

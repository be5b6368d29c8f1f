import Foundation

/// Writes a long report (a million-record dedupe) to a file or standard output a buffer at a
/// time, instead of building it whole in memory first. JSON values are written by hand: a report
/// of a hundred thousand pairs would otherwise be a tree of a million dictionaries.
struct ReportWriter: ~Copyable {
    private let handle: FileHandle
    private let closeAtEnd: Bool
    private var buffer = ReportBuffer()
    private var failure: (any Error)?
    private static let flushAt = 1 << 20

    /// A writer to `path`, created or truncated, or to standard output when nil.
    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw ImportFile.Failure(description: "cannot write \(path); check that its directory exists and is writable")
            }
            self.handle = handle
            closeAtEnd = true
        } else {
            handle = .standardOutput
            closeAtEnd = false
        }
        buffer.bytes.reserveCapacity(Self.flushAt + 4096)
    }

    /// Writes with `body` into the buffer, flushing it once it is large.
    mutating func write(_ body: (inout ReportBuffer) -> Void) {
        body(&buffer)
        if buffer.bytes.count >= Self.flushAt { flush() }
    }

    mutating func raw(_ text: String) { write { $0.raw(text) } }

    /// A line of text.
    mutating func line(_ text: String) { write { $0.raw(text); $0.raw("\n") } }

    mutating func string(_ text: String?) { write { $0.string(text) } }
    mutating func number(_ value: Double?) { write { $0.number(value) } }
    mutating func member(_ name: String) { write { $0.member(name) } }
    mutating func strings(_ values: [String]) { write { $0.strings(values) } }
    mutating func objects<S: Sequence>(_ items: S, _ members: (inout ReportBuffer, S.Element) -> Void) {
        write { $0.objects(items, members) }
    }

    /// Bytes formatted elsewhere (on another core), as they are.
    mutating func append(_ fragment: ReportBuffer) { write { $0.bytes += fragment.bytes } }

    private mutating func flush() {
        guard !buffer.bytes.isEmpty, failure == nil else { return buffer.bytes.removeAll(keepingCapacity: true) }
        if !closeAtEnd, let capture = Console.capture {
            capture.append(String(decoding: buffer.bytes, as: UTF8.self))
        } else {
            do { try handle.write(contentsOf: buffer.bytes) } catch { failure = error }
        }
        buffer.before = buffer.bytes.last ?? buffer.before
        buffer.bytes.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and closes the file; throws if any write failed (a full disk, say).
    consuming func finish() throws {
        flush()
        if closeAtEnd { try? handle.close() }
        if let failure { throw ImportFile.Failure(description: "cannot write the report: \(failure.localizedDescription)") }
    }
}

/// Report text being formatted, in memory: JSON values written by hand, so that parts of a long
/// report can be formatted on several cores and written in order.
struct ReportBuffer: Sendable {
    var bytes: [UInt8] = []
    /// The last byte of what was written out before `bytes` (by a writer's flush).
    var before: UInt8 = 0

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A JSON string literal.
    mutating func string(_ text: String) {
        bytes.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case ..<0x20: bytes.append(contentsOf: String(format: "\\u%04x", byte).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    /// A JSON string, or null.
    mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// A JSON number (finite; others are written as null).
    mutating func number(_ value: Double) {
        guard value.isFinite else { return raw("null") }
        raw(value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value))
    }

    /// A JSON number, or null.
    mutating func number(_ value: Double?) {
        if let value { number(value) } else { raw("null") }
    }

    /// `"name":` before a member's value.
    mutating func key(_ name: String) {
        string(name)
        bytes.append(0x3A)
    }

    /// `"name":` after a comma, unless it is the object's first member.
    mutating func member(_ name: String) {
        if (bytes.last ?? before) != 0x7B { bytes.append(0x2C) }
        key(name)
    }

    /// A JSON array of objects, `members` writing each one's members (with `member(_:)`).
    mutating func objects<S: Sequence>(_ items: S, _ members: (inout ReportBuffer, S.Element) -> Void) {
        raw("[")
        for (index, item) in items.enumerated() {
            raw(index == 0 ? "{" : ",{")
            members(&self, item)
            raw("}")
        }
        raw("]")
    }

    /// A JSON array of strings.
    mutating func strings(_ values: [String]) {
        raw("[")
        for (index, value) in values.enumerated() {
            if index > 0 { raw(",") }
            string(value)
        }
        raw("]")
    }
}

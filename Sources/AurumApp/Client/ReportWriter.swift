import Foundation

/// Writes a long report (a million-record dedupe) to a file or standard output a buffer at a
/// time, instead of building it whole in memory first. JSON values are written by hand: a report
/// of a hundred thousand pairs would otherwise be a tree of a million dictionaries.
struct ReportWriter: ~Copyable {
    private let handle: FileHandle
    private let closeAtEnd: Bool
    private var buffer: [UInt8] = []
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
        buffer.reserveCapacity(Self.flushAt + 4096)
    }

    mutating func raw(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushAt { flush() }
    }

    /// A line of text.
    mutating func line(_ text: String) {
        raw(text)
        raw("\n")
    }

    /// A JSON string literal.
    mutating func string(_ text: String) {
        buffer.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: buffer.append(contentsOf: [0x5C, 0x22])
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case ..<0x20: buffer.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
            default: buffer.append(byte)
            }
        }
        buffer.append(0x22)
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
        buffer.append(0x3A)
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

    private mutating func flush() {
        guard !buffer.isEmpty, failure == nil else { return buffer.removeAll(keepingCapacity: true) }
        if !closeAtEnd, let capture = Console.capture {
            capture.append(String(decoding: buffer, as: UTF8.self))
        } else {
            do { try handle.write(contentsOf: buffer) } catch { failure = error }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and closes the file; throws if any write failed (a full disk, say).
    consuming func finish() throws {
        flush()
        if closeAtEnd { try? handle.close() }
        if let failure { throw ImportFile.Failure(description: "cannot write the report: \(failure.localizedDescription)") }
    }
}

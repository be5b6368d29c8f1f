import Foundation

/// Reads CSV as RFC 4180 describes it: comma-separated, fields optionally in double quotes,
/// `""` for a quote inside one, CRLF or LF line ends, line breaks allowed inside quotes.
struct CSVReader {
    /// Why a CSV file cannot be read, with the line where it happened.
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    /// A file's header (trimmed names) and data records, each with as many fields as the header;
    /// a byte-order mark is skipped. Errors name `path` and the line.
    static func table(_ text: String, path: String) throws -> (header: [String], records: [(line: Int, fields: [String])]) {
        let records: [(line: Int, fields: [String])]
        do { records = try CSVReader.records(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text) } catch {
            throw ImportFile.Failure(description: "\(path): \(error)")
        }
        let header = records.first?.fields.map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        try checkHeader(header, path: path)
        try checkFieldCounts(records.dropFirst(), header: header, path: path)
        return (header, Array(records.dropFirst()))
    }

    /// A header names each column once: a name given twice would leave one of two values unread.
    static func checkHeader(_ header: [String], path: String) throws {
        var seen = [String: Int]()
        for (index, name) in header.enumerated() where !name.isEmpty {
            if let first = seen[name] {
                throw ImportFile.Failure(description: "\(path):1: column \"\(name)\" appears twice (columns \(first + 1) and \(index + 1)); keep one")
            }
            seen[name] = index
        }
    }

    /// Every record must have as many fields as the header; the first that does not is named by line.
    static func checkFieldCounts(_ records: some Sequence<(line: Int, fields: [String])>, header: [String], path: String) throws {
        for record in records where record.fields.count != header.count {
            throw ImportFile.Failure(description: "\(path):\(record.line): \(record.fields.count) fields, but the header has \(header.count)")
        }
    }

    /// Every record of `text`, each a list of fields, with the line number where it starts.
    /// Works on UTF-8 bytes: the separators are ASCII, so multi-byte characters pass through whole.
    static func records(_ text: String) throws(Failure) -> [(line: Int, fields: [String])] {
        var text = text
        text.makeContiguousUTF8()
        let result = text.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(Failure) in try records(bytes: bytes) }
        }
        return try (result ?? Result { () throws(Failure) in try records(bytes: UnsafeBufferPointer(start: nil, count: 0)) }).get()
    }

    static func records(bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [(line: Int, fields: [String])] {
        var records = [(line: Int, fields: [String])]()
        var fields = [String]()
        var field = [UInt8]()
        var inQuotes = false, afterQuote = false, wasQuoted = false
        var line = 1, recordLine = 1
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false
            wasQuoted = false
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == quote {
                    if index < bytes.count, bytes[index] == quote { field.append(quote); index += 1; continue }
                    inQuotes = false
                    afterQuote = true
                } else {
                    if byte == newline { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote:
                guard field.isEmpty, !afterQuote, !wasQuoted else {
                    throw Failure(line: line, message: "a quote in the middle of an unquoted field; quote the whole field and double the quote")
                }
                inQuotes = true
                wasQuoted = true
            case comma:
                endField()
            case cr:
                continue
            case newline:
                endField()
                if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
                fields.removeAll(keepingCapacity: true)
                line += 1
                recordLine = line
            default:
                guard !afterQuote else { throw Failure(line: line, message: "text after a closing quote; a quoted field must end at a comma or line end") }
                field.append(byte)
            }
        }
        if inQuotes { throw Failure(line: recordLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted {
            endField()
            records.append((recordLine, fields))
        }
        return records
    }
}

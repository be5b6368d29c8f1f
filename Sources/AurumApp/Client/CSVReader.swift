/// Reads CSV as RFC 4180 describes it: comma-separated, fields optionally in double quotes,
/// `""` for a quote inside one, CRLF or LF line ends, line breaks allowed inside quotes.
struct CSVReader {
    /// Why a CSV file cannot be read, with the line where it happened.
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    /// Every record of `text`, each a list of fields, with the line number where it starts.
    static func records(_ text: String) throws(Failure) -> [(line: Int, fields: [String])] {
        var records = [(line: Int, fields: [String])]()
        var fields = [String](), field = "", inQuotes = false, afterQuote = false
        var line = 1, recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []; field = ""; afterQuote = false
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\""); continue }
                        pending = n
                    }
                    inQuotes = false; afterQuote = true
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty, !afterQuote else { throw Failure(line: line, message: "a quote in the middle of an unquoted field; quote the whole field and double the quote") }
                inQuotes = true
            case ",":
                fields.append(field); field = ""; afterQuote = false
            case "\r":
                continue
            case "\n":
                endRecord(); line += 1; recordLine = line
            default:
                guard !afterQuote else { throw Failure(line: line, message: "text after a closing quote; a quoted field must end at a comma or line end") }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw Failure(line: recordLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}

/// A strict RFC 8259 reader for request bodies: one JSON text into a `JSONValue`, or an error that
/// says what is wrong in JSON's own terms (line, column, what was expected), never the decoder's.
///
/// Stricter than the standard library's decoder where a governance service must be: a member
/// name given twice in one object is refused (which of two values would count is undefined), as
/// are unpaired surrogates (they cannot be stored as text), numbers beyond a Double, and nesting
/// deeper than `maxDepth`.
public struct JSONParser {
    public static let defaultMaxDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int

    /// Parses `bytes` as one JSON text (a byte-order mark and surrounding white space allowed).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected text after the JSON document") }
        return value
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("the document ends where a value is expected") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("expected a value (an object, array, string, number, true, false or null), found \(describe(byte))")
        }
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        try checkDepth(depth)
        index += 1
        var members = [String: JSONValue]()
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw error(current == nil ? "the document ends inside an object" : "expected a member name in double quotes, found \(describe(current!))")
            }
            let nameOffset = index
            let name = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after the member name \"\(name)\"") }
            index += 1
            skipWhitespace()
            let member = try value(depth: depth)
            guard members.updateValue(member, forKey: name) == nil else {
                let at = position(of: nameOffset)
                throw JSONSyntaxError(line: at.line, column: at.column, message: "the member \"\(name)\" appears twice in one object")
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            case nil: throw error("the document ends inside an object; expected ',' or '}'")
            default: throw error("expected ',' or '}' after a member, found \(describe(current!))")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        try checkDepth(depth)
        index += 1
        var elements = [JSONValue]()
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            case nil: throw error("the document ends inside an array; expected ',' or ']'")
            default: throw error("expected ',' or ']' after an element, found \(describe(current!))")
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONSyntaxError) {
        if depth > maxDepth { throw error("objects and arrays are nested deeper than \(maxDepth) levels") }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("expected \(word) here (true, false and null are spelt out in lower case)")
        }
        index += expected.count
    }

    private mutating func number() throws(JSONSyntaxError) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw error("a number needs a digit after '-'") }
        index += 1
        if first == UInt8(ascii: "0"), let next = current, isDigit(next) { throw error("a number cannot start with 0 followed by digits") }
        while let byte = current, isDigit(byte) { index += 1 }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let byte = current, isDigit(byte) else { throw error("a number needs a digit after its decimal point") }
            while let byte = current, isDigit(byte) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let byte = current, isDigit(byte) else { throw error("a number needs a digit in its exponent") }
            while let byte = current, isDigit(byte) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw JSONSyntaxError(line: position(of: start).line, column: position(of: start).column,
                                  message: "the number \(text.prefix(40)) is too large to hold")
        }
        return number
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        while true {
            guard let byte = current else { throw error("the document ends inside a string; close it with '\"'") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(try escape())
            case 0x00..<0x20:
                throw error("a control character (U+\(hex(UInt32(byte), width: 4))) must be escaped inside a string")
            case 0x00..<0x80:
                scalars.append(Unicode.Scalar(byte))
                index += 1
            default:
                scalars.append(try utf8Scalar())
            }
        }
    }

    /// One escape sequence after a backslash: the character it stands for.
    private mutating func escape() throws(JSONSyntaxError) -> Unicode.Scalar {
        index += 1
        guard let byte = current else { throw error("the document ends inside an escape sequence") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            if (0xDC00...0xDFFF).contains(unit) { throw error("\\u\(hex(unit, width: 4)) is the second half of a surrogate pair without its first") }
            guard (0xD800...0xDBFF).contains(unit) else { return Unicode.Scalar(unit)! }
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("\\u\(hex(unit, width: 4)) is the first half of a surrogate pair without its second")
            }
            index += 2
            let low = try hexUnit()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error("\\u\(hex(unit, width: 4)) must be followed by the second half of its surrogate pair, not \\u\(hex(low, width: 4))")
            }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
        default:
            index -= 1
            throw error("\\\(describe(byte, quoted: false)) is not an escape sequence; use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX")
        }
    }

    private mutating func hexUnit() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("\\u needs four hexadecimal digits") }
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexValue(bytes[index]) else { throw error("\\u needs four hexadecimal digits, found \(describe(bytes[index]))") }
            unit = unit << 4 | digit
            index += 1
        }
        return unit
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// One multi-byte UTF-8 sequence, checked: shortest form, no surrogates, at most U+10FFFF.
    private mutating func utf8Scalar() throws(JSONSyntaxError) -> Unicode.Scalar {
        let lead = bytes[index]
        let (length, minimum, initial): (Int, UInt32, UInt32) = switch lead {
        case 0xC2...0xDF: (2, 0x80, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (3, 0x800, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (4, 0x10000, UInt32(lead & 0x07))
        default: (0, 0, 0)
        }
        guard length > 0, bytes.count - index >= length else { throw error("the text is not valid UTF-8 here") }
        var scalar = initial
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { throw error("the text is not valid UTF-8 here") }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        guard scalar >= minimum, let result = Unicode.Scalar(scalar) else { throw error("the text is not valid UTF-8 here") }
        index += length
        return result
    }

    // MARK: Positions and messages

    private var position: (line: Int, column: Int) { position(of: index) }

    /// Line and column (both from 1, the column counted in characters) of byte `offset`.
    private func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: position.line, column: position.column, message: message)
    }

    private func describe(_ byte: UInt8, quoted: Bool = true) -> String {
        guard byte >= 0x20, byte < 0x7F else { return "byte 0x\(hex(UInt32(byte), width: 2))" }
        let character = String(UnicodeScalar(byte))
        return quoted ? "'\(character)'" : character
    }

    private func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Where a JSON text stops being JSON, and why.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// The path of the first string (or member name) holding U+0000, which PostgreSQL text cannot
    /// store, below `path`: `candidate.attributes.name`, `candidates[2].source_key`.
    public func pathOfNUL(_ path: String) -> String? {
        switch self {
        case .string(let text): return text.unicodeScalars.contains("\u{0}") ? path : nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = element.pathOfNUL("\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for name in members.keys.sorted() {
                if name.unicodeScalars.contains("\u{0}") { return "\(path) (a member name)" }
                if let found = members[name]!.pathOfNUL("\(path).\(name)") { return found }
            }
            return nil
        default: return nil
        }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one way Aurum writes JSON: sorted keys and unescaped slashes, so the same value is always
/// the same text (in the database, in API answers and in CLI output).
public enum CanonicalJSON {
    /// Encodes `value`; the pretty form is for people reading a terminal.
    public static func data(_ value: some Encodable, pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Aurum's values hold only strings, finite numbers and booleans, which always encode.
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    /// The encoded text of `value`.
    public static func text(_ value: some Encodable, pretty: Bool = false) -> String {
        String(decoding: data(value, pretty: pretty), as: UTF8.self)
    }
}

extension JSONValue {
    /// `value` as a JSON value (through its encoding): for embedding a view in another document.
    public init(encoding value: some Encodable) {
        self = (try? JSONDecoder().decode(JSONValue.self, from: CanonicalJSON.data(value))) ?? .null
    }
}

extension CanonicalJSON {
    /// `value` written straight to text, keys sorted, without the encoder's machinery: for values
    /// bound for the database (which keeps jsonb in its own form, so only validity matters there).
    /// A name of its own, so that `text(_:)` of a value stays the encoder's everywhere else.
    public static func direct(_ value: JSONValue) -> String {
        var out = [UInt8]()
        out.reserveCapacity(128)
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// An object's members written the same way.
    public static func direct(_ object: [String: JSONValue]) -> String {
        direct(.object(object))
    }

    /// How a writer lays values out: `direct` for the database (fast: names in Swift's order, whole
    /// numbers as integers), `rfc8785` for hashing (the JSON Canonicalization Scheme's exact bytes).
    enum Style { case direct, rfc8785 }

    static func write(_ value: JSONValue, into out: inout [UInt8], style: Style = .direct) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            if style == .rfc8785 {
                out.append(contentsOf: ecmaScript(number).utf8)
            } else if number.rounded() == number, abs(number) < 1e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
            } else if number.isFinite {
                out.append(contentsOf: "\(number)".utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let string): write(string, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out, style: style)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let names = style == .rfc8785 ? members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) } : members.keys.sorted()
            for (index, key) in names.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, into: &out, style: style)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A string with the escapes JSON requires and no others (RFC 8785's, which jsonb reads too).
    static func write(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension CanonicalJSON {
    /// `value` in the JSON Canonicalization Scheme (RFC 8785): no whitespace, object members
    /// sorted by their names' UTF-16 code units, numbers as ECMAScript writes them, strings with
    /// only the escapes JSON requires. The form the audit chain hashes, so that anyone can write
    /// the same bytes with any language's JCS library.
    public static func rfc8785(_ value: JSONValue) -> String {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(value, into: &out, style: .rfc8785)
        return String(decoding: out, as: UTF8.self)
    }

    /// A number as ECMAScript's `Number.prototype.toString` writes it (RFC 8785 § 3.2.2.3): the
    /// shortest digits that read back as the same double, in plain notation from 1e-6 to 1e21 and
    /// with an exponent outside. Not a finite number: `null`, which JSON has no other word for.
    public static func ecmaScript(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == 0 { return "0" }
        if number < 0 { return "-" + ecmaScript(-number) }
        // Swift's description holds the same shortest round-trip digits, in its own layout.
        let text = "\(number)"
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0], exponent = parts.count > 1 ? Int(parts[1])! : 0
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        var n = point + exponent  // the value is 0.digits × 10^n
        while digits.first == "0" { digits.removeFirst(); n -= 1 }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count, d = String(digits)
        if k <= n && n <= 21 { return d + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return String(digits[..<n]) + "." + String(digits[n...]) }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + d }
        let e = n - 1, sign = e < 0 ? "-" : "+"
        return String(digits[0]) + (k == 1 ? "" : "." + String(digits[1...])) + "e" + sign + String(abs(e))
    }
}

/// Turns an incoming value into the canonical form of its attribute's type.
///
/// Strings are normalized as the rules say; numbers and booleans may arrive as their text
/// form (as CSV files carry them) and are converted. An empty string means "no value".
enum ValueCoercion {
    static func coerce(_ raw: JSONValue, to spec: AttributeSpec) -> Result<JSONValue?, Finding> {
        var value = raw
        if case .string(let s) = raw {
            let normalized = normalize(s, spec.normalize)
            if normalized.unicodeScalars.allSatisfy(TextFolding.isSpace) { return .success(nil) }
            value = .string(normalized)
        }
        switch spec.type {
        case .string, .text, .email, .enum, .date:
            return value.stringValue != nil ? .success(value) : mismatch(raw, spec, "text")
        case .country:
            guard let s = value.stringValue else { return mismatch(raw, spec, "an ISO 3166 country code") }
            return .success(.string(s.uppercased()))
        case .integer, .reference:
            if let i = value.integerValue ?? value.stringValue.flatMap({ Int64($0.trimmed) }) {
                return .success(.number(Double(i)))
            }
            return mismatch(raw, spec, spec.type == .reference ? "a golden record id (a whole number)" : "a whole number")
        case .decimal:
            if let n = value.numberValue ?? value.stringValue.flatMap({ Double($0.trimmed) }), n.isFinite {
                return .success(.number(n))
            }
            return mismatch(raw, spec, "a number")
        case .boolean:
            if case .bool = value { return .success(value) }
            switch value.stringValue?.trimmed.lowercased() {
            case "true", "1", "yes": return .success(.bool(true))
            case "false", "0", "no": return .success(.bool(false))
            default: return mismatch(raw, spec, "true or false")
            }
        }
    }

    static func normalize(_ s: String, _ steps: [Normalization]) -> String {
        steps.reduce(s) { value, step in
            switch step {
            case .trim: value.trimmed
            case .collapseSpaces: hasSingleSpacesOnly(value) ? value
                : value.unicodeScalars.split(whereSeparator: TextFolding.isSpace).map(String.init).joined(separator: " ")
            case .upper: value.uppercased()
            case .lower: value.lowercased()
            case .stripSeparators: String(value.filter { !" .-".contains($0) })
            }
        }
    }

    /// Whether an ASCII text is already collapsed: words apart by single spaces, none at either
    /// end, no tab or line break (most values; they are then kept as they are).
    static func hasSingleSpacesOnly(_ text: String) -> Bool {
        var previous: UInt8 = 0x20
        for byte in text.utf8 {
            if byte >= 0x80 || (byte >= 0x09 && byte <= 0x0D) || (byte == 0x20 && previous == 0x20) { return false }
            previous = byte
        }
        return previous != 0x20 || text.isEmpty
    }

    static func mismatch(_ raw: JSONValue, _ spec: AttributeSpec, _ expected: String) -> Result<JSONValue?, Finding> {
        .failure(Finding(attribute: spec.name, rule: "type",
                         message: "expected \(expected), got \(raw.typeName) \(spec.quoted(raw.displayText))"))
    }
}

extension AttributeSpec {
    /// A value of this attribute in quotes for an error message: masked when it is sensitive, so
    /// that no message (stored with the candidate, shown to whoever sees it, logged) holds it.
    func quoted(_ text: String) -> String {
        (sensitive.map { $0.mask(text) } ?? text).quotedForMessage
    }
}

extension String {
    /// The string without leading and trailing white space.
    var trimmed: String { TextFolding.trim(self) }

    /// The string in quotes, shortened when long, for error messages.
    var quotedForMessage: String {
        "\"" + (count > 60 ? prefix(57) + "..." : self) + "\""
    }
}

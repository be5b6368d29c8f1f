/// The rules that concern one attribute alone: required, pattern, enum, length, range, check digits.
enum AttributeRules {
    static func check(_ spec: AttributeSpec, value: JSONValue?) -> (errors: [Finding], warnings: [Finding]) {
        guard let value else {
            if spec.required {
                return ([Finding(attribute: spec.name, rule: "required", message: "\(spec.name) is required; give it a value")], [])
            }
            if spec.recommended {
                return ([], [Finding(attribute: spec.name, rule: "recommended", message: "\(spec.name) is missing; stewards and consumers expect it")])
            }
            return ([], [])
        }
        // Each check in turn, no list of them built: this runs for every attribute of every row.
        var problems = [(String, String)]()
        let text = value.stringValue
        if let problem = typeFormat(spec, text) { problems.append(problem) }
        if let text {
            if let problem = pattern(spec, text) { problems.append(problem) }
            if let problem = oneOf(spec, text) { problems.append(problem) }
            if let problem = length(spec, text) { problems.append(problem) }
        }
        if let number = value.numberValue, let problem = range(spec, number) { problems.append(problem) }
        if let text, let problem = checkDigit(spec, text) { problems.append(problem) }
        return (problems.map { Finding(attribute: spec.name, rule: $0.0, message: $0.1) }, [])
    }

    static func typeFormat(_ spec: AttributeSpec, _ text: String?) -> (String, String)? {
        guard let text else { return nil }
        switch spec.type {
        case .email where !isEmail(text):
            return ("email", "\(spec.quoted(text)) is not an e-mail address (name@domain.tld)")
        case .country where !ISOCountries.codes.contains(text):
            return ("country", "\(spec.quoted(text)) is not an ISO 3166-1 alpha-2 country code (e.g. DE, FR, US)")
        case .date where !isDate(text):
            return ("date", "\(spec.quoted(text)) is not a date in the form YYYY-MM-DD")
        default:
            return nil
        }
    }

    static func pattern(_ spec: AttributeSpec, _ text: String) -> (String, String)? {
        guard let pattern = spec.pattern, let regex = PatternCache.regex(pattern) else { return nil }
        return (try? regex.wholeMatch(in: text)) != nil ? nil
            : ("pattern", "\(spec.quoted(text)) does not match the pattern \(pattern)")
    }

    static func oneOf(_ spec: AttributeSpec, _ text: String) -> (String, String)? {
        guard spec.type == .enum, !spec.values.contains(text) else { return nil }
        return ("enum", "\(spec.quoted(text)) is not one of " + spec.values.joined(separator: ", "))
    }

    static func length(_ spec: AttributeSpec, _ text: String) -> (String, String)? {
        guard let bounds = spec.length, !bounds.contains(Double(text.count)) else { return nil }
        return ("length", "is \(text.count) characters long; allowed: \(describe(bounds))")
    }

    static func range(_ spec: AttributeSpec, _ number: Double) -> (String, String)? {
        guard let bounds = spec.range, !bounds.contains(number) else { return nil }
        return ("range", "\(JSONValue.format(number)) is out of range; allowed: \(describe(bounds))")
    }

    static func checkDigit(_ spec: AttributeSpec, _ text: String) -> (String, String)? {
        switch spec.check {
        case .gtin? where !CheckDigits.isValidGTIN(text):
            return ("gtin", "\(spec.quoted(text)) is not a valid GTIN/EAN: 8, 12, 13 or 14 digits with a correct check digit")
        case .iban? where !CheckDigits.isValidIBAN(text):
            return ("iban", "\(spec.quoted(text)) is not a valid IBAN: wrong length for its country or wrong check digits")
        default:
            return nil
        }
    }

    static func describe(_ bounds: NumericRange) -> String {
        switch (bounds.min, bounds.max) {
        case let (min?, max?): "\(JSONValue.format(min)) to \(JSONValue.format(max))"
        case let (min?, nil): "at least \(JSONValue.format(min))"
        case let (nil, max?): "at most \(JSONValue.format(max))"
        case (nil, nil): "any"
        }
    }

    /// One @ with a local part before it and a domain of two or more non-empty labels after it,
    /// no white space. Checked on the UTF-8 bytes and scalars: the separators are ASCII.
    static func isEmail(_ text: String) -> Bool {
        guard !text.unicodeScalars.contains(where: TextFolding.isSpace) else { return false }
        let parts = text.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let labels = parts[1].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m) else { return false }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }
}

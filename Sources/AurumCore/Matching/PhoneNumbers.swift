/// Phone numbers in E.164 form, using the record's country for numbers written nationally.
enum PhoneNumbers {
    /// Country calling codes for ISO countries (the ones Aurum's users trade with most; others
    /// need the number written with + or 00).
    static let callingCodes: [String: String] = [
        "DE": "49", "AT": "43", "CH": "41", "FR": "33", "IT": "39", "ES": "34", "PT": "351", "NL": "31", "BE": "32",
        "LU": "352", "DK": "45", "SE": "46", "NO": "47", "FI": "358", "PL": "48", "CZ": "420", "SK": "421", "HU": "36",
        "SI": "386", "HR": "385", "RO": "40", "BG": "359", "GR": "30", "IE": "353", "GB": "44", "US": "1", "CA": "1",
        "MX": "52", "BR": "55", "CN": "86", "JP": "81", "KR": "82", "IN": "91", "TR": "90", "AU": "61", "NZ": "64",
        "ZA": "27", "EE": "372", "LV": "371", "LT": "370", "IS": "354", "MT": "356", "CY": "357",
    ]

    /// `+` and digits, or nil when the number cannot be placed (no prefix and no known country).
    static func e164(_ text: String, country: String?) -> String? {
        let trimmed = TextFolding.trim(text)
        var digits = String(trimmed.filter(\.isNumber))
        guard digits.count >= 5 else { return nil }
        if trimmed.hasPrefix("+") { return "+" + digits }
        if digits.hasPrefix("00") { return "+" + digits.dropFirst(2) }
        guard let code = country.flatMap({ callingCodes[$0.uppercased()] }) else { return nil }
        // Italian numbers keep their leading 0; elsewhere it is the national trunk prefix.
        if digits.hasPrefix("0"), code != "39" { digits.removeFirst() }
        if code == "1", digits.hasPrefix("1"), digits.count == 11 { digits.removeFirst() }
        return "+" + code + digits
    }
}

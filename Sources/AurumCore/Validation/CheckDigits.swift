/// Check-digit algorithms for identifiers found in master data.
public enum CheckDigits {
    /// Whether `code` is a GTIN-8, -12, -13 or -14 with a correct GS1 mod-10 check digit.
    public static func isValidGTIN(_ code: String) -> Bool {
        let digits = code.compactMap(\.wholeNumberValue)
        guard digits.count == code.count, [8, 12, 13, 14].contains(digits.count) else { return false }
        return gtinCheckDigit(for: digits.dropLast()) == digits.last
    }

    /// The GS1 check digit for the digits before it: weights 3 and 1 alternate from the right.
    public static func gtinCheckDigit<C: Collection<Int>>(for body: C) -> Int {
        let sum = body.reversed().enumerated().reduce(0) { sum, pair in
            sum + pair.element * (pair.offset.isMultiple(of: 2) ? 3 : 1)
        }
        return (10 - sum % 10) % 10
    }

    /// Whether `iban` (spaces allowed) has its country's length and passes the ISO 13616 mod-97 check.
    public static func isValidIBAN(_ iban: String) -> Bool {
        let compact = iban.filter { $0 != " " }.uppercased()
        guard compact.count >= 15, compact.count <= 34,
              compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
        let country = String(compact.prefix(2))
        guard country.allSatisfy(\.isLetter), compact.dropFirst(2).prefix(2).allSatisfy(\.isNumber) else { return false }
        if let expected = ibanLengths[country], expected != compact.count { return false }
        let rearranged = compact.dropFirst(4) + compact.prefix(4)
        var remainder = 0
        for character in rearranged {
            let value = character.isNumber ? character.wholeNumberValue! : Int(character.asciiValue! - 55)
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
        }
        return remainder == 1
    }

    /// The IBAN of `country` (two letters) and `bban` (letters and digits), with its check digits.
    public static func iban(country: String, bban: String) -> String {
        var remainder = 0
        for character in (bban + country + "00").uppercased() {
            let value = character.isNumber ? character.wholeNumberValue! : Int(character.asciiValue! - 55)
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
        }
        let check = 98 - remainder
        return country.uppercased() + (check < 10 ? "0\(check)" : "\(check)") + bban.uppercased()
    }

    /// IBAN lengths by country (SWIFT IBAN registry); countries not listed are checked by mod-97 only.
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
        "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
        "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
        "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
        "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
        "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
        "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
        "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
    ]
}

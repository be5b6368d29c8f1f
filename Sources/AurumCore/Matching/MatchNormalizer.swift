/// How an attribute is normalized before it is compared or used in a blocking key, so that
/// "Müller GmbH" and "MUELLER" or "B-1001" and "B1001" meet.
public enum MatchNormalizer: String, Sendable, CaseIterable, Codable {
    /// Trimmed, nothing else.
    case exact
    /// Diacritics folded and transliterated, lower case, punctuation to spaces, spaces collapsed.
    case text
    /// `text` without legal-form words (GmbH, AG, Inc., Ltd, LLC, S.A., S.p.A., B.V., & Co. KG ...).
    case companyName = "company_name"
    /// `text` for a person's or company's name without legal forms and titles.
    case personName = "person_name"
    /// `text` with street words unified (Straße/Strasse/Str. → str, Street/St. → st, Avenue → ave ...).
    case street
    /// E.164 (+4971234567) using the record's country for national numbers.
    case phone
    /// Lower case, trimmed.
    case email
    /// Upper case without spaces, dots and dashes, with the country prefix (from the record's country when missing).
    case vat
    /// Upper case without spaces, dots, dashes, slashes and underscores.
    case code
    /// `text` with numbers split from letters and units dropped, so M8x40 = M8 x 40 mm.
    case itemName = "item_name"
    /// Upper case ISO code.
    case country
    /// Digits and letters only, upper case (postal codes, registry numbers).
    case alphanumeric
    /// The numbers in a street line (the house number and its additions: "Hauptstraße 12a" → "12").
    case houseNumber = "house_number"
    /// `street` without its numbers: the street's name ("12a Hauptstraße" → "hauptstr").
    case streetName = "street_name"
    /// The model and part numbers in a text, distinct and sorted ("Startech CB2EC adapter" → "cb2ec").
    case modelNumber = "model_number"
}

/// The record context a normalizer may need: the country for phones and VAT numbers.
public struct NormalizationContext: Sendable {
    public var country: String?
    public init(country: String? = nil) { self.country = country }
}

extension MatchNormalizer {
    /// The normalized form of `value`, or nil when nothing is left of it.
    public func apply(_ value: String, context: NormalizationContext = .init()) -> String? {
        let result: String
        switch self {
        case .exact: result = TextFolding.trim(value)
        case .text: result = TextFolding.words(value).joined(separator: " ")
        case .companyName: result = TextFolding.words(value).filter { !Vocabulary.legalForms.contains($0) }.joined(separator: " ")
        case .personName:
            result = TextFolding.words(value).filter { !Vocabulary.legalForms.contains($0) && !Vocabulary.titles.contains($0) }.joined(separator: " ")
        case .street:
            result = TextFolding.words(value, reduce: false).map(Vocabulary.streetWord).joined(separator: " ")
        case .phone: result = PhoneNumbers.e164(value, country: context.country) ?? ""
        case .email: result = TextFolding.trim(value).lowercased()
        case .vat: result = Self.vat(value, country: context.country)
        case .code: result = Self.keep(value.uppercased()) { $0 != " " && $0 != "." && $0 != "-" && $0 != "/" && $0 != "_" }
        case .itemName: result = TextFolding.itemWords(value).joined(separator: " ")
        case .country: result = TextFolding.trim(value).uppercased()
        case .alphanumeric: result = Self.keep(TextFolding.fold(value).uppercased(), TextFolding.isWordScalar)
        case .houseNumber: result = TextFolding.itemWords(value).filter { $0.first?.isNumber == true }.joined(separator: " ")
        case .streetName:
            result = TextFolding.words(value, reduce: false).filter { $0.first?.isNumber != true }.map(Vocabulary.streetWord).joined(separator: " ")
        case .modelNumber: result = ItemFeatures.modelNumbers(value).joined(separator: " ")
        }
        return result.isEmpty ? nil : result
    }

    /// The scalars of `text` that `include` keeps.
    static func keep(_ text: String, _ include: (Unicode.Scalar) -> Bool) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where include(scalar) { result.append(scalar) }
        return String(result)
    }

    static func vat(_ value: String, country: String?) -> String {
        let compact = keep(value.uppercased(), TextFolding.isWordScalar)
        guard compact.count > 2 else { return compact }
        if compact.prefix(2).allSatisfy(\.isLetter) { return compact }
        guard let country = country?.uppercased(), country.count == 2 else { return compact }
        return (country == "GR" ? "EL" : country) + compact
    }
}

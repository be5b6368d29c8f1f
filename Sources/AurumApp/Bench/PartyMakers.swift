import AurumCore
import Foundation

/// Suppliers: companies with VAT, address, phone and e-mail.
struct SupplierMaker: RecordMaker {
    let columns = ["name", "is_company", "vat", "street", "zip", "city", "country", "phone", "email"]

    func original(index: Int, random: inout SeededRandom) -> [String: String] {
        Party.company(index: index, random: &random)
    }

    func duplicate(of base: [String: String], random: inout SeededRandom) -> [String: String] {
        Party.duplicate(of: base, random: &random)
    }

    /// A branch of the same company: same name, its own VAT number and another city.
    func sibling(of base: [String: String], index: Int, random: inout SeededRandom) -> [String: String] {
        Party.branch(of: base, index: index, random: &random)
    }
}

/// Customers: companies and private persons; hard negatives are people in one household.
struct CustomerMaker: RecordMaker {
    let columns = ["name", "is_company", "vat", "street", "zip", "city", "country", "phone", "email"]

    func original(index: Int, random: inout SeededRandom) -> [String: String] {
        random.chance(0.4) ? Party.company(index: index, random: &random) : Party.person(index: index, random: &random)
    }

    func duplicate(of base: [String: String], random: inout SeededRandom) -> [String: String] {
        Party.duplicate(of: base, random: &random)
    }

    func sibling(of base: [String: String], index: Int, random: inout SeededRandom) -> [String: String] {
        guard base["is_company"] == "false" else { return Party.branch(of: base, index: index, random: &random) }
        // Another person in the same household: same surname and address, another given name and e-mail.
        var person = base
        let surname = String(base["name"]!.split(separator: " ").last!)
        var given = random.pick(BenchVocabulary.givenNames)
        while base["name"]!.hasPrefix(given) { given = random.pick(BenchVocabulary.givenNames) }
        person["name"] = "\(given) \(surname)"
        person["email"] = random.chance(0.7) ? "\(given.lowercased()).\(Party.slug(surname))\(index)@mail.\(random.pick(BenchVocabulary.domains))" : ""
        if random.chance(0.5) { person["phone"] = "" }
        return person
    }
}

/// Shared makers for companies and people.
enum Party {
    static func slug(_ text: String) -> String {
        String(MatchNormalizer.text.apply(text)?.filter { $0.isLetter || $0.isNumber } ?? "x")
    }

    static func address(_ random: inout SeededRandom) -> (BenchVocabulary.Place, [String: String]) {
        let place = random.pick(BenchVocabulary.places)
        return (place, ["street": "\(random.pick(BenchVocabulary.streets)) \(Int.random(in: 1...250, using: &random))",
                        "zip": place.zip, "city": place.city, "country": place.country])
    }

    static func phone(_ place: BenchVocabulary.Place, _ random: inout SeededRandom) -> String {
        random.chance(0.7) ? "\(place.phonePrefix) \(random.digits(3)) \(random.digits(4))" : ""
    }

    /// A VAT number unique to `index`: the country prefix and nine digits derived from it.
    static func vat(_ country: String, index: Int, random: inout SeededRandom) -> String {
        let prefix = country == "GR" ? "EL" : (country == "CH" ? "CHE" : country)
        return prefix + String(format: "%09d", (index &* 7919 &+ 1_000_003) % 1_000_000_000)
    }

    static func company(index: Int, random: inout SeededRandom) -> [String: String] {
        var (place, fields) = address(&random)
        let core = "\(Variation.surname(&random)) \(random.pick(BenchVocabulary.industries))"
        let legal = random.pick(BenchVocabulary.legalForms[place.country] ?? ["Ltd"])
        fields["name"] = "\(core) \(legal)"
        fields["is_company"] = "true"
        fields["vat"] = random.chance(0.8) ? vat(place.country, index: index, random: &random) : ""
        fields["phone"] = phone(place, &random)
        fields["email"] = random.chance(0.5) ? "info@\(slug(core))\(index).\(random.pick(BenchVocabulary.domains))" : ""
        return fields
    }

    static func person(index: Int, random: inout SeededRandom) -> [String: String] {
        var (place, fields) = address(&random)
        let given = random.pick(BenchVocabulary.givenNames), surname = Variation.surname(&random)
        fields["name"] = "\(given) \(surname)"
        fields["is_company"] = "false"
        fields["vat"] = ""
        fields["phone"] = phone(place, &random)
        fields["email"] = random.chance(0.7) ? "\(given.lowercased()).\(slug(surname))\(index)@mail.\(random.pick(BenchVocabulary.domains))" : ""
        return fields
    }

    /// A branch: the same company name in another city, with a VAT number of its own.
    static func branch(of base: [String: String], index: Int, random: inout SeededRandom) -> [String: String] {
        var (place, branch) = address(&random)
        while place.city == base["city"] { (place, branch) = address(&random) }
        branch["name"] = base["name"]
        branch["is_company"] = "true"
        branch["vat"] = vat(place.country, index: index, random: &random)
        branch["phone"] = phone(place, &random)
        branch["email"] = ""
        return branch
    }

    /// The same party typed again elsewhere: one to three variations.
    static func duplicate(of base: [String: String], random: inout SeededRandom) -> [String: String] {
        var record = base
        let isCompany = base["is_company"] == "true"
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: record["name"] = Variation.typo(record["name"]!, &random)
            case 1: record["name"] = isCompany ? legalVariant(record["name"]!, country: record["country"]!, &random) : Variation.typo(record["name"]!, &random)
            case 2: record["name"] = record["name"]!.uppercased()
            case 3: record["name"] = Variation.transliterate(record["name"]!); record["city"] = Variation.transliterate(record["city"]!)
            case 4: record["street"] = Variation.abbreviateStreet(record["street"]!, &random)
            case 5: record["phone"] = internationalPhone(record["phone"]!, country: record["country"]!, &random)
            case 6: if let vat = record["vat"], !vat.isEmpty { record["vat"] = random.chance(0.5) ? Variation.spaced(vat, every: 3) : "" }
            case 7: record["email"] = random.chance(0.5) ? "" : record["email"]!.uppercased()
            case 8: if isCompany { record["name"] = swapWords(record["name"]!) } else { record["phone"] = "" }
            default: record["street"] = Variation.typo(record["street"]!, &random)
            }
        }
        return fieldNoise(record, isCompany: isCompany, &random)
    }

    /// The noise of real exports on top: each field independently gets an error a quarter of the
    /// time, and one duplicate in five has an error in every field — a typo in the name, the
    /// street, the city, a wrong digit in the house number and the postcode, a given name
    /// swapped with the family name, left out or cut to an initial, a missing phone or e-mail.
    static func fieldNoise(_ base: [String: String], isCompany: Bool, _ random: inout SeededRandom) -> [String: String] {
        var record = base
        let share = random.chance(0.2) ? 1.0 : 0.25
        if random.chance(share) {
            var words = record["name"]!.split(separator: " ").map(String.init)
            switch Int.random(in: 0..<(isCompany ? 2 : 5), using: &random) {
            case 1 where words.count > 1:
                words.swapAt(0, isCompany ? 1 : words.count - 1)
                record["name"] = words.joined(separator: " ")
            case 2 where words.count > 1: record["name"] = words.dropFirst().joined(separator: " ")
            case 3 where words.count > 1: words[0] = String(words[0].prefix(1)) + "."; record["name"] = words.joined(separator: " ")
            case 4: record["name"] = Variation.typo(words.reversed().joined(separator: " "), &random)
            default: record["name"] = Variation.typo(record["name"]!, &random)
            }
        }
        if random.chance(share), let street = record["street"] {
            record["street"] = random.chance(0.5) ? Variation.typo(street, &random) : Variation.digitTypo(street, &random)
        }
        if random.chance(share), let zip = record["zip"] { record["zip"] = Variation.digitTypo(zip, &random) }
        if random.chance(share), let city = record["city"] { record["city"] = random.chance(0.85) ? Variation.typo(city, &random) : "" }
        if random.chance(share * 0.5) { record["phone"] = "" }
        if random.chance(share * 0.5) { record["email"] = "" }
        return record
    }

    static func legalVariant(_ name: String, country: String, _ random: inout SeededRandom) -> String {
        let forms = BenchVocabulary.legalForms[country] ?? ["Ltd"]
        var core = name
        for form in forms.sorted(by: { $0.count > $1.count }) where core.hasSuffix(" " + form) {
            core = String(core.dropLast(form.count + 1))
            break
        }
        return random.chance(0.4) ? core : "\(core) \(random.pick(forms))"
    }

    static func swapWords(_ name: String) -> String {
        var words = name.split(separator: " ").map(String.init)
        guard words.count >= 2 else { return name }
        words.swapAt(0, 1)
        return words.joined(separator: " ")
    }

    static func internationalPhone(_ phone: String, country: String, _ random: inout SeededRandom) -> String {
        guard !phone.isEmpty, random.chance(0.8) else { return "" }
        let codes = ["DE": "49", "AT": "43", "CH": "41", "FR": "33", "IT": "39", "NL": "31", "PL": "48", "CZ": "420", "SE": "46",
                     "GB": "44", "US": "1", "ES": "34"]
        guard let code = codes[country] else { return phone }
        let national = country == "IT" ? phone : (phone.hasPrefix("0") ? String(phone.dropFirst()) : phone)
        return "+\(code) \(national)"
    }
}

/// What an item's name or description says beyond its words: model and part numbers, quantities
/// with their units, colours. Two shops describe one product in their own words but with the
/// same model number; two look-alikes of one brand differ in their model number, size or colour.
public enum ItemFeatures {
    /// Model and part numbers in `text`: tokens that mix letters and digits, with their
    /// separators removed ("CB2EC", "KDL-40V4100" → "kdl40v4100", "902453-007-c" → "902453007c"),
    /// at least four characters long, leaving out quantities ("8GB", "19in", "12pk"), sizes
    /// ("M8x40") and ordinals ("2nd"); and standard designations ("DIN 933" → "din933"). Distinct, sorted.
    public static func modelNumbers(_ text: String) -> [String] {
        var found = Set<String>()
        let tokens = TextFolding.fold(text).split(whereSeparator: { !isTokenCharacter($0) })
        // A standard's designation is the part's number too: "DIN 933" → "din933".
        for (index, token) in tokens.enumerated() where index + 1 < tokens.count && standards.contains(String(token)) {
            if tokens[index + 1].allSatisfy(\.isNumber) { found.insert(String(token) + tokens[index + 1]) }
        }
        for token in tokens {
            let compact = String(token.filter { $0.isLetter || $0.isNumber })
            guard compact.count >= 4, compact.contains(where: \.isLetter), compact.contains(where: \.isNumber),
                  !isQuantity(compact), size(compact) == nil else { continue }
            found.insert(compact)
        }
        return found.sorted()
    }

    /// Standards bodies whose designations name a part ("DIN 933", "ISO 4017").
    static let standards: Set<String> = ["din", "iso", "en", "astm", "ansi", "jis", "bs", "nf", "uni", "gost"]

    static func isTokenCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "-" || character == "/" || character == "."
    }

    /// A size written as numbers joined by x, with an optional thread prefix: "m8x40" → "8x40",
    /// "1024x768" → "1024x768". A size says how big a thing is, not which thing it is.
    static func size(_ token: String) -> String? {
        var body = Substring(token)
        if body.first == "m", body.dropFirst().first?.isNumber == true { body = body.dropFirst() }
        if body.hasSuffix("mm") { body = body.dropLast(2) }
        let parts = body.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isNumber || $0 == "." } }) else { return nil }
        return parts.joined(separator: "x")
    }

    /// A number followed only by a unit or an ordinal suffix ("500gb", "2nd", "1080p").
    static func isQuantity(_ token: String) -> Bool {
        guard let firstLetter = token.firstIndex(where: \.isLetter), firstLetter != token.startIndex else { return false }
        let number = token[..<firstLetter], suffix = String(token[firstLetter...])
        guard number.allSatisfy(\.isNumber) else { return false }
        return units[suffix] != nil || ["st", "nd", "rd", "th", "p", "x", "d"].contains(suffix)
    }

    /// Units by what they measure: a quantity is "dimension=value".
    static let units: [String: String] = [
        "gb": "gb", "mb": "mb", "tb": "tb", "kb": "kb", "gig": "gb",
        "mm": "mm", "cm": "cm", "m": "m", "in": "in", "inch": "in", "inches": "in", "ft": "ft", "feet": "ft",
        "v": "v", "volt": "v", "volts": "v", "w": "w", "watt": "w", "watts": "w", "mah": "mah",
        "ghz": "ghz", "mhz": "mhz", "hz": "hz",
        "kg": "kg", "g": "g", "lb": "lb", "lbs": "lb", "oz": "oz", "ml": "ml", "l": "l",
        "pk": "pack", "pack": "pack", "pcs": "pack", "count": "pack", "ct": "pack",
        "page": "pages", "pages": "pages", "sheets": "sheets", "ppm": "ppm", "dpi": "dpi", "mp": "mp",
    ]

    /// Quantities in text as the `text` normalizer leaves it (lower case, words): "8gb", "8 gb",
    /// "pack of 12", "12 pack", "m8x40" give "gb=8", "pack=12", "size=8x40". Distinct, sorted.
    public static func quantities(_ text: String) -> [String] {
        let words = text.split(separator: " ").map(String.init)
        var found = Set<String>()
        for (index, word) in words.enumerated() {
            if let size = size(word) {
                found.insert("size=" + size)
            } else if index + 2 < words.count, words[index + 1] == "x", let size = size(word + "x" + words[index + 2]) {
                found.insert("size=" + size)
            } else if let letters = word.firstIndex(where: { $0.isLetter }), letters != word.startIndex,
               word[..<letters].allSatisfy({ $0.isNumber || $0 == "." }), let unit = units[String(word[letters...])] {
                found.insert(unit + "=" + number(word[..<letters]))
            } else if word.allSatisfy({ $0.isNumber || $0 == "." }), word.first?.isNumber == true {
                if index + 1 < words.count, let unit = units[words[index + 1]] {
                    found.insert(unit + "=" + number(Substring(word)))
                } else if index >= 2, words[index - 1] == "of", ["pack", "set", "box", "case"].contains(words[index - 2]) {
                    found.insert("pack=" + number(Substring(word)))
                }
            }
        }
        return found.sorted()
    }

    /// A number without leading zeros or a trailing ".0".
    static func number(_ text: Substring) -> String {
        var value = String(text.drop { $0 == "0" })
        if value.contains(".") { while value.hasSuffix("0") { value.removeLast() }; if value.hasSuffix(".") { value.removeLast() } }
        return value.isEmpty || value.first == "." ? "0" + value : value
    }

    /// Words that name a variant of one product: its colour ("gray" → "colour=grey"), its
    /// material ("galvanized" → "material=zinc"), the platform it is made for ("windows" →
    /// "platform=win"), its edition ("pro" → "edition=professional") and licence ("upg" →
    /// "licence=upgrade"; none named is "licence=full"). Distinct, sorted.
    public static func variants(_ text: String) -> [String] {
        var found = Set<String>()
        for word in text.split(separator: " ") {
            if let colour = colourWords[String(word)] { found.insert("colour=" + colour) }
            if let platform = platformWords[String(word)] { found.insert("platform=" + platform) }
            if let material = materialWords[String(word)] { found.insert("material=" + material) }
            if let edition = editionWords[String(word)] { found.insert("edition=" + edition) }
            if let licence = licenceWords[String(word)] { found.insert("licence=" + licence) }
        }
        // A program named without its licence is the full product: an upgrade is another thing.
        if !found.contains(where: { $0.hasPrefix("licence=") }) { found.insert("licence=full") }
        return found.sorted()
    }

    static let materialWords: [String: String] = [
        "steel": "steel", "stainless": "stainless", "inox": "stainless", "brass": "brass", "copper": "copper", "bronze": "bronze",
        "aluminium": "aluminium", "aluminum": "aluminium", "titanium": "titanium", "zinc": "zinc", "galvanised": "zinc",
        "galvanized": "zinc", "nylon": "plastic", "plastic": "plastic", "polyamide": "plastic", "wood": "wood", "wooden": "wood",
    ]

    /// Editions of one product line (software, appliances): "premium" is not "standard".
    static let editionWords: [String: String] = [
        "standard": "standard", "std": "standard", "professional": "professional", "pro": "professional", "premium": "premium",
        "deluxe": "deluxe", "basic": "basic", "ultimate": "ultimate", "enterprise": "enterprise", "home": "home", "lite": "lite",
    ]

    /// How a program is licensed: an upgrade is not the full product.
    static let licenceWords: [String: String] = [
        "upgrade": "upgrade", "upg": "upgrade", "oem": "oem", "academic": "academic", "student": "academic", "full": "full",
    ]

    static let platformWords: [String: String] = [
        "mac": "mac", "macintosh": "mac", "osx": "mac", "win": "win", "windows": "win", "linux": "linux",
    ]

    static let colourWords: [String: String] = [
        "black": "black", "white": "white", "red": "red", "blue": "blue", "green": "green", "yellow": "yellow",
        "grey": "grey", "gray": "grey", "silver": "silver", "pink": "pink", "purple": "purple", "orange": "orange",
        "brown": "brown", "gold": "gold", "beige": "beige", "cyan": "cyan", "magenta": "magenta", "schwarz": "black",
        "weiss": "white", "rot": "red", "blau": "blue", "grun": "green", "gelb": "yellow", "grau": "grey",
    ]

    /// Whether two feature lists ("dimension=value" each) conflict: some dimension both state,
    /// with no value in common.
    public static func conflict(_ a: String, _ b: String) -> Bool {
        func byDimension(_ text: String) -> [Substring: Set<Substring>] {
            var result = [Substring: Set<Substring>]()
            for feature in text.split(separator: " ") {
                guard let equals = feature.firstIndex(of: "=") else { continue }
                result[feature[..<equals], default: []].insert(feature[feature.index(after: equals)...])
            }
            return result
        }
        let left = byDimension(a), right = byDimension(b)
        return left.contains { dimension, values in right[dimension].map { $0.isDisjoint(with: values) } ?? false }
    }
}

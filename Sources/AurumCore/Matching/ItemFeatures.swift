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
        "pair": "pair", "pairs": "pair", "db": "db", "user": "users", "users": "users", "port": "ports", "ports": "ports",
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

    /// Whether two lists of words (model numbers, as `each_word` gives them) share one: the same
    /// word, or one model number written two ways — with a suffix of one or two letters ("wn511",
    /// "wn511b": a colour or region code), with a series prefix of letters ("xb40ex", "mdrxb40ex";
    /// "fh50", "npfh50"), or one letter more or less in a number of six characters or more
    /// ("tg6645b", "tga6645b").
    public static func wordsAgree(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: " "), right = b.split(separator: " ")
        return left.contains { x in right.contains { wordsAgree(x, $0) } }
    }

    /// Whether two model numbers are one model written two ways (see `wordsAgree(_:_:)` for lists).
    static func wordsAgree(_ x: Substring, _ y: Substring) -> Bool {
        let (short, long) = x.count <= y.count ? (x, y) : (y, x)
        guard short != long else { return true }
        guard short.count >= 4, short.contains(where: \.isNumber) else { return false }
        if long.hasPrefix(short) { let suffix = long.dropFirst(short.count); return suffix.count <= 2 && suffix.allSatisfy(\.isLetter) }
        if long.hasSuffix(short) { return long.dropLast(short.count).allSatisfy(\.isLetter) }
        return short.count >= 6 && long.count == short.count + 1 && EditDistance.levenshtein(String(short), String(long)) == 1
            && long.filter(\.isNumber) == short.filter(\.isNumber)
    }

    /// Whether two lists of numbers (as `each_number` gives them) share one: the same number, or
    /// a whole number and a version of it ("4" and "4.1": version 4 named without its minor).
    /// "4.1" and "4.5", or 2007 and 2008, do not agree.
    public static func numbersAgree(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: " "), right = b.split(separator: " ")
        func agree(_ x: Substring, _ y: Substring) -> Bool {
            x == y || (!x.contains(".") && y.hasPrefix(x + ".")) || (!y.contains(".") && x.hasPrefix(y + "."))
        }
        return left.contains { x in right.contains { agree(x, $0) } }
    }

    /// A word that is a number, as a number ("2.0" → "2"); a version written "v3.0" is its
    /// number too. Nil for other words.
    static func numberToken(_ word: Substring) -> String? {
        let body = word.first == "v" && word.dropFirst().first?.isNumber == true ? word.dropFirst() : word
        return body.first?.isNumber == true ? number(body) : nil
    }

    /// A number without leading zeros or a trailing ".0".
    static func number<S: StringProtocol>(_ text: S) -> String {
        var value = String(text.drop { $0 == "0" })
        if value.contains(".") { while value.hasSuffix("0") { value.removeLast() }; if value.hasSuffix(".") { value.removeLast() } }
        return value.isEmpty || value.first == "." ? "0" + value : value
    }

    /// Words that name a variant of one product: its colour ("gray" → "colour=grey"), its
    /// material or finish ("galvanized" → "material=galvanised"; steel beside a finish is its
    /// base and left out), the stainless grade ("a4" → "grade=a4"), the platform it is made for ("windows" →
    /// "platform=win"), its edition ("pro" → "edition=professional") and licence ("upg" →
    /// "licence=upgrade"; none named is "licence=full"). Distinct, sorted.
    public static func variants(_ text: String) -> [String] {
        var found = Set<String>()
        for word in text.split(separator: " ") {
            for (dimension, words) in variantDimensions { if let value = words[String(word)] { found.insert(dimension + "=" + value) } }
        }
        // Steel is the base of stainless, galvanised or black-oxide steel: the finish tells them apart.
        if found.contains("material=steel"), found.contains(where: { $0.hasPrefix("material=") && $0 != "material=steel" }) {
            found.remove("material=steel")
        }
        // A program named without its licence is the full product: an upgrade is another thing.
        if !found.contains(where: { $0.hasPrefix("licence=") }) { found.insert("licence=full") }
        return found.sorted()
    }

    /// The variant dimensions and their words, in the order `variants` reads them.
    static let variantDimensions: [(dimension: String, words: [String: String])] = [
        ("colour", colourWords), ("platform", platformWords), ("material", materialWords), ("grade", gradeWords),
        ("edition", editionWords), ("licence", licenceWords),
    ]

    static let materialWords: [String: String] = [
        "steel": "steel", "stainless": "stainless", "inox": "stainless", "brass": "brass", "copper": "copper", "bronze": "bronze",
        "aluminium": "aluminium", "aluminum": "aluminium", "titanium": "titanium", "zinc": "zinc", "galvanised": "galvanised",
        "galvanized": "galvanised", "oxide": "black_oxide", "blackened": "black_oxide", "nylon": "plastic", "plastic": "plastic",
        // "wood" alone is what a wood screw or a wood drill is for, not what it is made of.
        "polyamide": "plastic", "wooden": "wood",
    ]

    /// Grades of stainless steel (A2, A4): two grades are two items.
    static let gradeWords: [String: String] = ["a2": "a2", "a4": "a4", "aisi304": "a2", "aisi316": "a4"]

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

    /// Whether two item names are the same but for one phrase: 0 when, once their shared words
    /// are set aside, each side is left with one word or two side by side, and at least two words
    /// are shared, else 1. "hex nut din 934 m8" and "wing nut din 934 m8" name two kinds of nut,
    /// "washer din 125 m8" and "carriage bolt din 125 m8" two things.
    /// Words written differently pair off first: a typo (one edit, two in a word of five letters
    /// or more) and an abbreviation ("pro", "professional"; "card" is not "cardbus"). Only words
    /// of three letters or more count, without numbers (sizes and model numbers have their own
    /// vetoes); filler words ("new", "for"), variant words (a platform or colour against a
    /// brand is no other kind) and the start of a designation ("din" against "din933") are
    /// shared words but never the replaced one. "cb2ec expresscard cardbus laptop adapter" and
    /// "cb2ec expresscard pcmcia adapter card" leave "pcmcia" and "card" apart: no one phrase.
    public static func replacedWord(_ a: String, _ b: String) -> Double {
        let leftTokens = a.split(separator: " "), rightTokens = b.split(separator: " ")
        // Distinct words: a word said twice ("logic express 7.2 upgrade from logic express 6") is one word.
        func words(_ tokens: [Substring]) -> [Substring] {
            var distinct = [Substring]()
            for token in tokens where token.count > 2 && token.allSatisfy(\.isLetter) && !distinct.contains(token) { distinct.append(token) }
            return distinct
        }
        var left = words(leftTokens), right = words(rightTokens), shared = 0
        func pairOff(_ same: (Substring, Substring) -> Bool) {
            left.removeAll { word in
                guard let match = right.firstIndex(where: { same(word, $0) }) else { return false }
                right.remove(at: match)
                shared += 1
                return true
            }
        }
        pairOff(==)
        // Words written differently are the same word: a typo, an abbreviation.
        pairOff { x, y in
            let (short, long) = x.count <= y.count ? (x, y) : (y, x)
            if long.hasPrefix(short), short.count >= 5 || long.count >= 2 * short.count { return true }
            return EditDistance.damerauLevenshtein(String(x), String(y)) <= (short.count >= 5 ? 2 : 1)
        }
        // The start of a designation on the other side is shared too ("din" against "din933").
        func startsDesignation(_ word: Substring, in tokens: [Substring]) -> Bool {
            tokens.contains { $0.count > word.count && $0.hasPrefix(word) && $0.dropFirst(word.count).first?.isNumber == true }
        }
        let designations = (left.filter { startsDesignation($0, in: rightTokens) }, right.filter { startsDesignation($0, in: leftTokens) })
        shared += designations.0.count + designations.1.count
        // Filler and variant words are never the replaced one.
        func isKind(_ word: Substring) -> Bool { !fillerWords.contains(String(word)) && !isVariantWord(String(word)) }
        left = left.filter { !designations.0.contains($0) && isKind($0) }
        right = right.filter { !designations.1.contains($0) && isKind($0) }
        guard shared >= 2, !left.isEmpty, !right.isEmpty else { return 1 }
        // One phrase in the place of another: a word, or two side by side ("countersunk screw"),
        // after the same word or before it (a brand put first on one side and a word added at
        // the end of the other is no replacement).
        func place(_ words: [Substring], in tokens: [Substring]) -> (before: Substring?, after: Substring?)? {
            guard (1...2).contains(words.count), let first = tokens.firstIndex(of: words[0]) else { return nil }
            var range = first...first
            if words.count == 2 {
                if first + 1 < tokens.count, tokens[first + 1] == words[1] { range = first...(first + 1) }
                else if first > 0, tokens[first - 1] == words[1] { range = (first - 1)...first }
                else { return nil }
            }
            return (range.lowerBound > 0 ? tokens[range.lowerBound - 1] : nil, range.upperBound + 1 < tokens.count ? tokens[range.upperBound + 1] : nil)
        }
        guard let x = place(left, in: leftTokens), let y = place(right, in: rightTokens) else { return 1 }
        return x.before == y.before || (x.after != nil && x.after == y.after) ? 0 : 1
    }

    /// Words that name no kind of thing.
    static let fillerWords: Set<String> = ["the", "and", "for", "with", "new", "from", "into", "by", "of", "in", "to"]

    static func isVariantWord(_ word: String) -> Bool {
        variantDimensions.contains { $0.words[word] != nil }
    }

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

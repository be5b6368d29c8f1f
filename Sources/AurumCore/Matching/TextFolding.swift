/// Folding of text for comparison: transliteration of letters with diacritics, case, punctuation.
enum TextFolding {
    /// Letters transliterated the way German and Nordic names are written without diacritics;
    /// the digraphs are then reduced too, so Müller, Mueller and Muller all become "muller".
    static let transliterations: [Character: String] = [
        "ä": "a", "ö": "o", "ü": "u", "Ä": "a", "Ö": "o", "Ü": "u", "ß": "ss", "æ": "ae", "Æ": "ae",
        "ø": "o", "Ø": "o", "å": "a", "Å": "a", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
        "ð": "d", "þ": "th", "ı": "i",
    ]

    static func trim(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
              isSpace(first) || isSpace(last) else { return text }
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isSpace($0) }),
              let end = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[start...end])
    }

    /// White space, with ASCII answered without a Unicode property look-up.
    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return v == 32 || (v >= 9 && v <= 13) }
        return scalar.properties.isWhitespace
    }

    /// Lower case ASCII where possible: transliterated, then remaining diacritics stripped.
    /// Works scalar by scalar (grapheme clustering would cost more than the rest of matching).
    static func fold(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { appendFolded(scalar, to: &result) }
        return String(result)
    }

    /// Appends the folded form of one scalar: ASCII lower-cased, Latin letters transliterated or
    /// stripped of their diacritics, combining marks dropped, anything else lower-cased.
    @inline(__always)
    static func appendFolded(_ scalar: Unicode.Scalar, to result: inout String.UnicodeScalarView) {
        let value = scalar.value
        if value < 0x80 {
            result.append(value >= 65 && value <= 90 ? Unicode.Scalar(value + 32)! : scalar)
        } else if let folded = foldedScalars[value] {
            result.append(contentsOf: folded.unicodeScalars)
        } else if value >= 0x300 && value <= 0x36F {
            return  // a combining mark after a base letter
        } else {
            result.append(contentsOf: String(scalar).lowercased().unicodeScalars)
        }
    }

    /// Every scalar with a folded form, from the transliterations and the base letters.
    static let foldedScalars: [UInt32: String] = {
        var table = [UInt32: String]()
        for (character, base) in baseLetters { if let scalar = character.unicodeScalars.first { table[scalar.value] = String(base) } }
        for (character, text) in transliterations { if let scalar = character.unicodeScalars.first { table[scalar.value] = text } }
        return table
    }()

    /// Precomposed Latin letters (U+00C0–U+024F) and their base letters, from Unicode's canonical
    /// decompositions; the standard library has no decomposition of its own.
    static let baseLetters: [Character: Character] = Dictionary(uniqueKeysWithValues: zip(
        "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ",
        "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyy"))

    /// Folded words. Punctuation separates words, except that dots and apostrophes join
    /// ("S.p.A." → "spa", "O'Neil" → "oneil") and a dot or comma between digits stays a decimal
    /// point ("8,4" → "8.4"). With `reduce`, the digraphs ae/oe/ue become a/o/u.
    static func words(_ text: String, reduce: Bool = true) -> [String] {
        asciiWords(text, reduce: reduce) ?? scalarWords(text, reduce: reduce)
    }

    /// `words` scalar by scalar, for any text.
    static func scalarWords(_ text: String, reduce: Bool) -> [String] {
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { appendFolded(scalar, to: &folded) }
        let scalars = Array(folded)
        var words = [String]()
        var current = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if isWordScalar(scalar) {
                current.append(scalar)
            } else if scalar == "." || scalar == ",", index > 0, index + 1 < scalars.count,
                      isDigit(scalars[index - 1]), isDigit(scalars[index + 1]) {
                current.append(".")
            } else if scalar == "." || scalar == "'" || scalar == "\u{2019}" {
                continue
            } else if !current.isEmpty {
                words.append(reduce ? reduceDigraphs(String(current)) : String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(reduce ? reduceDigraphs(String(current)) : String(current)) }
        return words
    }

    /// `words` for ASCII text, over its bytes (most master data is ASCII); nil for other text.
    static func asciiWords(_ text: String, reduce: Bool) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            var words = [String]()
            var current = [UInt8]()
            current.reserveCapacity(bytes.count)
            func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
            func end() {
                guard !current.isEmpty else { return }
                let word = String(decoding: current, as: UTF8.self)
                words.append(reduce ? reduceDigraphs(word) : word)
                current.removeAll(keepingCapacity: true)
            }
            for (index, byte) in bytes.enumerated() {
                guard byte < 0x80 else { return nil }
                switch byte {
                case 65...90: current.append(byte + 32)
                case 97...122, 48...57: current.append(byte)
                case UInt8(ascii: "."), UInt8(ascii: ","):
                    if index > 0, index + 1 < bytes.count, isDigit(bytes[index - 1]), isDigit(bytes[index + 1]) {
                        current.append(UInt8(ascii: "."))
                    } else if byte == UInt8(ascii: ",") {
                        end()
                    }
                case UInt8(ascii: "'"): continue
                default: end()
                }
            }
            end()
            return words
        }
    }

    @inline(__always)
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 48 && scalar.value <= 57 }

    /// Letters and digits; for non-ASCII scalars, what Unicode calls alphabetic or numeric.
    @inline(__always)
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return (v >= 97 && v <= 122) || (v >= 65 && v <= 90) || (v >= 48 && v <= 57) }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// ue → u, oe → o, ae → a, as German writes umlauts without diacritics.
    static func reduceDigraphs(_ word: String) -> String {
        guard word.utf8.count > 2, word.utf8.contains(UInt8(ascii: "e")) else { return word }
        var result = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in word.unicodeScalars {
            if scalar == "e", let p = previous, p == "a" || p == "o" || p == "u" { previous = scalar; continue }
            result.append(scalar)
            previous = scalar
        }
        return String(result)
    }

    /// Words of an item name with numbers split from letters and units dropped:
    /// "Hex bolt M8x40" and "hex bolt M8 x 40 mm" give the same words.
    static func itemWords(_ text: String) -> [String] {
        var spaced = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in fold(text).unicodeScalars {
            if let p = previous, isWordScalar(p), isWordScalar(scalar), isDigit(p) != isDigit(scalar) { spaced.append(" ") }
            spaced.append(scalar)
            previous = scalar
        }
        return words(String(spaced)).filter { !Vocabulary.units.contains($0) }
    }
}

/// Words that carry no identity for matching, and synonyms that do.
enum Vocabulary {
    static let legalForms: Set<String> = [
        "gmbh", "ag", "kg", "ohg", "gbr", "ug", "mbh", "kgaa", "se", "co", "und", "and", "inc", "incorporated", "ltd",
        "limited", "llc", "llp", "lp", "plc", "corp", "corporation", "company", "sa", "sas", "sarl", "srl", "spa",
        "sl", "bv", "nv", "vof", "ab", "as", "asa", "oy", "oyj", "aps", "sro", "sp", "zoo", "kft", "doo", "pty", "cie",
        "e", "ev", "eg", "ek", "group", "holding",
    ]
    static let titles: Set<String> = ["mr", "mrs", "ms", "dr", "prof", "herr", "frau", "mme", "mlle", "m", "sir", "dipl", "ing"]
    static let streetWords: [String: String] = [
        "strasse": "str", "strase": "str", "str": "str", "street": "st", "st": "st", "avenue": "ave", "ave": "ave",
        "av": "ave", "road": "rd", "rd": "rd", "boulevard": "blvd", "blvd": "blvd", "lane": "ln", "ln": "ln",
        "drive": "dr", "dr": "dr", "platz": "pl", "pl": "pl", "place": "pl", "weg": "weg", "gasse": "g",
        "allee": "allee", "rue": "rue", "via": "via", "square": "sq", "sq": "sq", "court": "ct", "ct": "ct",
    ]
    /// A street word in its short form; compounds such as "Hauptstrasse" keep their stem ("hauptstr").
    static func streetWord(_ word: String) -> String {
        if let short = streetWords[word] { return short }
        for (suffix, short) in [("strasse", "str"), ("strase", "str"), ("weg", "weg"), ("platz", "pl"), ("gasse", "g")]
        where word.hasSuffix(suffix) && word.count > suffix.count {
            return String(word.dropLast(suffix.count)) + short
        }
        return TextFolding.reduceDigraphs(word)
    }

    static let units: Set<String> = ["mm", "cm", "m2", "mm2", "kg", "g", "pcs", "pc", "stk", "st", "pieces", "piece", "units", "unit"]
}

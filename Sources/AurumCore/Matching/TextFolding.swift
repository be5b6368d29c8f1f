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
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Lower case ASCII where possible: transliterated, then remaining diacritics stripped.
    static func fold(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if character.isASCII { result.append(character); continue }
            if let replacement = transliterations[character] { result += replacement; continue }
            if let base = character.unicodeScalars.first, base.isASCII {
                result.unicodeScalars.append(base)  // a letter followed by combining marks
            } else if let base = Self.baseLetters[character] {
                result.append(base)
            } else {
                result.append(character)
            }
        }
        return result.lowercased()
    }

    /// Precomposed Latin letters (U+00C0–U+024F) and their base letters, from Unicode's canonical
    /// decompositions; the standard library has no decomposition of its own.
    static let baseLetters: [Character: Character] = Dictionary(uniqueKeysWithValues: zip(
        "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ",
        "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyy"))

    /// Folded words. Punctuation separates words, except that dots and apostrophes join
    /// ("S.p.A." → "spa", "O'Neil" → "oneil") and a dot or comma between digits stays a decimal
    /// point ("8,4" → "8.4"). With `reduce`, the digraphs ae/oe/ue become a/o/u.
    static func words(_ text: String, reduce: Bool = true) -> [String] {
        let characters = Array(fold(text))
        var words = [String]()
        var current = ""
        for (index, character) in characters.enumerated() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if character == "." || character == ",", index > 0, index + 1 < characters.count,
                      characters[index - 1].isNumber, characters[index + 1].isNumber {
                current.append(".")
            } else if character == "." || character == "'" || character == "’" {
                continue
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return reduce ? words.map(reduceDigraphs) : words
    }

    /// ue → u, oe → o, ae → a, as German writes umlauts without diacritics.
    static func reduceDigraphs(_ word: String) -> String {
        guard word.count > 2, word.contains("e") else { return word }
        var result = ""
        var previous: Character?
        for character in word {
            if character == "e", let p = previous, "aou".contains(p) { previous = character; continue }
            result.append(character)
            previous = character
        }
        return result
    }

    /// Words of an item name with numbers split from letters and units dropped:
    /// "Hex bolt M8x40" and "hex bolt M8 x 40 mm" give the same words.
    static func itemWords(_ text: String) -> [String] {
        var spaced = ""
        var previous: Character?
        for character in fold(text) {
            if let p = previous, (p.isNumber && character.isLetter) || (p.isLetter && character.isNumber) {
                spaced.append(" ")
            }
            spaced.append(character)
            previous = character
        }
        return words(spaced).filter { !Vocabulary.units.contains($0) }
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

@testable import AurumCore
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Known values for the blocking variants, the item features and the word-wise comparators.
@Suite struct FeatureTests {
    @Test func deletionsLetValuesOneTypoApartMeet() {
        #expect(KeyVariants.deletions("4011") == ["4011", "011", "411", "401"])
        let substitution = Set(KeyVariants.deletions("4011")).intersection(KeyVariants.deletions("4811"))
        let transposition = Set(KeyVariants.deletions("4011")).intersection(KeyVariants.deletions("0411"))
        #expect(substitution == ["411"] && !transposition.isEmpty)
        #expect(Set(KeyVariants.deletions("4011")).isDisjoint(with: KeyVariants.deletions("5822")))
        #expect(KeyVariants.deletions("a very long street name") == ["a very long street name"])
    }

    @Test func minhashBandsIgnoreWordOrderAndSeparateDifferentSets() {
        let a = KeyVariants.minhash("startech expresscard cardbus adapter cb2ec", bands: 8, rows: 2)
        #expect(a.count == 8 && a.allSatisfy { $0.contains("#") })
        #expect(a == KeyVariants.minhash("cb2ec adapter cardbus expresscard startech", bands: 8, rows: 2))
        #expect(Set(a).isDisjoint(with: KeyVariants.minhash("crown ecoplus mat charcoal", bands: 8, rows: 2)))
        #expect(KeyVariants.minhash("", bands: 8, rows: 2).isEmpty)
    }

    @Test func manyValuedKeysGiveOneHashPerValue() {
        let rules = MatchRules(prior: 0.001, reviewThreshold: 0, autoLinkThreshold: 10, comparisons: [],
                               blockingKeys: [BlockingKey(name: "word_zip", parts: [
                                   BlockingPart(attribute: "name", normalizer: .personName, transform: .eachPhonetic),
                                   BlockingPart(attribute: "zip", normalizer: .alphanumeric, transform: .deletions)])])
        #expect(MatchRecord.keyTexts(rules.blockingKeys[0], attributes: ["name": "Anna Mueller", "zip": "70"])
                == ["word_zip:A500|70", "word_zip:A500|0", "word_zip:A500|7", "word_zip:M460|70", "word_zip:M460|0", "word_zip:M460|7"])
        let record = MatchRecord(id: "1", attributes: ["name": "Anna Mueller", "zip": "70"], rules: rules)
        #expect(record.keys.count == 6 && record.keys == record.keys.sorted())
        #expect(MatchRecord(id: "2", attributes: ["name": "Anna"], rules: rules).keys.isEmpty, "no zip, no key")
    }

    @Test func modelNumbersAreLettersWithDigitsWithoutSizesOrQuantities() {
        #expect(ItemFeatures.modelNumbers("startech com cb2ec expresscard to pcmcia adapter card") == ["cb2ec"])
        #expect(ItemFeatures.modelNumbers("Sony KDL-40V4100 40in LCD, 8GB, 2nd gen") == ["kdl40v4100"])
        #expect(ItemFeatures.modelNumbers("netmanage rumba ( 902453-007-c )") == ["902453007c"])
        #expect(ItemFeatures.modelNumbers("lexmark 16 black print cartridge 10n0016") == ["10n0016"])
        #expect(ItemFeatures.modelNumbers("Hex bolt DIN 933 M8x40 steel") == ["din933"])
        #expect(ItemFeatures.modelNumbers("1024x768 projector 2008 edition") == [])
        #expect(MatchNormalizer.modelNumber.apply("TD824LL/A filemaker cd28esk9") == "cd28esk9 td824lla")
    }

    @Test func quantitiesAndVariantsConflictOnlyWhereBothStateThem() {
        #expect(ItemFeatures.quantities("pny 8 gb usb flash drive pack of 12 m8x40mm 500gb") == ["gb=500", "gb=8", "pack=12", "size=8x40"])
        #expect(ItemFeatures.quantities("hex bolt m8 x 40 2.50 v") == ["size=8x40", "v=2.5"])
        #expect(ItemFeatures.conflict("gb=8", "gb=16") && !ItemFeatures.conflict("gb=8", "in=19") && !ItemFeatures.conflict("gb=8 gb=16", "gb=16"))
        #expect(ItemFeatures.variants("black gray galvanized for mac") == ["colour=black", "colour=grey", "licence=full", "material=galvanised", "platform=mac"])
        #expect(ItemFeatures.variants("m4x16 a2 stainless steel") == ["grade=a2", "licence=full", "material=stainless"], "steel beside a finish is its base")
        #expect(ItemFeatures.conflict(ItemFeatures.variants("a4 stainless steel").joined(separator: " "), ItemFeatures.variants("steel").joined(separator: " ")))
        #expect(ItemFeatures.conflict(ItemFeatures.variants("zinc plated").joined(separator: " "), ItemFeatures.variants("galvanised").joined(separator: " ")))
        #expect(ItemFeatures.conflict(ItemFeatures.variants("black oxide").joined(separator: " "), ItemFeatures.variants("stainless a2").joined(separator: " ")))
        #expect(!ItemFeatures.conflict(ItemFeatures.variants("black oxide").joined(separator: " "), ItemFeatures.variants("blackened").joined(separator: " ")))
        #expect(ItemFeatures.conflict(ItemFeatures.variants("word 2004 upgrade").joined(separator: " "), ItemFeatures.variants("word 2004").joined(separator: " ")),
                "a program without its licence is the full product, not the upgrade")
        #expect(ItemFeatures.conflict("platform=mac", "platform=win") && !ItemFeatures.conflict("colour=black", ""))
    }

    @Test func streetNameLeavesTheNumbersOut() {
        #expect(MatchNormalizer.streetName.apply("12a Hauptstraße") == "hauptstr")
        #expect(MatchNormalizer.houseNumber.apply("Hauptstraße 12a") == "12")
        #expect(MatchNormalizer.streetName.apply("44 Forbes Street") == "forbes st")
    }

    @Test func mongeElkanPairsWordsOnce() {
        #expect(TokenSimilarity.mongeElkan("john smith", "smith") == 1)
        #expect(TokenSimilarity.mongeElkan("smith john", "john smith") == 1)
        #expect(TokenSimilarity.mongeElkan("smith john", "jon smith") > 0.95)
        let common = TokenSimilarity.mongeElkan("drechheim drehteile", "halldorf drehteile")
        #expect(abs(common - (1 + JaroWinkler.similarity("drechheim", "halldorf")) / 2) < 1e-12 && common < 0.8)
        #expect(TokenSimilarity.mongeElkan("d kocking", "david kocking") == (0.95 + 1) / 2)
    }

    @Test func otherWordsSetTheSharedFamilyNameAside() {
        #expect(TokenSimilarity.otherWords("lena nopstein", "leon nopstein") < 0.9)
        #expect(TokenSimilarity.otherWords("smith john", "john smith") == 1)
        #expect(TokenSimilarity.otherWords("smith", "john smith") == 1, "a missing given name is no difference")
        #expect(TokenSimilarity.otherWords("d kocking", "david kocking") == 0.95, "an initial agrees with its name")
    }

    @Test func numbersAgreeOnTheSameNumberOrAVersionOfIt() {
        #expect(BlockingTransform.eachNumber.values("audition 2.0 007 v3.0 vx1") == ["2", "7", "3"], "written as numbers, without .0 or leading zeros; v3.0 is version 3")
        #expect(ItemFeatures.numbersAgree("2", "22011152 2"))
        #expect(ItemFeatures.numbersAgree("4", "4.1"), "version 4 named without its minor")
        #expect(!ItemFeatures.numbersAgree("4.1", "4.5") && !ItemFeatures.numbersAgree("2007", "2008"))
        #expect(!ItemFeatures.numbersAgree("4", "45"), "a number is not the start of a longer one")
    }

    @Test func modelNumbersAgreeAcrossAVariantSuffix() {
        #expect(ItemFeatures.wordsAgree("wn511", "wn511b") && ItemFeatures.wordsAgree("cb2ec kdl40", "kdl40"))
        #expect(!ItemFeatures.wordsAgree("wn511", "wn512") && !ItemFeatures.wordsAgree("kdl40", "kdl40v4100"), "a longer model is another model")
        #expect(ItemFeatures.wordsAgree("xb40ex", "mdrxb40ex") && ItemFeatures.wordsAgree("fh50", "npfh50"), "a series prefix")
        #expect(ItemFeatures.wordsAgree("tg6645b", "tga6645b") && !ItemFeatures.wordsAgree("tg6645b", "tg6646b"), "a letter more, not a digit")
        #expect(!ItemFeatures.wordsAgree("4050", "14050"), "a digit in front is another number")
        #expect(ItemFeatures.modelNumbers("satellite speaker mounts 1pair 10db") == [], "pairs and decibels are quantities")
    }

    @Test func replacedWordFindsNamesThatDifferInOneWordEach() {
        #expect(ItemFeatures.replacedWord("hex nut din 934 m 8 steel", "wing nut din 934 m 8 steel") == 0)
        #expect(ItemFeatures.replacedWord("hex bolt m 8 x 40 steel", "hex nut m 8 x 40 steel") == 0)
        #expect(ItemFeatures.replacedWord("hex bolt m 8 steel", "hex blot m 8 steel") == 1, "a typo is the same word")
        #expect(ItemFeatures.replacedWord("acrobat 8 pro mac", "acrobat 8 professional mac") == 1, "an abbreviation is the same word")
        #expect(ItemFeatures.replacedWord("hex bolt m8 steel", "hex bot m8 steel") == 1, "a deleted letter is a typo")
        #expect(ItemFeatures.replacedWord("apple remote desktop unlim", "apple remote desktop unlimited") == 1)
        #expect(ItemFeatures.replacedWord("return to castle wolfenstein mac", "aspyr return to castle wolfenstein") == 1,
                "a platform against a brand is no other kind")
        #expect(ItemFeatures.replacedWord("new bullet style camera", "lorex bullet style camera") == 1, "a filler word is no kind")
        #expect(ItemFeatures.replacedWord("logic express 7.2 upgrade from logic express 6", "apple logic express 7.2 upgrade from v6") == 1,
                "a word said twice is one word")
        #expect(ItemFeatures.replacedWord("hex bolt m 8 steel", "hex bolt m 8 a 2 stainless steel") == 1, "a word more is no replacement")
        #expect(ItemFeatures.replacedWord("startech com expresscard cardbus laptop adapter cb2ec",
                                             "startech com cb2ec expresscard pcmcia adapter card") == 1, "two words against two")
        #expect(ItemFeatures.replacedWord("hex bolt", "eye bolt") == 1, "one shared word is too little to tell")
    }

    @Test func tfidfWeighsRareWordsAboveCommonOnesAndForgivesTypos() {
        let weights = WordWeights(documentFrequencies: [Blocking.hash("adapter"): 90, Blocking.hash("card"): 90, Blocking.hash("black"): 50],
                                  documents: 100)
        #expect(abs(weights.weight(Blocking.hash("adapter")) - (log(101.0 / 91.0) + 1)) < 1e-12)
        #expect(abs(weights.weight(Blocking.hash("cb2ec")) - (log(101.0) + 1)) < 1e-12)
        #expect(weights.cosine("startech cb2ec adapter", "cb2ec card") > weights.cosine("startech cb2ec adapter", "adapter card"))
        #expect(abs(weights.cosine("hex bolt black", "bolt hex black") - 1) < 1e-12)
        let typo = weights.cosine("hex bolt stainless", "hex bolt stainles")
        #expect(typo > 0.9 && typo < 1, "a typo counts as the word, scaled by its similarity")
        #expect(weights.cosine("office 2004", "office 2008") == 1, "numbers are for the vetoes, not the cosine")
    }

    /// With containment, a short name that a longer one holds whole counts as that share of the
    /// shorter side's weight, scaled; a one-word name only when the word is rare.
    @Test func tfidfContainmentCountsANameHeldWhole() {
        var weights = WordWeights(documentFrequencies: [:], documents: 100)
        let short = "mozy backup", long = "simply put software llc mozy backup"
        let cosine = weights.cosine(short, long)
        #expect(abs(cosine - (2 / (2 * 6).squareRoot())) < 1e-9, "equal weights: 2 shared of 2 and 6 words")
        weights.containment = 0.8
        #expect(abs(weights.cosine(short, long) - 0.8) < 1e-9)
        var common = weights
        common.documentFrequencies[Blocking.hash("mozy")] = 40
        #expect(common.cosine("mozy", "simply put software mozy") < 0.8, "one common word alone is not held whole")
        #expect(abs(weights.cosine("mozy", "simply put software mozy") - 0.8) < 1e-9, "one rare word is")
        #expect(weights.cosine("hex bolt", "hex bolt") == 1)
    }
}

extension FeatureTests {
    @Test(arguments: [("smith john", "jon smith"), ("drechheim drehteile", "halldorf drehteile"), ("d kocking", "david kocking"),
                      ("anna", "anna maria mueller"), ("", "x"), ("anna smith", "smith anna"), ("ab ab", "ab ab"), ("jon smith", "john smyth")])
    func mongeElkanOverBytesEqualsOverStrings(_ a: String, _ b: String) {
        var x = a, y = b
        let bytes = x.withUTF8 { l in y.withUTF8 { r in TokenSimilarity.mongeElkan(l, r) } }
        #expect(abs(bytes - TokenSimilarity.mongeElkan(a, b)) < 1e-12)
    }
}

extension FeatureTests {
    @Test func soundexOverBytesEqualsTheGeneralPath() {
        for word in ["robert", "rupert", "rubin", "ashcraft", "tymczak", "pfister", "honeyman", "mueller", "a", "lee", "schmidt", "o'neil", "x1"] {
            let general = { (text: String) -> String in
                let letters = text.uppercased().unicodeScalars.filter { $0.value >= 65 && $0.value <= 90 }
                guard let first = letters.first else { return "" }
                var result = String(Character(first)), last = Phonetic.code(first)
                for scalar in letters.dropFirst() {
                    let digit = Phonetic.code(scalar)
                    if digit != 0, digit != last { result.append(Character(String(digit))) }
                    if scalar != "H" && scalar != "W" { last = digit }
                    if result.count == 4 { break }
                }
                return result.padding(toLength: 4, withPad: "0")
            }
            #expect(Phonetic.soundex(word) == general(word), "\(word)")
        }
        #expect(Phonetic.soundex("Robert") == "R163" && Phonetic.soundex("Ashcraft") == "A261" && Phonetic.soundex("Tymczak") == "T522")
    }
}

extension FeatureTests {
    /// The record's key hashes are those of its key texts: what reports print is what blocking used.
    @Test func keyHashesAreTheHashesOfTheKeyTexts() {
        let rules = MatchRules(prior: 0.001, reviewThreshold: 0, autoLinkThreshold: 10, comparisons: [], blockingKeys: [
            BlockingKey(name: "vat", parts: [BlockingPart(attribute: "vat", normalizer: .vat)]),
            BlockingKey(name: "word_zip", parts: [BlockingPart(attribute: "name", normalizer: .personName, transform: .eachPhonetic),
                                                  BlockingPart(attribute: "zip", normalizer: .alphanumeric, transform: .deletions)])])
        let attributes: Attributes = ["name": "Jürgen Weiß", "zip": "8010", "vat": "ATU 1234 5678", "country": "AT"]
        let expected = rules.blockingKeys.enumerated().flatMap { index, key in
            MatchRecord.keyTexts(key, attributes: attributes).map { Blocking.hash($0, key: index) }
        }
        #expect(MatchRecord(id: "1", attributes: attributes, rules: rules).keys == expected.sorted() && expected.count == 1 + 2 * 5)
    }
}

extension FeatureTests {
    /// Stopping early never changes which pairs reach a threshold.
    @Test func reachesAgreesWithTheFullWeight() {
        let rules = SupplierMatch.rules
        let names = ["Würth GmbH", "Wuerth", "Hilti AG", "Hilti", "Bosch", "Acme Tools", "Acme Tool", "Zeta"]
        let records = names.enumerated().map { index, name in
            MatchRecord(id: String(index), attributes: ["name": .string(name), "city": index % 2 == 0 ? "Berlin" : "Bonn",
                                                        "vat": index < 2 ? "DE811193231" : .null], rules: rules)
        }
        let scorer = MatchScorer(rules: rules)
        for a in records.indices { for b in records.indices where a != b {
            for threshold in [-20.0, -5, 0, 3, 10, 30] {
                #expect(scorer.reaches(records[a], records[b], threshold) == (scorer.score(records, a, b).weight >= threshold))
            }
        } }
    }
}

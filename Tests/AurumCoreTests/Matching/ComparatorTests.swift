@testable import AurumCore
import Testing

@Suite struct ComparatorTests {
    func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    @Test func jaroWinklerMatchesPublishedValues() {
        // Winkler (1990) and the Wikipedia examples.
        #expect(round3(JaroWinkler.similarity("MARTHA", "MARHTA")) == 0.961)
        #expect(round3(JaroWinkler.similarity("DIXON", "DICKSONX")) == 0.813)
        #expect(round3(JaroWinkler.similarity("DWAYNE", "DUANE")) == 0.84)
        #expect(round3(JaroWinkler.jaro(Array("MARTHA".unicodeScalars.map(\.value)), Array("MARHTA".unicodeScalars.map(\.value)))) == 0.944)
        #expect(JaroWinkler.similarity("", "") == 1 && JaroWinkler.similarity("A", "") == 0)
        #expect(JaroWinkler.similarity("ABC", "XYZ") == 0)
    }

    @Test func levenshteinAndDamerau() {
        #expect(EditDistance.levenshtein("kitten", "sitting") == 3)
        #expect(EditDistance.levenshtein("flaw", "lawn") == 2)
        #expect(EditDistance.levenshtein("", "abc") == 3)
        #expect(EditDistance.levenshtein("Müller", "Muller") == 1)
        #expect(EditDistance.damerauLevenshtein("ab", "ba") == 1)
        #expect(EditDistance.levenshtein("ab", "ba") == 2)
        #expect(EditDistance.damerauLevenshtein("CA", "ABC") == 3)  // optimal string alignment, not unrestricted (2)
        #expect(EditDistance.similarity(distance: 3, 6, 7) == 1 - 3.0 / 7)
    }

    @Test func tokenMeasures() {
        #expect(TokenSimilarity.tokenSet("acme", "acme industrial") == 1)
        #expect(TokenSimilarity.jaccard("acme", "acme industrial") == 0.5)
        #expect(TokenSimilarity.tokenSort("bolt hex m8", "hex bolt m8") == 1)
        #expect(TokenSimilarity.tokenSet("a b", "c d") == 0)
    }

    @Test func soundexMatchesTheNationalArchivesExamples() {
        #expect(Phonetic.soundex("Robert") == "R163")
        #expect(Phonetic.soundex("Rupert") == "R163")
        #expect(Phonetic.soundex("Tymczak") == "T522")
        #expect(Phonetic.soundex("Pfister") == "P236")
        #expect(Phonetic.soundex("Ashcraft") == "A261")
        #expect(Phonetic.soundex("Honeyman") == "H555")
        #expect(Phonetic.soundex("Lee") == "L000")
    }

    @Test func datesAndNumbersMeasureDifferences() throws {
        #expect(DayNumber.parse("2024-03-01")! - DayNumber.parse("2024-02-28")! == 2)
        #expect(DayNumber.parse("2023-03-01")! - DayNumber.parse("2023-02-28")! == 1)
        let measure = try #require(Comparator.measure(.numeric, "0.021", "0.025"))
        #expect(LevelCondition.differenceAtMost(0.005).holds(measure) && !LevelCondition.differenceAtMost(0.001).holds(measure))
        let price = try #require(Comparator.measure(.ratio, "90", "100"))
        #expect(abs(price.similarity! - 0.9) < 1e-12 && LevelCondition.similarityAtLeast(0.9).holds(price))
        #expect(Comparator.measure(.ratio, "0", "100")?.similarity == 0, "no ratio to a zero price")
        #expect(Comparator.measure(.modelNumbers, "xb40ex", "mdrxb40ex zx100")?.similarity == 1, "one model written two ways is shared")
        #expect(Comparator.measure(.modelNumbers, "gx301 gx012", "gx012 twr301")?.similarity == 0.5)
    }

    /// Prepared values compare ASCII text by its bytes and other text by its scalars; both give
    /// what the String functions give.
    @Test func preparedValuesMeasureAsTheStringFunctions() throws {
        let cases: [(ComparisonMethod, String, String, Double)] = [
            (.jaroWinkler, "martha", "marhta", JaroWinkler.similarity("martha", "marhta")),
            (.levenshtein, "kitten", "sitting", 1 - 3.0 / 7),
            (.levenshtein, "müller", "muller", 1 - 1.0 / 6),
            (.damerauLevenshtein, "ca", "ac", 0.5),
            (.jaroWinkler, "żółw", "zolw", JaroWinkler.similarity("żółw", "zolw")),
            (.tokenSort, "hex bolt m8", "m8 bolt hex", 1),
            (.tokenSet, "acme industrial", "industrial acme gmbh", 1),
            (.jaccard, "acme industrial", "industrial acme gmbh", 2.0 / 3),
            (.jaccard, "acme acme", "acme", 1),
            (.tokenSet, "łódź plant", "plant łódź north", 1),
        ]
        for (method, a, b, expected) in cases {
            let measure = try #require(Comparator.measure(method, a, b))
            #expect(abs((measure.similarity ?? -1) - expected) < 1e-9, "\(method) \(a) / \(b)")
        }
        #expect(Comparator.measure(.exact, "", "x") == nil, "an empty text is no value")
    }
}

@testable import AurumCore
import Testing

/// A small supplier rule set: VAT exact, name Jaro-Winkler in three levels, city exact.
enum SupplierMatch {
    static let rules = MatchRules(
        prior: 0.001, reviewThreshold: -2, autoLinkThreshold: 12,
        comparisons: [
            Comparison(attribute: "vat", normalizer: .vat, method: .exact, levels: [
                ComparisonLevel(label: "exact", condition: .exact, m: 0.9, u: 0.0001),
                ComparisonLevel(label: "else", condition: .otherwise, m: 0.1, u: 0.9999),
            ]),
            Comparison(attribute: "name", normalizer: .companyName, method: .jaroWinkler, levels: [
                ComparisonLevel(label: "exact", condition: .exact, m: 0.6, u: 0.001),
                ComparisonLevel(label: "close", condition: .similarityAtLeast(0.92), m: 0.3, u: 0.01),
                ComparisonLevel(label: "else", condition: .otherwise, m: 0.1, u: 0.989),
            ], termFrequency: true),
            Comparison(attribute: "city", normalizer: .text, method: .exact, levels: [
                ComparisonLevel(label: "exact", condition: .exact, m: 0.9, u: 0.05),
                ComparisonLevel(label: "else", condition: .otherwise, m: 0.1, u: 0.95),
            ]),
        ],
        blockingKeys: [
            BlockingKey(name: "vat", parts: [BlockingPart(attribute: "vat", normalizer: .vat)]),
            BlockingKey(name: "name_city", parts: [BlockingPart(attribute: "name", normalizer: .companyName, transform: .prefix(4)),
                                                   BlockingPart(attribute: "city", normalizer: .text)]),
        ],
        vetoes: [Veto(name: "different_vat", different: "vat"), Veto(name: "different_country", different: "country")])

    static func records(_ rows: [Attributes]) -> [MatchRecord] {
        rows.enumerated().map { MatchRecord(id: String($0.offset + 1), attributes: $0.element, rules: rules) }
    }
}

@Suite struct ScorerTests {
    let scorer = MatchScorer(rules: SupplierMatch.rules)

    @Test func sameVATAndNameIsAnAutoLinkWithAnExplanation() throws {
        let records = SupplierMatch.records([
            ["name": "Würth GmbH & Co. KG", "vat": "DE 811193231", "city": "Künzelsau", "country": "DE"],
            ["name": "WUERTH GMBH", "vat": "811193231", "city": "Kuenzelsau", "country": "DE"],
        ])
        let pair = scorer.score(records, 0, 1)
        #expect(pair.band == .autoLink)
        #expect(pair.contributions.map(\.level) == ["exact", "exact", "exact"])
        let expected = log2(0.001 / 0.999) + log2(0.9 / 0.0001) + log2(0.6 / 0.001) + log2(0.9 / 0.05)
        #expect(abs(pair.weight - expected) < 1e-9)
        #expect(abs(try #require(pair.probability) - 1 / (1 + pow(2, -expected))) < 1e-12)
        #expect(abs(pair.priorWeight - log2(0.001 / 0.999)) < 1e-12)
        // The terms add up to the weight, and the agreeing values are shown as normalized.
        #expect(abs(pair.priorWeight + pair.contributions.reduce(0) { $0 + $1.weight } - pair.weight) < 1e-9)
        #expect(MatchExplanation.line(pair)
                == "prior -10.0 · vat \"DE811193231\" = exact +13.1 · name \"wurth\" = exact +9.2 · city \"kunzelsau\" = exact +4.2 · = 16.6")
    }

    @Test func similarNameInTheSameCityWithoutVATIsForReview() {
        let records = SupplierMatch.records([["name": "Fastenal Europe", "city": "Ulm"], ["name": "Fastenall Europe", "city": "Ulm"]])
        let pair = scorer.score(records, 0, 1)
        #expect(pair.contributions.map(\.level) == ["null", "close", "exact"])
        #expect(pair.contributions[0].weight == 0)
        #expect(pair.band == .review)
    }

    @Test func differentNamesAreDistinct() {
        let records = SupplierMatch.records([["name": "Bossard", "city": "Zug"], ["name": "Hilti", "city": "Schaan"]])
        #expect(scorer.score(records, 0, 1).band == .distinct)
    }

    @Test func vetoKeepsLookAlikesApartAndSaysWhich() {
        let records = SupplierMatch.records([
            ["name": "Acme Industrial", "city": "Berlin", "vat": "DE111111111", "country": "DE"],
            ["name": "Acme Industrial", "city": "Berlin", "vat": "DE222222222", "country": "DE"],
            ["name": "Acme Industrial", "city": "Berlin", "country": "AT"],
        ])
        let vat = scorer.score(records, 0, 1)
        #expect(vat.band == .distinct && vat.vetoedBy == "different_vat")
        #expect(MatchExplanation.line(vat).hasSuffix("vetoed by different_vat"))
        #expect(scorer.score(records, 0, 2).vetoedBy == "different_country")
    }

    @Test func commonNamesWeighLessThanRareOnes() {
        var rows = (0..<50).map { ["name": "Schmidt", "city": .string("City \($0)")] as Attributes }
        rows += [["name": "Okonkwo", "city": "Lagos"], ["name": "Okonkwo", "city": "Abuja"]]
        let records = SupplierMatch.records(rows)
        let tf = MatchScorer(rules: SupplierMatch.rules, termFrequencies: MatchScorer.termFrequencies(of: records, rules: SupplierMatch.rules))
        let common = tf.score(records, 0, 1).contributions[1].weight
        let rare = tf.score(records, 50, 51).contributions[1].weight
        #expect(rare > common)
        #expect(abs(common - log2(0.6 / (50.0 / 52))) < 1e-9)
        #expect(abs(rare - log2(0.6 / 0.001)) < 1e-9, "a pair's own value is not common: the level's u holds")
    }

    @Test func blockingFindsPairsOnAnyKeyOnce() {
        let records = SupplierMatch.records([
            ["name": "Würth", "vat": "DE811193231", "city": "Künzelsau"],
            ["name": "Wuerth", "vat": "DE811193231", "city": "Kuenzelsau"],
            ["name": "Bossard", "city": "Zug"],
            ["name": "Bossard AG", "city": "Zug"],
            ["name": "Hilti", "city": "Schaan"],
        ])
        let (pairs, report) = Blocking.pairs(records, rules: SupplierMatch.rules)
        #expect(pairs.map(Blocking.unpack).map { "\($0.0)-\($0.1)" } == ["0-1", "2-3"])
        #expect(report.blocks == 3 && report.comparedPairs == 2 && report.oversizedBlocks.isEmpty)
    }

    @Test func oversizedBlocksAreWindowedAndReported() {
        var rules = SupplierMatch.rules
        rules.maxBlockSize = 10
        let records = (0..<40).map { MatchRecord(id: String($0), attributes: ["name": .string("Acme \($0)"), "city": "Berlin"], rules: rules) }
        let (pairs, report) = Blocking.pairs(records, rules: rules)
        #expect(report.oversizedBlocks == [Blocking.OversizedBlock(key: "name_city", size: 40, examples: ["0", "1", "2"], skipped: false)])
        #expect(MatchRecord.keyTexts(rules.blockingKeys[1], attributes: ["name": "Acme 7", "city": "Berlin"]) == ["name_city:acme|berlin"])
        #expect(records[7].keys.contains(Blocking.hash("name_city:acme|berlin", key: 1)))
        #expect(records[7].keys.allSatisfy { Blocking.key(of: $0) == 1 }, "the record has no vat, so only its name_city key")
        #expect(pairs.count == (0..<40).reduce(0) { $0 + min(Blocking.window, 39 - $1) })
    }

    @Test func chainsOfWeakLinksDoNotJoinDistinctRecords() {
        // A ~ B and B ~ C are similar enough for review, but A and C are distinct
        // (Levenshtein similarity 0.92, 0.82 and 0.75 against a 0.8 level).
        var rules = SupplierMatch.rules
        rules.comparisons[1].method = .levenshtein
        rules.comparisons[1].levels[1].condition = .similarityAtLeast(0.8)
        let scorer = MatchScorer(rules: rules)
        let records = [
            ["name": "Hansa Metall", "city": "Bonn"],
            ["name": "Hansa Metal", "city": "Bonn"],
            ["name": "Hanse Medal", "city": "Bonn"],
            ["name": "Hilti", "city": "Schaan", "vat": "LI1"],
            ["name": "Hilti AG", "city": "Schaan", "vat": "LI1"],
        ].enumerated().map { MatchRecord(id: String($0.offset), attributes: $0.element, rules: rules) }
        let links = [(0, 1), (1, 2), (3, 4)].map { scorer.score(records, $0.0, $0.1) }
        #expect(links.map(\.band) == [.review, .review, .autoLink])
        #expect(scorer.score(records, 0, 2).band == .distinct)
        let clusters = Clustering.clusters(links, records: records, scorer: scorer)
        #expect(clusters.count == 2)
        #expect(clusters.contains([3, 4]))
        #expect(!clusters.contains { $0.contains(0) && $0.contains(2) })
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite struct VetoConditionTests {
    static let rules = MatchRules(
        prior: 0.001, reviewThreshold: -2, autoLinkThreshold: 12,
        comparisons: [
            Comparison(attribute: "name", normalizer: .personName, method: .jaroWinkler, levels: [
                ComparisonLevel(label: "exact", condition: .exact, m: 0.6, u: 0.001),
                ComparisonLevel(label: "else", condition: .otherwise, m: 0.4, u: 0.999),
            ]),
            Comparison(attribute: "street", normalizer: .street, method: .exact, levels: [
                ComparisonLevel(label: "exact", condition: .exact, m: 0.9, u: 0.001),
                ComparisonLevel(label: "else", condition: .otherwise, m: 0.1, u: 0.999),
            ]),
        ],
        blockingKeys: [BlockingKey(name: "street", parts: [BlockingPart(attribute: "street", normalizer: .street)])],
        vetoes: [Veto(name: "household", different: "name", take: .firstWord, similarityBelow: 0.9, whenSame: ["street"],
                      whenBoth: ["is_company": "false"])])

    func vetoed(_ a: Attributes, _ b: Attributes, unlessSame: [String] = []) -> String? {
        var rules = Self.rules
        rules.vetoes[0].unlessSame = unlessSame
        let records = [a, b].enumerated().map { MatchRecord(id: String($0.offset), attributes: $0.element, rules: rules) }
        return MatchScorer(rules: rules).score(records, 0, 1).vetoedBy
    }

    @Test func householdVetoSeparatesPeopleWithDifferentGivenNamesAtOneAddress() {
        let anna: Attributes = ["name": "Anna Kaller", "street": "Hauptstraße 5", "is_company": "false"]
        let felix: Attributes = ["name": "Felix Kaller", "street": "Hauptstr. 5", "is_company": "false"]
        #expect(vetoed(anna, felix) == "household")
        #expect(vetoed(anna, ["name": "Anna Kaler", "street": "Hauptstraße 5", "is_company": "false"]) == nil, "same given name")
        #expect(vetoed(anna, ["name": "Ana Kaller", "street": "Hauptstraße 5", "is_company": "false"]) == nil, "a typo is not another person")
        #expect(vetoed(anna, felix.merging(["street": "Bahnhofstraße 1"]) { $1 }) == nil, "another address")
        #expect(vetoed(anna.merging(["is_company": "true"]) { $1 }, felix) == nil, "only between people")
        #expect(vetoed(anna.merging(["email": "a@k.de"]) { $1 }, felix.merging(["email": "a@k.de"]) { $1 }, unlessSame: ["email"]) == nil)
        #expect(vetoed(anna.merging(["email": "a@k.de"]) { $1 }, felix.merging(["email": "f@k.de"]) { $1 }, unlessSame: ["email"]) == "household")
    }

    @Test func sizeVetoComparesTheNumbersInItemNames() {
        let rules = MatchRules(prior: 0.001, reviewThreshold: 0, autoLinkThreshold: 10,
                               comparisons: [Comparison(attribute: "name", normalizer: .itemName, method: .tokenSort, levels: [
                                   ComparisonLevel(label: "else", condition: .otherwise, m: 0.5, u: 0.5)])],
                               blockingKeys: [], vetoes: [Veto(name: "different_size", different: "name", take: .numbers)])
        let records = ["Hex bolt M8x40", "HEX BOLT M8 x 40 mm", "Hex bolt M8x45"].enumerated().map {
            MatchRecord(id: String($0.offset), attributes: ["name": .string($0.element)], rules: rules)
        }
        let scorer = MatchScorer(rules: rules)
        #expect(scorer.score(records, 0, 1).vetoedBy == nil)
        #expect(scorer.score(records, 0, 2).vetoedBy == "different_size")
    }
}

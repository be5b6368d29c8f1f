import AurumCore
import Testing

@Suite struct SurvivorshipTests {
    let trust = ["plm": 90, "procurement": 80, "wms": 70]
    let early = "2026-11-01T08:00:00.000000Z"
    let later = "2026-11-02T08:00:00.000000Z"
    let latest = "2026-11-03T08:00:00.000000Z"

    func contribution(_ source: String, _ key: String, _ attributes: Attributes, at instant: String) -> SourceContribution {
        SourceContribution(source: source, sourceKey: key, attributes: attributes,
                           changedAt: Dictionary(uniqueKeysWithValues: attributes.keys.map { ($0, instant) }))
    }

    var sources: [SourceContribution] {
        [contribution("plm", "P-1", ["name": "Hex bolt M8", "description": "DIN 933"], at: early),
         contribution("procurement", "ERP-9", ["name": "HEX BOLT M8X40", "description": "Hex bolt DIN 933 M8x40 zinc", "list_price": 0.42,
                                               "uom": "Units"], at: latest),
         contribution("wms", "W-3", ["name": "hex bolt", "list_price": 0.40], at: later)]
    }

    func golden(_ rules: SurvivorshipRules, stewardValues: [String: StewardValue] = [:]) -> Survivorship.Result {
        Survivorship.golden(sources, stewardValues: stewardValues, rules: rules, trust: trust)
    }

    @Test func trustTakesTheMostTrustedSourceThatHasTheValue() {
        let result = golden(SurvivorshipRules(defaultStrategy: .trust))
        #expect(result.attributes["name"] == "Hex bolt M8")
        #expect(result.lineage["name"] == Lineage(source: "plm", sourceKey: "P-1", strategy: "trust"))
        // PLM says nothing of the price: procurement is the most trusted source that does.
        #expect(result.attributes["list_price"] == 0.42)
        #expect(result.lineage["list_price"]?.source == "procurement")
    }

    @Test func mostRecentTakesTheValueChangedLast() {
        let result = golden(SurvivorshipRules(defaultStrategy: .mostRecent))
        #expect(result.attributes["name"] == "HEX BOLT M8X40")
        #expect(result.lineage["name"] == Lineage(source: "procurement", sourceKey: "ERP-9", strategy: "most_recent"))
    }

    @Test func mostCompleteTakesTheSourceWithTheMostAttributes() {
        let result = golden(SurvivorshipRules(defaultStrategy: .mostComplete))
        #expect(result.attributes["name"] == "HEX BOLT M8X40")
        #expect(result.lineage["name"]?.strategy == "most_complete")
    }

    @Test func longestTakesTheLongestValue() {
        let result = golden(SurvivorshipRules(defaultStrategy: .trust, attributes: ["description": .longest]))
        #expect(result.attributes["description"] == "Hex bolt DIN 933 M8x40 zinc")
        #expect(result.lineage["description"] == Lineage(source: "procurement", sourceKey: "ERP-9", strategy: "longest"))
        #expect(result.attributes["name"] == "Hex bolt M8")
    }

    @Test func sourceOrderTakesTheFirstNamedSourceWithAValueThenTheRestByRecency() {
        let rules = SurvivorshipRules(defaultStrategy: .trust, attributes: ["list_price": .sourceOrder(["wms", "procurement"]),
                                                                            "name": .sourceOrder(["wms"]), "uom": .sourceOrder(["plm"])])
        let result = golden(rules)
        #expect(result.attributes["list_price"] == 0.40)
        #expect(result.lineage["list_price"] == Lineage(source: "wms", sourceKey: "W-3", strategy: "source_order"))
        #expect(result.attributes["name"] == "hex bolt")
        // PLM has no unit: a source not named gives it.
        #expect(result.attributes["uom"] == "Units")
    }

    @Test func aStewardsValueWinsOverEveryStrategyAndMayClearAValue() {
        let typed = ["name": StewardValue(value: "Hex bolt ISO 4017 M8x40", steward: "erin", at: early),
                     "uom": StewardValue(value: .null, steward: "erin", at: early)]
        let result = golden(SurvivorshipRules(defaultStrategy: .mostRecent), stewardValues: typed)
        #expect(result.attributes["name"] == "Hex bolt ISO 4017 M8x40")
        #expect(result.lineage["name"] == Lineage(steward: "erin", strategy: "steward"))
        #expect(result.attributes["uom"] == nil)
        #expect(result.lineage["uom"] == Lineage(steward: "erin", strategy: "steward"))
    }

    @Test func tiesFallToTheMoreRecentThenToTheSourceKeyInOrder() {
        let two = [contribution("plm", "P-2", ["name": "b"], at: early), contribution("plm", "P-1", ["name": "a"], at: early),
                   contribution("plm", "P-3", ["name": "c"], at: later)]
        #expect(Survivorship.golden(two, rules: SurvivorshipRules(defaultStrategy: .trust), trust: trust).attributes["name"] == "c")
        let tied = Array(two.prefix(2))
        for order in [tied, tied.reversed()] {
            #expect(Survivorship.golden(order, rules: SurvivorshipRules(defaultStrategy: .trust), trust: trust).attributes["name"] == "a")
        }
    }

    @Test func aSourceSendingAgainStampsOnlyWhatChangedAndANullClearsItsOwnValue() {
        let first = contribution("plm", "P-1", ["name": "Hex bolt", "uom": "Units"], at: early)
        let next = first.updated(with: ["name": "Hex bolt M8", "uom": "Units", "weight": .null], at: later)
        #expect(next.attributes == ["name": "Hex bolt M8", "uom": "Units"])
        #expect(next.changedAt == ["name": later, "uom": early])
        let cleared = next.updated(with: ["uom": .null], at: latest)
        #expect(cleared.attributes == ["name": "Hex bolt M8"])
        #expect(cleared.changedAt == ["name": later])
        // The cleared value is gone from this source only: another source's value survives.
        let other = contribution("wms", "W-3", ["uom": "Pieces"], at: early)
        let result = Survivorship.golden([cleared, other], rules: SurvivorshipRules(defaultStrategy: .trust), trust: trust)
        #expect(result.attributes["uom"] == "Pieces")
    }
}

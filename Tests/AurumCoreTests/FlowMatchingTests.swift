import AurumCore
import AurumTestSupport
import Testing

/// The bands of a candidate in the flow, with the shipped supplier rules.
@Suite struct FlowMatchingTests {
    let rules = try! SampleRules.shipped().entities["supplier"]!.match!
    let acme: Attributes = ["name": "ACME Industrial Supplies GmbH", "street": "Hauptstr. 5", "zip": "70173", "city": "Stuttgart",
                            "country": "DE", "vat": "DE129273398", "email": "info@acme-industrial.de"]
    var sameVAT: Attributes { acme.overlaid(with: ["name": "Acme Industrial Supply GmbH", "street": "Hauptstrasse 5"]) }
    var noVAT: Attributes { sameVAT.overlaid(with: ["vat": .null, "email": "vertrieb@acme-supply.de"]) }

    @Test func aSharedIdentifierLinksToTheOneRecord() {
        let found = FlowMatching.match(sameVAT, against: [(.record(7), acme)], rules: rules)
        #expect(found.band == .autoLink && found.recordID == 7 && found.possibleDuplicates.isEmpty)
        #expect(found.explanation?.objectValue?["text"]?.stringValue?.contains("vat") == true)
    }

    @Test func lookingAlikeWithoutAnIdentifierIsReview() {
        let found = FlowMatching.match(noVAT, against: [(.record(7), acme)], rules: rules)
        #expect(found.band == .review && found.recordID == 7 && found.possibleDuplicates.map(\.recordID) == [7])
    }

    @Test func twoRecordsThatBothLinkAndAProposalNotReleasedAreForASteward() {
        let two = FlowMatching.match(sameVAT, against: [(.record(7), acme), (.record(9), acme)], rules: rules)
        #expect(two.band == .review && Set(two.possibleDuplicates.compactMap(\.recordID)) == [7, 9])
        let pending = FlowMatching.match(sameVAT, against: [(.changeRequest(4), acme)], rules: rules)
        #expect(pending.band == .review && pending.recordID == nil && pending.possibleDuplicates.first?.changeRequestID == 4)
    }

    @Test func aPairDeclaredDistinctIsLeftOut() {
        let found = FlowMatching.match(sameVAT, against: [(.record(7), acme)], rules: rules, distinct: [.record(7)])
        #expect(found == .none)
        let other = FlowMatching.match(sameVAT, against: [(.record(7), ["name": "Bossard AG", "country": "CH"])], rules: rules)
        #expect(other.band == .distinct && other.recordID == nil)
    }

    /// Scored in two parts (the stored records, then the creates before it in its batch), a
    /// candidate gets what one scoring against all of them gives.
    @Test func twoScoringsCombinedAreOneScoringOfAll() {
        let targets: [(target: MatchTarget, attributes: Attributes)] = [(.record(7), acme), (.changeRequest(4), noVAT), (.record(9), ["name": "Bossard AG"])]
        let all = FlowMatching.match(noVAT, against: targets, rules: rules)
        let stored = FlowMatching.match(noVAT, against: [targets[0], targets[2]], rules: rules)
        let batch = FlowMatching.match(noVAT, against: [targets[1]], rules: rules)
        #expect(all.band == .review && all.possibleDuplicates.map(\.target) == [.changeRequest(4), .record(7)], "the closer pair first: \(all)")
        #expect(FlowMatching.combine(stored, batch) == all)
        #expect(FlowMatching.combine(.none, batch) == batch && FlowMatching.combine(stored, .none) == stored)
        #expect(FlowMatching.combine(.none, .none) == .none)
    }
}

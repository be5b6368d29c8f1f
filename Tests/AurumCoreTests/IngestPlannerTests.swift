import AurumCore
import Testing

@Suite struct IngestPlannerTests {
    let bolt: Attributes = ["code": "B-1001", "name": "Hex bolt", "uom": "Units"]

    @Test func newSourceKeyProposesACreateWithAFullDiff() {
        let outcome = IngestPlanner.decide(Verdict(attributes: bolt), situation: .init())
        guard case .propose(let proposal) = outcome else { Issue.record("expected a proposal, got \(outcome)"); return }
        #expect(proposal.kind == .create)
        #expect(proposal.diff.map(\.attribute) == ["code", "name", "uom"])
        #expect(proposal.diff.allSatisfy { $0.before == nil })
        #expect(proposal.supersedes == nil)
    }

    /// What PLM's key said before, as stored for the record or carried by its open proposal.
    var said: SourceContribution { SourceContribution(source: "plm", sourceKey: "PLM-1", attributes: bolt) }

    /// The golden attributes after PLM's key sends `attributes` (one source: its values as laid over what it said).
    func merged(_ attributes: Attributes, over situation: IngestPlanner.Situation) -> Attributes {
        IngestPlanner.golden(source: "plm", sourceKey: "PLM-1", attributes: attributes, at: "2026-12-01T00:00:00.000Z", situation: situation,
                             rules: SurvivorshipRules(), trust: [:]).result.attributes
    }

    @Test func mappedRecordProposesAnUpdateWithOnlyTheChanges() {
        let situation = IngestPlanner.Situation(recordID: 4, currentVersion: 1, currentAttributes: bolt, lastReleasedChangeRequestID: 9,
                                                contributions: [said])
        let merged = merged(["name": "Hex bolt zinc", "uom": .null], over: situation)
        #expect(merged == ["code": "B-1001", "name": "Hex bolt zinc"])
        guard case .propose(let proposal) = IngestPlanner.decide(Verdict(attributes: merged), situation: situation) else {
            Issue.record("expected a proposal"); return
        }
        #expect(proposal.kind == .update)
        #expect(proposal.diff == [AttributeChange(attribute: "name", before: "Hex bolt", after: "Hex bolt zinc"),
                                  AttributeChange(attribute: "uom", before: "Units", after: nil)])
    }

    @Test func resendOfTheCurrentVersionIsUnchanged() {
        let situation = IngestPlanner.Situation(recordID: 4, currentVersion: 1, currentAttributes: bolt, lastReleasedChangeRequestID: 9)
        #expect(IngestPlanner.decide(Verdict(attributes: bolt), situation: situation) == .unchanged(changeRequestID: 9, candidateID: nil))
    }

    @Test func resendOfTheOpenProposalIsUnchanged() {
        let open = IngestPlanner.OpenProposal(id: 12, candidateID: 30, proposed: bolt)
        let situation = IngestPlanner.Situation(openChangeRequest: open)
        #expect(IngestPlanner.decide(Verdict(attributes: bolt), situation: situation) == .unchanged(changeRequestID: 12, candidateID: 30))
    }

    @Test func differentCandidateSupersedesTheOpenProposalAndBuildsOnIt() {
        let open = IngestPlanner.OpenProposal(id: 12, candidateID: 30, proposed: bolt, contributions: [said])
        let situation = IngestPlanner.Situation(openChangeRequest: open)
        let merged = merged(["weight": 0.02], over: situation)
        #expect(merged == bolt.merging(["weight": 0.02]) { $1 })
        guard case .propose(let proposal) = IngestPlanner.decide(Verdict(attributes: merged), situation: situation) else {
            Issue.record("expected a proposal"); return
        }
        #expect(proposal.supersedes == 12)
        #expect(proposal.kind == .create)
    }

    @Test func invalidCandidateIsRejectedWithItsFindings() {
        let error = Finding(attribute: "name", rule: "required", message: "name is required; give it a value")
        let outcome = IngestPlanner.decide(Verdict(attributes: [:], errors: [error]), situation: .init())
        #expect(outcome == .reject(errors: [error], warnings: []))
    }
}

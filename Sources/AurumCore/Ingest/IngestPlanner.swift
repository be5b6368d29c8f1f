/// Decides what one candidate becomes: a rejection, a no-op, or a change request.
///
/// The store gathers the record's situation (`IngestSituation`), asks the planner, and
/// carries out the answer in one transaction.
public enum IngestPlanner {
    /// The golden record and open proposal a candidate meets.
    public struct Situation: Sendable, Hashable {
        /// The golden record the candidate's (source, source_key) maps to, if any.
        public var recordID: Int64?
        public var currentVersion: Int?
        public var currentAttributes: Attributes
        /// The open change request for the same record (or the same source key, for a create).
        public var openChangeRequest: OpenProposal?
        /// The change request that produced the current version.
        public var lastReleasedChangeRequestID: Int64?
        /// What each source key of the record last said, as released.
        public var contributions: [SourceContribution]
        /// The values stewards typed into the record.
        public var stewardValues: [String: StewardValue]

        public init(recordID: Int64? = nil, currentVersion: Int? = nil, currentAttributes: Attributes = [:],
                    openChangeRequest: OpenProposal? = nil, lastReleasedChangeRequestID: Int64? = nil,
                    contributions: [SourceContribution] = [], stewardValues: [String: StewardValue] = [:]) {
            self.recordID = recordID
            self.currentVersion = currentVersion
            self.currentAttributes = currentAttributes
            self.openChangeRequest = openChangeRequest
            self.lastReleasedChangeRequestID = lastReleasedChangeRequestID
            self.contributions = contributions
            self.stewardValues = stewardValues
        }
    }

    /// An open change request's id, proposal and the candidate that made it.
    public struct OpenProposal: Sendable, Hashable {
        public var id: Int64
        public var candidateID: Int64?
        public var proposed: Attributes
        /// The source contributions it would store on release.
        public var contributions: [SourceContribution]
        /// The values its editors typed.
        public var stewardValues: [String: StewardValue]
        public init(id: Int64, candidateID: Int64?, proposed: Attributes, contributions: [SourceContribution] = [],
                    stewardValues: [String: StewardValue] = [:]) {
            self.id = id
            self.candidateID = candidateID
            self.proposed = proposed
            self.contributions = contributions
            self.stewardValues = stewardValues
        }
    }

    /// What to do with the candidate.
    public enum Outcome: Sendable, Hashable {
        case reject(errors: [Finding], warnings: [Finding])
        /// Nothing new: the proposal or the current version already says this.
        case unchanged(changeRequestID: Int64?, candidateID: Int64?)
        case propose(Proposal)
    }

    /// A new change request: its kind, the full proposed attributes and the diff to the current version.
    public struct Proposal: Sendable, Hashable {
        public var kind: ChangeKind
        public var attributes: Attributes
        public var diff: [AttributeChange]
        public var warnings: [Finding]
        /// The open change request this one replaces.
        public var supersedes: Int64?
        /// The source contributions to store on release, the values stewards typed, and where
        /// each proposed value came from.
        public var contributions: [SourceContribution] = []
        public var stewardValues: [String: StewardValue] = [:]
        public var lineage: [String: Lineage] = [:]

        public init(kind: ChangeKind, attributes: Attributes, diff: [AttributeChange], warnings: [Finding], supersedes: Int64?,
                    contributions: [SourceContribution] = [], stewardValues: [String: StewardValue] = [:], lineage: [String: Lineage] = [:]) {
            self.kind = kind; self.attributes = attributes; self.diff = diff; self.warnings = warnings; self.supersedes = supersedes
            self.contributions = contributions; self.stewardValues = stewardValues; self.lineage = lineage
        }
    }

    /// The golden attributes after `source`'s key sent `attributes` (normalized; a null clears) at
    /// `instant`: the key's contribution updated (the open proposal's, else the released one, else
    /// a new one), laid beside the record's other keys and the values stewards typed, and each
    /// value chosen by survivorship. Returns the contributions to store on release with the result.
    public static func golden(source: String, sourceKey: String, attributes: Attributes, at instant: String, situation: Situation,
                              rules: SurvivorshipRules, trust: [String: Int]) -> (pending: [SourceContribution], result: Survivorship.Result) {
        var pending = situation.openChangeRequest?.contributions ?? []
        let mine = { (c: SourceContribution) in c.source == source && c.sourceKey == sourceKey }
        let base = pending.first(where: mine) ?? situation.contributions.first(where: mine)
            ?? SourceContribution(source: source, sourceKey: sourceKey, attributes: [:])
        pending.removeAll(where: mine)
        pending.append(base.updated(with: attributes, at: instant))
        let result = golden(pending: pending, situation: situation, rules: rules, trust: trust)
        return (pending, result)
    }

    /// The record's released contributions with `pending` in place of their keys' own, and the
    /// stewards' values (the open proposal's over the released), chosen by survivorship.
    public static func golden(pending: [SourceContribution], situation: Situation, rules: SurvivorshipRules,
                              trust: [String: Int]) -> Survivorship.Result {
        let pendingKeys = Set(pending.map { [$0.source, $0.sourceKey] })
        let all = situation.contributions.filter { !pendingKeys.contains([$0.source, $0.sourceKey]) } + pending
        let typed = situation.stewardValues.merging(situation.openChangeRequest?.stewardValues ?? [:]) { $1 }
        return Survivorship.golden(all, stewardValues: typed, rules: rules, trust: trust)
    }

    /// Decides the outcome from the verdict on the golden attributes survivorship chose, carrying
    /// the contributions, steward values and lineage into the proposal.
    ///
    /// A source key new to an existing record (linked by matching) is a change even when no value
    /// changes: the release links it.
    public static func decide(_ verdict: Verdict, situation: Situation, pending: [SourceContribution],
                              lineage: [String: Lineage]) -> Outcome {
        var outcome = decide(verdict, situation: situation)
        let known = Set((situation.contributions + (situation.openChangeRequest?.contributions ?? [])).map { [$0.source, $0.sourceKey] })
        if case .unchanged = outcome, situation.recordID != nil, pending.contains(where: { !known.contains([$0.source, $0.sourceKey]) }) {
            outcome = .propose(Proposal(kind: .update, attributes: verdict.attributes, diff: [], warnings: verdict.warnings,
                                        supersedes: situation.openChangeRequest?.id))
        }
        guard case .propose(var proposal) = outcome else { return outcome }
        proposal.contributions = pending
        proposal.stewardValues = situation.openChangeRequest?.stewardValues ?? [:]
        proposal.lineage = lineage.filter { proposal.attributes[$0.key] != nil }
        return .propose(proposal)
    }

    /// Decides the outcome from the verdict on the merged attributes.
    public static func decide(_ verdict: Verdict, situation: Situation) -> Outcome {
        guard verdict.isValid else { return .reject(errors: verdict.errors, warnings: verdict.warnings) }
        let proposed = verdict.attributes
        if let open = situation.openChangeRequest, open.proposed == proposed {
            return .unchanged(changeRequestID: open.id, candidateID: open.candidateID)
        }
        if situation.openChangeRequest == nil, situation.recordID != nil, situation.currentAttributes == proposed {
            return .unchanged(changeRequestID: situation.lastReleasedChangeRequestID, candidateID: nil)
        }
        return .propose(Proposal(
            kind: situation.recordID == nil ? .create : .update,
            attributes: proposed,
            diff: AttributeChange.diff(from: situation.currentAttributes, to: proposed),
            warnings: verdict.warnings,
            supersedes: situation.openChangeRequest?.id))
    }
}

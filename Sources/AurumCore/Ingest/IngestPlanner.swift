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

        public init(recordID: Int64? = nil, currentVersion: Int? = nil, currentAttributes: Attributes = [:],
                    openChangeRequest: OpenProposal? = nil, lastReleasedChangeRequestID: Int64? = nil) {
            self.recordID = recordID
            self.currentVersion = currentVersion
            self.currentAttributes = currentAttributes
            self.openChangeRequest = openChangeRequest
            self.lastReleasedChangeRequestID = lastReleasedChangeRequestID
        }
    }

    /// An open change request's id, proposal and the candidate that made it.
    public struct OpenProposal: Sendable, Hashable {
        public var id: Int64
        public var candidateID: Int64?
        public var proposed: Attributes
        public init(id: Int64, candidateID: Int64?, proposed: Attributes) {
            self.id = id
            self.candidateID = candidateID
            self.proposed = proposed
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
    }

    /// The attributes to validate: the open proposal (or else the current version) with the
    /// candidate's attributes laid over it; a null clears an attribute.
    public static func merged(_ candidate: Attributes, over situation: Situation) -> Attributes {
        (situation.openChangeRequest?.proposed ?? situation.currentAttributes).overlaid(with: candidate)
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

/// A change request as stewards and scripts see it.
public struct ChangeRequestView: Sendable, Hashable, Codable {
    public var id: Int64
    public var entity: String
    public var kind: ChangeKind
    /// The golden record; `nil` until a create is released.
    public var recordID: Int64?
    public var status: ChangeRequestStatus
    public var revision: Int
    /// The golden version the proposal was based on (`nil` for a create).
    public var baseVersion: Int?
    public var source: String
    public var sourceKey: String
    public var candidateID: Int64?
    public var submittedBy: String
    /// Stewards who edited the proposal (each edit raised `revision`); none of them may approve it.
    public var editedBy: [String] = []
    public var proposed: Attributes
    public var diff: [AttributeChange]
    public var warnings: [Finding]
    public var approvals: [ApprovalView]
    /// While open, the approvals its gates need in all (the sum of their `needs`); once closed, as stored.
    public var requiredApprovals: Int
    public var reason: String?
    public var supersededBy: Int64?
    public var rulesVersion: String
    public var createdAt: String
    public var decidedAt: String?
    /// The source contributions the release stores, the values its editors typed, and where each
    /// proposed value comes from.
    public var contributions: [SourceContribution] = []
    public var stewardValues: [String: StewardValue] = [:]
    public var lineage: [String: Lineage] = [:]
    /// What matching found when the candidate came in (nil when its source key was already
    /// linked to a record, or for a change no candidate opened).
    public var match: FlowMatch?
    /// The pairs at or above review, with how stewards settled them.
    public var possibleDuplicates: [PossibleDuplicate] = []
    /// A merge's record merged away into `recordID`; an unmerge's record restored from it.
    public var mergeRecordID: Int64?
    /// The approval gates it must pass under the rules in force, and where each stands.
    public var gates: [GateView] = []
    /// The auto-approve gate that released it at once, without a steward.
    public var autoApprovedBy: String?
    /// Stewards' comments, oldest first.
    public var comments: [CommentView] = []

    public init(id: Int64, entity: String, kind: ChangeKind, recordID: Int64?, status: ChangeRequestStatus,
                revision: Int, baseVersion: Int?, source: String, sourceKey: String, candidateID: Int64?,
                submittedBy: String, editedBy: [String] = [], proposed: Attributes, diff: [AttributeChange], warnings: [Finding],
                approvals: [ApprovalView], requiredApprovals: Int, reason: String?, supersededBy: Int64?,
                rulesVersion: String, createdAt: String, decidedAt: String?) {
        self.editedBy = editedBy
        self.id = id; self.entity = entity; self.kind = kind; self.recordID = recordID; self.status = status
        self.revision = revision; self.baseVersion = baseVersion; self.source = source; self.sourceKey = sourceKey
        self.candidateID = candidateID; self.submittedBy = submittedBy; self.proposed = proposed; self.diff = diff
        self.warnings = warnings; self.approvals = approvals; self.requiredApprovals = requiredApprovals
        self.reason = reason; self.supersededBy = supersededBy; self.rulesVersion = rulesVersion
        self.createdAt = createdAt; self.decidedAt = decidedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, entity, kind, recordID = "record_id", status, revision, baseVersion = "base_version", source
        case sourceKey = "source_key", candidateID = "candidate_id", submittedBy = "submitted_by", editedBy = "edited_by", proposed, diff
        case warnings, approvals, requiredApprovals = "required_approvals", reason, supersededBy = "superseded_by"
        case rulesVersion = "rules_version", createdAt = "created_at", decidedAt = "decided_at"
        case contributions, stewardValues = "steward_values", lineage, match, possibleDuplicates = "possible_duplicates"
        case mergeRecordID = "merge_record_id", gates, autoApprovedBy = "auto_approved_by", comments
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(entity, forKey: .entity); try c.encode(kind, forKey: .kind)
        try c.encode(recordID, forKey: .recordID); try c.encode(status, forKey: .status)
        try c.encode(revision, forKey: .revision); try c.encode(baseVersion, forKey: .baseVersion)
        try c.encode(source, forKey: .source); try c.encode(sourceKey, forKey: .sourceKey)
        try c.encode(candidateID, forKey: .candidateID); try c.encode(submittedBy, forKey: .submittedBy)
        try c.encode(editedBy, forKey: .editedBy)
        try c.encode(proposed, forKey: .proposed); try c.encode(diff, forKey: .diff)
        try c.encode(warnings, forKey: .warnings); try c.encode(approvals, forKey: .approvals)
        try c.encode(requiredApprovals, forKey: .requiredApprovals); try c.encode(reason, forKey: .reason)
        try c.encode(supersededBy, forKey: .supersededBy); try c.encode(rulesVersion, forKey: .rulesVersion)
        try c.encode(createdAt, forKey: .createdAt); try c.encode(decidedAt, forKey: .decidedAt)
        try c.encode(contributions, forKey: .contributions); try c.encode(stewardValues, forKey: .stewardValues)
        try c.encode(lineage, forKey: .lineage); try c.encode(match, forKey: .match)
        try c.encode(possibleDuplicates, forKey: .possibleDuplicates)
        try c.encode(mergeRecordID, forKey: .mergeRecordID)
        try c.encode(gates, forKey: .gates)
        try c.encode(autoApprovedBy, forKey: .autoApprovedBy)
        try c.encode(comments, forKey: .comments)
    }
}

/// A steward's comment on a change request.
public struct CommentView: Sendable, Hashable, Codable {
    public var by: String
    public var at: String
    public var text: String

    public init(by: String, at: String, text: String) { self.by = by; self.at = at; self.text = text }
}

/// One approval gate of a change request: who approves at it, how many it needs, and who did.
public struct GateView: Sendable, Hashable, Codable {
    public struct Approval: Sendable, Hashable, Codable {
        public var by: String
        public var at: String
        public init(by: String, at: String) { self.by = by; self.at = at }
    }

    public var name: String
    /// `waiting` (for the gates in `waitingFor`), `pending` or `satisfied`.
    public var status: GateState.Status
    public var needs: Int
    /// `group finance`, `role steward`.
    public var approvers: String?
    public var approvals: [Approval]
    public var waitingFor: [String]

    public init(name: String, status: GateState.Status, needs: Int, approvers: String?, approvals: [Approval], waitingFor: [String]) {
        self.name = name; self.status = status; self.needs = needs; self.approvers = approvers
        self.approvals = approvals; self.waitingFor = waitingFor
    }

    enum CodingKeys: String, CodingKey {
        case name, status, needs, approvers, approvals, waitingFor = "waiting_for"
    }

    /// The gates of `plan` as `approvals` of the current revision leave them.
    public static func of(_ plan: GatePlan, approvals: [ApprovalView], revision: Int) -> [GateView] {
        let current = approvals.filter { $0.revision == revision }
        return plan.states(given: current.map(\.counted)).map { state in
            GateView(name: state.name, status: state.status, needs: state.needs, approvers: state.approvers?.description,
                     approvals: current.filter { $0.counted.gate == state.name }.map { Approval(by: $0.approver, at: $0.at) },
                     waitingFor: state.waitingFor)
        }
    }
}

/// One approval given to a change request.
public struct ApprovalView: Sendable, Hashable, Codable {
    public var approver: String
    public var revision: Int
    public var comment: String?
    public var at: String
    /// The approval gate it counted at (nil for approvals given before gates existed).
    public var gate: String?

    public init(approver: String, revision: Int, comment: String?, at: String, gate: String? = nil) {
        self.approver = approver; self.revision = revision; self.comment = comment; self.at = at; self.gate = gate
    }

    /// The approval as the gates count it; one given before gates existed counts at the default steward gate.
    public var counted: GateApproval { GateApproval(by: approver, gate: gate ?? GatePlan.stewardGate.name) }
}

/// The answer to an approval or rejection.
public struct DecisionResult: Sendable, Hashable, Codable {
    public var changeRequestID: Int64
    public var status: ChangeRequestStatus
    public var recordID: Int64?
    public var version: Int?
    /// The gate an approval counted at.
    public var gate: String?
    /// True when nothing was written: what the approval would do.
    public var dryRun: Bool

    public init(changeRequestID: Int64, status: ChangeRequestStatus, recordID: Int64?, version: Int?, gate: String? = nil, dryRun: Bool = false) {
        self.changeRequestID = changeRequestID; self.status = status; self.recordID = recordID; self.version = version
        self.gate = gate; self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case changeRequestID = "change_request_id", status, recordID = "record_id", version, gate, dryRun = "dry_run"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        changeRequestID = try c.decode(Int64.self, forKey: .changeRequestID)
        status = try c.decode(ChangeRequestStatus.self, forKey: .status)
        recordID = try c.decodeIfPresent(Int64.self, forKey: .recordID)
        version = try c.decodeIfPresent(Int.self, forKey: .version)
        gate = try c.decodeIfPresent(String.self, forKey: .gate)
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(changeRequestID, forKey: .changeRequestID); try c.encode(status, forKey: .status)
        try c.encode(recordID, forKey: .recordID); try c.encode(version, forKey: .version)
        try c.encode(gate, forKey: .gate)
        if dryRun { try c.encode(true, forKey: .dryRun) }
    }
}

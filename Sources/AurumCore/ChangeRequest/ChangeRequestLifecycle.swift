/// The pure state machine of one change request: who may decide it, and what follows.
///
/// It holds only what decisions depend on; the store loads it, applies one event and performs
/// the returned action in the same transaction.
public struct ChangeRequestLifecycle: Sendable, Hashable {
    public private(set) var status: ChangeRequestStatus
    /// The actor who submitted the proposal; never its approver.
    public let submittedBy: String
    /// The stewards who edited the proposal; never its approvers either.
    public private(set) var editedBy: [String]
    /// Increases whenever the proposal changes; an approval names the revision it saw.
    public private(set) var revision: Int
    /// The gates the change must pass (from the entity's `approve:` rules).
    public let gates: GatePlan
    /// The approvals of the current revision, each at its gate (those of an earlier one no longer count).
    public private(set) var approvals: [GateApproval]

    public init(status: ChangeRequestStatus, submittedBy: String, editedBy: [String] = [], revision: Int = 1,
                gates: GatePlan = .oneSteward, approvals: [GateApproval] = []) {
        self.status = status
        self.submittedBy = submittedBy
        self.editedBy = editedBy
        self.revision = revision
        self.gates = gates
        self.approvals = approvals
    }

    /// Who approved the current revision.
    public var approvers: [String] { approvals.map(\.by) }

    /// What the store must do after an event was accepted.
    public enum Action: Sendable, Hashable {
        /// Record the approval at `gate`; more are needed.
        case recordApproval(gate: String)
        /// Record the approval at `gate` and release the proposal as the new golden version.
        case recordApprovalAndRelease(gate: String)
        /// Release the proposal, approved by the auto-approve gate `gate` without anyone.
        case recordAutoApproval(gate: String)
        /// Record the rejection with its reason.
        case recordRejection
        /// Mark the request superseded by a newer one.
        case recordSupersession
        /// Record that a steward withdrew it.
        case recordWithdrawal
        /// Store the edited proposal as the new revision; earlier approvals no longer count.
        case recordRevision(Int)
    }

    /// `approver` approves the revision they saw (`nil`: the current one), at the first open gate
    /// that takes them. Nobody approves what they submitted or edited, nor twice.
    public mutating func approve(by approver: Approver, seenRevision: Int? = nil) throws(ChangeRequestError) -> Action {
        try requireOpen()
        let actor = approver.name
        if actor == submittedBy { throw .selfApproval(actor: actor) }
        if editedBy.contains(actor) { throw .editorApproval(actor: actor) }
        if approvers.contains(actor) { throw .alreadyApproved(actor: actor) }
        if let seen = seenRevision, seen != revision { throw .staleRevision(seen: seen, current: revision) }
        let gate: String
        do { gate = try gates.gate(for: approver, given: approvals) } catch { throw .gate(error) }
        approvals.append(GateApproval(by: actor, gate: gate))
        guard gates.isSatisfied(by: approvals) else { return .recordApproval(gate: gate) }
        status = .released
        return .recordApprovalAndRelease(gate: gate)
    }

    /// An auto-approve gate releases the proposal without anyone's approval; nil when none applies.
    public mutating func autoApprove() throws(ChangeRequestError) -> Action? {
        try requireOpen()
        guard let gate = gates.autoApprovedBy else { return nil }
        status = .released
        return .recordAutoApproval(gate: gate)
    }

    /// `actor` rejects the proposal; a reason is required so the source can fix it.
    public mutating func reject(by actor: String, reason: String) throws(ChangeRequestError) -> Action {
        try requireOpen()
        if reason.allSatisfy(\.isWhitespace) { throw .reasonRequired }
        status = .rejected
        return .recordRejection
    }

    /// A steward changes the proposal of the revision they saw (`nil`: the current one): the
    /// revision goes up, approvals given so far lapse, and the editor may no longer approve.
    public mutating func edit(by actor: String, seenRevision: Int? = nil) throws(ChangeRequestError) -> Action {
        try requireOpen()
        if let seen = seenRevision, seen != revision { throw .staleRevision(seen: seen, current: revision) }
        revision += 1
        approvals = []
        if !editedBy.contains(actor) { editedBy.append(actor) }
        return .recordRevision(revision)
    }

    /// A steward withdraws the open proposal (the source sent it by mistake, or it is moot): it
    /// is closed without a decision on its values.
    public mutating func withdraw() throws(ChangeRequestError) -> Action {
        try requireOpen()
        status = .withdrawn
        return .recordWithdrawal
    }

    /// A newer candidate for the same record replaces this open proposal.
    public mutating func supersede() throws(ChangeRequestError) -> Action {
        try requireOpen()
        status = .superseded
        return .recordSupersession
    }

    func requireOpen() throws(ChangeRequestError) {
        guard status == .open else { throw .notOpen(status: status) }
    }
}

/// Why a decision on a change request was refused.
public enum ChangeRequestError: Error, Sendable, Hashable {
    case notOpen(status: ChangeRequestStatus)
    case selfApproval(actor: String)
    case editorApproval(actor: String)
    case alreadyApproved(actor: String)
    case staleRevision(seen: Int, current: Int)
    case reasonRequired
    /// The approval counts at none of the gates still open.
    case gate(GateRefusal)

    /// A sentence for the caller: what happened and what to do.
    public var message: String {
        switch self {
        case .notOpen(let status):
            "the change request is \(status.rawValue), not open; nothing can be decided on it any more"
        case .selfApproval(let actor):
            "\(actor) submitted this change and cannot approve it (four-eyes); another steward must approve"
        case .editorApproval(let actor):
            "\(actor) edited this change and cannot approve it (four-eyes); another steward must approve"
        case .alreadyApproved(let actor):
            "\(actor) has already approved this change; a second approval must come from someone else"
        case .staleRevision(let seen, let current):
            "you saw revision \(seen) but the proposal is now at revision \(current); review it again"
        case .reasonRequired:
            "a rejection needs a reason, so that the source can correct its data"
        case .gate(let refusal):
            refusal.message
        }
    }
}

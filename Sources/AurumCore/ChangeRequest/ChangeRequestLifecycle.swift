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
    public let requiredApprovals: Int
    /// Who approved the current revision (approvals of an earlier one no longer count).
    public private(set) var approvers: [String]

    public init(status: ChangeRequestStatus, submittedBy: String, editedBy: [String] = [], revision: Int = 1,
                requiredApprovals: Int = 1, approvers: [String] = []) {
        self.status = status
        self.submittedBy = submittedBy
        self.editedBy = editedBy
        self.revision = revision
        self.requiredApprovals = max(1, requiredApprovals)
        self.approvers = approvers
    }

    /// What the store must do after an event was accepted.
    public enum Action: Sendable, Hashable {
        /// Record the approval; more are needed.
        case recordApproval(remaining: Int)
        /// Record the approval and release the proposal as the new golden version.
        case recordApprovalAndRelease
        /// Record the rejection with its reason.
        case recordRejection
        /// Mark the request superseded by a newer one.
        case recordSupersession
        /// Store the edited proposal as the new revision; earlier approvals no longer count.
        case recordRevision(Int)
    }

    /// `actor` approves the revision it saw (`nil`: the current one).
    public mutating func approve(by actor: String, seenRevision: Int? = nil) throws(ChangeRequestError) -> Action {
        try requireOpen()
        if actor == submittedBy { throw .selfApproval(actor: actor) }
        if editedBy.contains(actor) { throw .editorApproval(actor: actor) }
        if approvers.contains(actor) { throw .alreadyApproved(actor: actor) }
        if let seen = seenRevision, seen != revision { throw .staleRevision(seen: seen, current: revision) }
        approvers.append(actor)
        if approvers.count < requiredApprovals {
            return .recordApproval(remaining: requiredApprovals - approvers.count)
        }
        status = .released
        return .recordApprovalAndRelease
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
        approvers = []
        if !editedBy.contains(actor) { editedBy.append(actor) }
        return .recordRevision(revision)
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
        }
    }
}

/// A steward's change of a golden record's lifecycle state: block, unblock or obsolete. It
/// changes no values, only the state the record's next version carries.
public enum RecordStateChange: String, Sendable, CaseIterable, Codable {
    case block, unblock, obsolete

    /// The change request kind that carries it.
    public var kind: ChangeKind {
        switch self {
        case .block: .block
        case .unblock: .unblock
        case .obsolete: .obsolete
        }
    }

    /// The state change a change request of `kind` makes, if it is one.
    public init?(_ kind: ChangeKind) {
        self.init(rawValue: kind.rawValue)
    }

    /// The state a record in `state` is in after the change, or why it cannot take it.
    /// Blocked records may be unblocked or made obsolete; obsolete and merged-away records stay so.
    public func target(from state: RecordState) -> Result<RecordState, RecordStateRefusal> {
        switch (self, state) {
        case (.block, .active): .success(.blocked)
        case (.unblock, .blocked): .success(.active)
        case (.obsolete, .active), (.obsolete, .blocked): .success(.obsolete)
        default: .failure(RecordStateRefusal(change: self, state: state))
        }
    }

    /// The audit action of a released state change.
    public var auditAction: String {
        switch self {
        case .block: "record.blocked"
        case .unblock: "record.unblocked"
        case .obsolete: "record.obsoleted"
        }
    }
}

/// A state change the record's state does not allow, said so a steward knows what to do.
public struct RecordStateRefusal: Error, Sendable, Hashable {
    public var change: RecordStateChange
    public var state: RecordState

    public init(change: RecordStateChange, state: RecordState) {
        self.change = change
        self.state = state
    }

    public var message: String {
        switch (change, state) {
        case (_, .superseded): "it is merged into another record; change that record instead"
        case (.block, .blocked): "it is blocked already"
        case (.unblock, .active): "it is not blocked"
        case (_, .obsolete): "it is obsolete, and an obsolete record stays so"
        default: "a \(state.rawValue) record cannot be \(change.pastParticiple)"
        }
    }
}

extension RecordStateChange {
    public var pastParticiple: String {
        switch self {
        case .block: "blocked"
        case .unblock: "unblocked"
        case .obsolete: "made obsolete"
        }
    }
}

/// The record states a merge and an unmerge give, beside the steward's state changes: the one
/// place that decides them, as `RecordStateChange.target` does for block, unblock and obsolete.
public enum RecordMergeStates {
    /// The state of a record merged into another: superseded, from any state but superseded.
    public static func merged(from state: RecordState) -> RecordState? {
        state == .superseded ? nil : .superseded
    }

    /// The state an unmerged record comes back in: the one it had before the merge, so that a
    /// blocked supplier merged by mistake is still blocked once unmerged.
    public static func unmerged(before state: RecordState) -> RecordState {
        state == .superseded ? .active : state
    }
}

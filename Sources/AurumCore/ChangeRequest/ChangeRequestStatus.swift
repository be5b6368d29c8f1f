/// Where a change request stands.
///
/// open → approved → released, or open → rejected | withdrawn | superseded.
public enum ChangeRequestStatus: String, Sendable, CaseIterable, Codable {
    case open, approved, released, rejected, withdrawn, superseded

    /// Whether no further decision can change it.
    public var isFinal: Bool { self != .open && self != .approved }
}

/// What a change request does to its golden record.
public enum ChangeKind: String, Sendable, CaseIterable, Codable {
    case create, update, merge, unmerge, block, unblock, obsolete, supersede
}

/// The lifecycle state of a golden record.
public enum RecordState: String, Sendable, CaseIterable, Codable {
    case active, blocked, obsolete, superseded
}

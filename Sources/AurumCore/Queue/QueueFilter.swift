/// Which change requests a steward's queue lists: `aurum queue` and `GET /v1/change-requests`.
public struct QueueFilter: Sendable, Hashable {
    /// nil: every status.
    public var status: ChangeRequestStatus? = .open
    /// The caller's entities (empty: all); `entity` narrows them to one.
    public var entities: [String] = []
    public var entity: String?
    public var source: String?
    /// Only those whose gate of this name is pending.
    public var gate: String?
    /// Only those this person may approve now (an open gate takes them, four-eyes allows it).
    public var approvableBy: Approver?
    /// Only those opened at least this many seconds ago.
    public var olderThanSeconds: Int?
    /// Only those with a possible duplicate no steward has settled.
    public var withDuplicates = false
    public var limit = 100

    public init() {}
}

/// Durations as people write them on a command line or in a query: `90d`, `12h`, `30m`.
public enum DurationText {
    /// The duration in seconds; nil for anything else, or for zero.
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        switch unit {
        case "d": return count * 86_400
        case "h": return count * 3_600
        case "m": return count * 60
        default: return nil
        }
    }
}

/// Which change requests a steward's queue lists: `aurum queue` and `GET /v1/change-requests`.
public struct QueueFilter: Sendable, Hashable {
    /// nil: every status.
    public var status: ChangeRequestStatus? = .open
    /// The entities the caller may see; empty: none. `entity` narrows them to one.
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
    /// The longest duration accepted: 100 years, in seconds. Anything longer is a mistake, and
    /// arithmetic on it could overflow.
    public static let maxSeconds = 100 * 366 * 86_400

    /// What a duration may be, for an error message.
    public static let allowed = "a whole number of days, hours or minutes from 1m to 36600d, e.g. 2d, 12h or 30m"

    /// The duration in seconds; nil for anything else, for zero, and for more than `maxSeconds`.
    public static func seconds(_ text: String) -> Int? {
        guard text.utf8.count <= 12, let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        let multiplier: Int
        switch unit {
        case "d": multiplier = 86_400
        case "h": multiplier = 3_600
        case "m": multiplier = 60
        default: return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: multiplier)
        return overflow || seconds > maxSeconds ? nil : seconds
    }
}

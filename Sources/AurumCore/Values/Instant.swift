import Foundation

/// Instants as the API and the CLI read and write them: ISO 8601 with a zone, in UTC.
public enum Instant {
    /// The instants Aurum accepts: the years 1 to 9999, as PostgreSQL and every client can hold them.
    public static let range = Date(timeIntervalSince1970: -62_135_596_800)...Date(timeIntervalSince1970: 253_402_300_799)

    /// The instant `text` names (with or without fractional seconds); nil for anything else,
    /// and for an instant outside `range`.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 40 else { return nil }
        let precise = ISO8601DateFormatter()
        precise.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = precise.date(from: text) ?? ISO8601DateFormatter().date(from: text), range.contains(date) else { return nil }
        return date
    }

    /// `date` in ISO 8601, UTC, to the second.
    public static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

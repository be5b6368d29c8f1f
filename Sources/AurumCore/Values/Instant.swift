import Foundation

/// Instants as the API and the CLI read and write them: ISO 8601 with a zone, in UTC.
public enum Instant {
    /// The instant `text` names (with or without fractional seconds); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 40 else { return nil }
        let precise = ISO8601DateFormatter()
        precise.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return precise.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    /// `date` in ISO 8601, UTC, to the second.
    public static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

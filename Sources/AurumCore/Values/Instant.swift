import Foundation

/// ISO 8601 instants with their zone, as the store writes them (`2026-12-02T05:43:08.123Z`) and
/// as callers give them (`as_of=`, `since`), with or without fractions of a second.
public enum Instant {
    public static func parse(_ text: String) -> Date? {
        let precise = ISO8601DateFormatter()
        precise.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return precise.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}

import AurumCore
import Foundation

/// "1 row", "2 rows": a count with its noun, for the messages people read.
func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}

extension DurationText {
    /// How long ago an instant the store wrote was, as a person says it: `45s`, `12m`, `5h`, `3d`.
    static func age(since instant: String, now: Date = Date()) -> String {
        guard let then = Instant.parse(instant) else { return instant }
        let seconds = max(0, Int(now.timeIntervalSince(then)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3_600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3_600)h"
        default: return "\(seconds / 86_400)d"
        }
    }
}

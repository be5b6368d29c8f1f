import Synchronization

/// Compiled regular expressions by pattern text: compiling a Regex costs far more than matching
/// one, and every candidate of an entity uses the same few patterns.
enum PatternCache {
    private struct Box: @unchecked Sendable { let regex: Regex<AnyRegexOutput>? }
    private static let compiled = Mutex<[String: Box]>([:])

    /// The compiled pattern, or nil when it does not compile (the rules loader reports those).
    static func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        if let box = compiled.withLock({ $0[pattern] }) { return box.regex }
        let regex = try? Regex(pattern)
        compiled.withLock { $0[pattern] = Box(regex: regex) }
        return regex
    }
}

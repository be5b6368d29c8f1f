import Foundation

/// Colour for a person at a terminal: never when NO_COLOR is set (no-color.org), TERM is dumb,
/// or standard output is not a terminal (a pipe, a file, a test's capture).
enum Colour {
    static let enabled: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) != 0
    }()

    /// Whether this output may be coloured: a terminal, and not a capture.
    static var active: Bool { enabled && Console.capture == nil }

    static func red(_ text: String) -> String { paint(text, "31") }
    static func green(_ text: String) -> String { paint(text, "32") }
    static func bold(_ text: String) -> String { paint(text, "1") }
    static func dim(_ text: String) -> String { paint(text, "2") }

    private static func paint(_ text: String, _ code: String) -> String {
        active ? "\u{1b}[\(code)m\(text)\u{1b}[0m" : text
    }
}

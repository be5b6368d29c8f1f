import Foundation
import Synchronization

/// Where the commands' standard output goes: the process's stdout, or the buffer of a caller
/// that runs commands in process and reads what they print (the tests).
public enum Console {
    @TaskLocal public static var capture: OutputCapture?
}

/// Text printed while a capture was set.
public final class OutputCapture: Sendable {
    private let buffer = Mutex("")
    private let errorBuffer = Mutex("")
    public init() {}
    /// What went to standard output.
    public var text: String { buffer.withLock { $0 } }
    /// What went to standard error.
    public var errors: String { errorBuffer.withLock { $0 } }
    func append(_ text: String) { buffer.withLock { $0 += text } }
    func appendError(_ text: String) { errorBuffer.withLock { $0 += text } }
}

/// Every command prints through this, so that one place decides where output goes.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    if let capture = Console.capture { capture.append(text) } else { Swift.print(text, terminator: "") }
}

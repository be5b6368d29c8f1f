import ArgumentParser
import AurumApp

/// Runs `aurum <arguments>` in-process, returning the exit code it ended with (0 when it returned normally).
func runAurum(_ arguments: [String]) async throws -> Int32 {
    var command = try Aurum.parseAsRoot(arguments)
    do {
        if var async = command as? AsyncParsableCommand { try await async.run() } else { try command.run() }
        return 0
    } catch let exit as ExitCode {
        return exit.rawValue
    }
}

/// Runs `aurum <arguments>` in-process and returns its exit code and what it printed on stdout.
func runAurumCapturing(_ arguments: [String]) async throws -> (code: Int32, output: String) {
    let capture = OutputCapture()
    let code = try await Console.$capture.withValue(capture) { try await runAurum(arguments) }
    return (code, capture.text)
}

/// Runs `aurum <arguments>` in-process and returns its exit code, stdout and stderr.
func runAurumCapturingAll(_ arguments: [String]) async throws -> (code: Int32, output: String, errors: String) {
    let capture = OutputCapture()
    let code = try await Console.$capture.withValue(capture) { try await runAurum(arguments) }
    return (code, capture.text, capture.errors)
}

import Foundation
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

/// A file holding `token`, for `--token-file` (a token is never given on the command line).
func tokenFile(_ token: String) -> String {
    let name = "aurum-token-" + String(token.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init).prefix(60))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(name + "-\(token.count)").path
    try? token.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

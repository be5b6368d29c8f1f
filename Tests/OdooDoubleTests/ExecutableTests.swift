import Foundation
import Testing

/// The `odoo-double` executable as scripts run it.
@Suite struct ExecutableTests {
    /// Built beside the test bundle by `swift build --build-tests`.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("odoo-double").path
    }

    @Test func portZeroIsPrintedAtOnceEvenWhenStdoutIsAFile() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "odoo-double is not built at \(Self.executable)")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-double-\(UUID().uuidString).out").path
        FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["--port", "0", "--odoo-version", "17", "--api-key", "k"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var line = ""
        for _ in 0..<100 where !line.contains("http://") {
            try await Task.sleep(for: .milliseconds(50))
            line = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }
        #expect(process.isRunning, "the double must still be serving when its port is read")
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
                                "no port printed while running: \(line)")
        #expect(port > 0 && line.hasPrefix("odoo-double 17 serving database odoo on http://127.0.0.1:"))
    }
}

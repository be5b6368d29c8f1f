import ArgumentParser
@testable import AurumApp
import Testing

/// `aurum queue`: its filters become the server's query; a mistake is a usage error (64) before any call.
@Suite struct QueueCommandTests {
    @Test(arguments: [["--status", "bogus"], ["--limit", "0"], ["--limit", "1001"], ["--older-than", "soon"], ["--entity", "itme"],
                      ["--source", "plmm"], ["--gate", "enginering"]])
    func aMistakeInAFilterIsAUsageError(_ arguments: [String]) {
        do {
            _ = try Aurum.parseAsRoot(["queue"] + arguments)
            Issue.record("queue \(arguments) was accepted")
        } catch {
            #expect(Aurum.exitCode(for: error) == .validationFailure, "\(arguments)")
        }
    }

    @Test func theFiltersAreSentEscaped() throws {
        var queue = try #require(try Aurum.parseAsRoot(["queue", "--entity", "supplier", "--mine", "--older-than", "2d",
                                                        "--duplicates", "--source", "portal", "--gate", "finance", "--limit", "5"]) as? Queue)
        queue.gate = "a&b"  // (a gate the rules here do not name is refused before; the escaping holds for any)
        #expect(queue.query == "limit=5&status=open&entity=supplier&source=portal&gate=a%26b&older_than=2d&mine=true&duplicates=true")
        let all = try #require(try Aurum.parseAsRoot(["queue", "--status", "all"]) as? Queue)
        #expect(all.query == "limit=100")
    }
}

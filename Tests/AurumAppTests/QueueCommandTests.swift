import ArgumentParser
@testable import AurumApp
import Testing

/// `aurum queue`: its filters become the server's query; a mistake is a usage error (64) before any call.
@Suite struct QueueCommandTests {
    @Test(arguments: [["--status", "bogus"], ["--limit", "0"], ["--limit", "1001"], ["--older-than", "soon"]])
    func aMistakeInAFilterIsAUsageError(_ arguments: [String]) {
        do {
            _ = try Aurum.parseAsRoot(["queue"] + arguments)
            Issue.record("queue \(arguments) was accepted")
        } catch {
            #expect(Aurum.exitCode(for: error) == .validationFailure, "\(arguments)")
        }
    }

    @Test func theFiltersAreSentEscaped() throws {
        let queue = try #require(try Aurum.parseAsRoot(["queue", "--entity", "supplier", "--gate", "finance", "--mine", "--older-than", "2d",
                                                        "--duplicates", "--source", "a&b", "--limit", "5"]) as? Queue)
        #expect(queue.query == "limit=5&status=open&entity=supplier&source=a%26b&gate=finance&older_than=2d&mine=true&duplicates=true")
        let all = try #require(try Aurum.parseAsRoot(["queue", "--status", "all"]) as? Queue)
        #expect(all.query == "limit=100")
    }
}

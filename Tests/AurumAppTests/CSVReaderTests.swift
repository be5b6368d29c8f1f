@testable import AurumApp
import Testing

@Suite struct CSVReaderTests {
    func fields(_ text: String) throws -> [[String]] { try CSVReader.records(text).map(\.fields) }

    @Test func readsPlainAndQuotedFields() throws {
        #expect(try fields("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(try fields("name,note\r\n\"Müller, Hans\",\"said \"\"hi\"\"\"\r\n") == [["name", "note"], ["Müller, Hans", "said \"hi\""]])
        #expect(try fields("a,b\n\"two\nlines\",x") == [["a", "b"], ["two\nlines", "x"]])
        #expect(try fields("a,b\n,\n") == [["a", "b"], ["", ""]])
    }

    @Test func recordsStartLinesAcrossQuotedLineBreaks() throws {
        #expect(try CSVReader.records("h\n\"x\ny\"\nz\n").map(\.line) == [1, 2, 4])
    }

    @Test func reportsBrokenQuotingWithItsLine() {
        #expect(throws: CSVReader.Failure.self) { try CSVReader.records("a\n\"open\n") }
        do { _ = try CSVReader.records("a,b\nx\"y,z\n"); Issue.record("expected a failure") } catch {
            #expect(error.description == "line 2: a quote in the middle of an unquoted field; quote the whole field and double the quote")
        }
    }
}

import AurumCore
import Foundation
import Testing

@Suite struct JSONParserTests {
    static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    static func failure(_ text: String) -> String? {
        do { _ = try parse(text); return nil } catch { return error.description }
    }

    @Test(arguments: [
        #"{"a":[1,2.5,-3e2,0,-0.125],"b":{"c":null,"d":true,"e":false},"f":"x\"y\\z\/\n\t\u00e9\ud83d\ude00"}"#,
        "  [ ]  ", "{}", #""\u0041ß€😀""#, "1E+2", "[[[[1]]]]", "\u{FEFF}{\"bom\":1}",
    ])
    func readsWhatTheStandardDecoderReads(_ text: String) throws {
        let standard = try JSONDecoder().decode(JSONValue.self, from: Data(text.replacingOccurrences(of: "\u{FEFF}", with: "").utf8))
        #expect(try Self.parse(text) == standard)
    }

    @Test func saysWhereAndWhatInJSONTerms() {
        #expect(Self.failure(#"{"a": }"#) == "line 1, column 7: expected a value (an object, array, string, number, true, false or null), found '}'")
        #expect(Self.failure("{\n  \"a\": 1,\n  \"b\" 2\n}") == "line 3, column 7: expected ':' after the member name \"b\"")
        #expect(Self.failure(#"{"a":1,"a":2}"#) == #"line 1, column 8: the member "a" appears twice in one object"#)
        #expect(Self.failure(#"["abc"#) == "line 1, column 6: the document ends inside a string; close it with '\"'")
        #expect(Self.failure("[1] 2") == "line 1, column 5: unexpected text after the JSON document")
        #expect(Self.failure("[01]") == "line 1, column 3: a number cannot start with 0 followed by digits")
        #expect(Self.failure("[1.]") == "line 1, column 4: a number needs a digit after its decimal point")
        #expect(Self.failure("[1e400]") == "line 1, column 2: the number 1e400 is too large to hold")
        #expect(Self.failure("[True]") == "line 1, column 2: expected a value (an object, array, string, number, true, false or null), found 'T'")
        #expect(Self.failure("[nul]") == "line 1, column 2: expected null here (true, false and null are spelt out in lower case)")
        #expect(Self.failure(#"["\x"]"#) == #"line 1, column 4: \x is not an escape sequence; use \", \\, \/, \b, \f, \n, \r, \t or \uXXXX"#)
        #expect(Self.failure(#"["\udc00"]"#)?.contains("second half of a surrogate pair without its first") == true)
        #expect(Self.failure(#"["\ud800x"]"#)?.contains("first half of a surrogate pair without its second") == true)
        #expect(Self.failure("[\"a\u{01}\"]") == "line 1, column 4: a control character (U+0001) must be escaped inside a string")
        #expect(Self.failure(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))?.contains("nested deeper than 64") == true)
        #expect(Self.failure("") == "line 1, column 1: the document ends where a value is expected")
    }

    @Test func refusesInvalidUTF8WithItsPosition() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            #expect(throws: JSONSyntaxError(line: 1, column: 2, message: "the text is not valid UTF-8 here")) { try JSONParser.parse(bytes) }
        }
    }

    @Test func findsTheFirstNULWithItsPath() throws {
        let value = try Self.parse(#"{"a":{"b":["x","y\u0000"]},"c":"ok"}"#)
        #expect(value.pathOfNUL("body") == "body.a.b[1]")
        #expect(try Self.parse(#"{"k\u0000":1}"#).pathOfNUL("body") == "body (a member name)")
        #expect(try Self.parse(#"{"a":"clean"}"#).pathOfNUL("body") == nil)
    }

    /// The direct writer (for values bound for the database) writes what the parser reads back
    /// as the same value, and what the encoder writes, member for member.
    @Test func theDirectWriterRoundTripsThroughTheParserAndAgreesWithTheEncoder() throws {
        let values: [JSONValue] = [
            .null, true, false, 0, -1, 42, 1.5, -0.25, 1e-7, 123456789012345, 1e20, "", "plain",
            "quote \" backslash \\ slash / tab \t newline \n return \r bell \u{07} unit \u{1f}", "Müller – 東京 – 🔩",
            ["a": 1, "b": [true, .null, ["nested": "x"]], "": "empty key", "é": "accent"],
            .array([]), .object([:]),
        ]
        for value in values {
            let text = CanonicalJSON.direct(value)
            #expect(try JSONParser.parse(Array(text.utf8)) == value, "\(text)")
            let encoded = try JSONParser.parse(Array(CanonicalJSON.data(value)))
            #expect(encoded == value)
        }
        #expect(CanonicalJSON.direct(["b": 1, "a": [2, "x"]] as JSONValue) == #"{"a":[2,"x"],"b":1}"#, "keys sorted, integers without a point")
        #expect(CanonicalJSON.direct(["name": "a/b"] as Attributes) == #"{"name":"a/b"}"#, "slashes as they are")
        #expect(CanonicalJSON.direct(.string("\u{01}")) == #""\u0001""#)
    }
}

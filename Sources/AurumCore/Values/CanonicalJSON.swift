#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one way Aurum writes JSON: sorted keys and unescaped slashes, so the same value is always
/// the same text (in the database, in API answers and in CLI output).
public enum CanonicalJSON {
    /// Encodes `value`; the pretty form is for people reading a terminal.
    public static func data(_ value: some Encodable, pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Aurum's values hold only strings, finite numbers and booleans, which always encode.
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    /// The encoded text of `value`.
    public static func text(_ value: some Encodable, pretty: Bool = false) -> String {
        String(decoding: data(value, pretty: pretty), as: UTF8.self)
    }
}

extension JSONValue {
    /// `value` as a JSON value (through its encoding): for embedding a view in another document.
    public init(encoding value: some Encodable) {
        self = (try? JSONDecoder().decode(JSONValue.self, from: CanonicalJSON.data(value))) ?? .null
    }
}

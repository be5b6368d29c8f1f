import Foundation

/// JSON as the CLI prints it: sorted keys, pretty when a person reads it.
enum JSONOutput {
    static func data(_ value: some Encodable, pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    static func string(_ value: some Encodable) -> String {
        String(decoding: data(value, pretty: true), as: UTF8.self)
    }
}

import AurumCore
import Foundation

/// JSON as the CLI prints it: canonical, pretty when a person reads it.
enum JSONOutput {
    static func data(_ value: some Encodable, pretty: Bool = false) -> Data {
        CanonicalJSON.data(value, pretty: pretty)
    }

    static func string(_ value: some Encodable) -> String {
        CanonicalJSON.text(value, pretty: true)
    }
}

import Foundation
import Yams

/// The API's OpenAPI description (`docs/openapi.yaml`), read once, and the same as JSON.
public enum APIDescriptionFile {
    /// The YAML text and its JSON form; nil when the file is missing, an error when it is not YAML.
    public static func load(path: String) throws -> (yaml: [UInt8], json: [UInt8])? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let object = try Yams.load(yaml: text) else { return nil }
        let json = try JSONSerialization.data(withJSONObject: plain(object), options: [.sortedKeys])
        return (Array(text.utf8), Array(json))
    }

    /// Yams's values as JSONSerialization takes them.
    static func plain(_ value: Any) -> Any {
        switch value {
        case let map as [AnyHashable: Any]:
            var result = [String: Any]()
            for (key, member) in map { result["\(key)"] = plain(member) }
            return result
        case let list as [Any]: return list.map(plain)
        default: return value
        }
    }
}

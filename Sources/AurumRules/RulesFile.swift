import Crypto
import Foundation

/// One file of a rules directory, with its text.
struct RulesFile {
    /// The path below the rules directory, with `/` separators (`consumers/odoo.yaml`).
    var relativePath: String
    /// The path to show in messages (`rules/item.yaml`).
    var displayPath: String
    var text: String

    var name: String { String(relativePath.split(separator: "/").last ?? "") }
    var stem: String { name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name }
    var isTopLevel: Bool { !relativePath.contains("/") }

    /// Every `.yaml` file below `directory`, sorted by path.
    static func list(in directory: String) throws -> [RulesFile] {
        let base = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(directory) is not a directory"])
        }
        let paths = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return try paths.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { path in
            let text = try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8)
            let display = directory.hasSuffix("/") ? directory + path : directory + "/" + path
            return RulesFile(relativePath: path, displayPath: display, text: text)
        }
    }

    /// The rules version: SHA-256 over every file's path and content, as `sha256:` + 16 hex digits.
    static func version(of files: [RulesFile]) -> String {
        var hasher = SHA256()
        for file in files.sorted(by: { $0.relativePath < $1.relativePath }) {
            hasher.update(data: Data(file.relativePath.utf8))
            hasher.update(data: Data([0]))
            hasher.update(data: Data(file.text.utf8))
            hasher.update(data: Data([0]))
        }
        return "sha256:" + hasher.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

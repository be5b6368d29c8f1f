import AurumCore
import Yams

/// A parsed YAML file whose reads record a `file:line` diagnostic for every problem instead of
/// stopping at the first.
final class YAMLDocument {
    let file: String
    private(set) var diagnostics: [RulesDiagnostic] = []

    init(file: String) { self.file = file }

    /// Parses `text`; a syntax error becomes a diagnostic and the result is nil.
    func parse(_ text: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                report(line: 1, "the file is empty")
                return nil
            }
            return node
        } catch let error as YamlError {
            report(line: Self.line(of: error), "YAML syntax error: \(Self.problem(of: error))")
        } catch {
            report(line: 1, "cannot read YAML: \(error)")
        }
        return nil
    }

    func report(_ node: Node?, _ message: String) {
        report(line: node?.mark?.line ?? 1, message)
    }

    func report(line: Int, _ message: String) {
        diagnostics.append(RulesDiagnostic(file: file, line: line, message: message))
    }

    /// The mapping's entries by key, reporting keys outside `allowed` and duplicate keys.
    func mapping(_ node: Node, allowed: [String]? = nil, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        var seen = Set<String>()
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { report(keyNode, "keys in \(what) must be text"); continue }
            if !seen.insert(key).inserted { report(keyNode, "\"\(key)\" appears twice in \(what)"); continue }
            if let allowed, !allowed.contains(key) {
                report(keyNode, "unknown key \"\(key)\" in \(what)\(Suggestion.didYouMean(key, in: allowed)); allowed: \(allowed.joined(separator: ", "))")
                continue
            }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(node, "\(what) must be text")
            return nil
        }
        return scalar.string
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            report(node, "\(what) must be true or false")
            return nil
        }
        return value
    }

    func number(_ node: Node, _ what: String) -> Double? {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            report(node, "\(what) must be a number")
            return nil
        }
        return value
    }

    func int(_ node: Node, _ what: String) -> Int? {
        guard case .scalar = node, let value = node.int else {
            report(node, "\(what) must be a whole number")
            return nil
        }
        return value
    }

    /// A list of text; a single text is read as a list of one.
    func strings(_ node: Node, _ what: String) -> [String]? {
        switch node {
        case .scalar: return string(node, what).map { [$0] }
        case .sequence(let items): return items.compactMap { string($0, "each entry of \(what)") }
        default:
            report(node, "\(what) must be a list of text")
            return nil
        }
    }

    /// An enumerated value by its raw text, suggesting the closest one when misspelt.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, as: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, what) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        report(node, "unknown \(what) \"\(text)\"\(Suggestion.didYouMean(text, in: names)); one of: \(names.joined(separator: ", "))")
        return nil
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: 1
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        case .duplicatedKeysInMapping(let duplicates, _): "duplicate keys \(duplicates.joined(separator: ", "))"
        default: "\(error)"
        }
    }
}

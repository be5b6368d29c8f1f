/// One problem in a rules file, located by file and line.
public struct RulesDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file, relative to the rules directory's parent as the user named it (`rules/item.yaml`).
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `rules/item.yaml:14: unknown key "requird" (did you mean "required"?)`
    public var description: String { "\(file):\(line): \(message)" }
}

/// A rules directory that cannot be used, with every problem found in it.
public struct RulesError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [RulesDiagnostic]

    public init(_ diagnostics: [RulesDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}


/// A candidate as an upstream system submits it: which entity, from which source, under the
/// source's own key, with the attributes the source holds.
public struct CandidateSubmission: Sendable, Hashable {
    public var entity: String
    public var source: String
    public var sourceKey: String
    public var attributes: Attributes

    public init(entity: String, source: String, sourceKey: String, attributes: Attributes) {
        self.entity = entity
        self.source = source
        self.sourceKey = sourceKey
        self.attributes = attributes
    }

    /// Members a submission may carry; anything else is refused rather than ignored.
    public static let members: Set<String> = ["entity", "source", "source_key", "attributes"]
    /// Names a caller may never set: Aurum owns them.
    public static let systemOwned: Set<String> = [
        "id", "candidate_id", "status", "record_id", "golden_id", "version", "state", "approvals",
        "change_request_id", "created_at", "updated_at", "released_at", "received_at", "rules_version",
    ]

    /// Reads a submission from JSON, checking its shape against the rules; `path` names it in errors
    /// (`candidates[3]`).
    public static func parse(_ json: JSONValue, path: String, rules: RuleSet) throws(SubmissionError) -> CandidateSubmission {
        guard let object = json.objectValue else {
            throw SubmissionError(path: path, message: "expected a JSON object, got \(json.typeName)")
        }
        if let where_ = json.pathOfNUL(path) {
            throw SubmissionError(path: where_, message: "holds the character U+0000 (NUL), which cannot be stored; remove it")
        }
        let owned = object.keys.filter(systemOwned.contains).sorted()
        if !owned.isEmpty {
            throw SubmissionError(path: path, message: "\(owned.joined(separator: ", ")) may not be set by a source; Aurum assigns it. Remove it")
        }
        let unknown = object.keys.filter { !members.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw SubmissionError(path: path, message: "unknown field \(unknown.joined(separator: ", ")); a candidate has entity, source, source_key and attributes")
        }
        let entity = try text(object, "entity", path)
        let source = try text(object, "source", path)
        let sourceKey = try text(object, "source_key", path)
        guard let schema = rules.entities[entity] else {
            throw SubmissionError(path: "\(path).entity", message: "unknown entity \"\(entity)\"; the rules define \(rules.entities.keys.sorted().joined(separator: ", "))")
        }
        guard let system = rules.sources[source] else {
            throw SubmissionError(path: "\(path).source", message: "unknown source \"\(source)\"; add it to rules/aurum.yaml or use one of \(rules.sources.keys.sorted().joined(separator: ", "))")
        }
        guard system.submits(entity) else {
            throw SubmissionError(path: "\(path).source", message: "source \"\(source)\" may not submit \(entity) records (rules/aurum.yaml)")
        }
        guard sourceKey.fits(200) else {
            throw SubmissionError(path: "\(path).source_key", message: "is longer than 200 characters")
        }
        let attributes = try attributeMembers(object["attributes"], path: "\(path).attributes", schema: schema)
        return CandidateSubmission(entity: entity, source: source, sourceKey: sourceKey, attributes: attributes)
    }

    static func text(_ object: [String: JSONValue], _ name: String, _ path: String) throws(SubmissionError) -> String {
        guard let value = object[name] else {
            throw SubmissionError(path: "\(path).\(name)", message: "is missing")
        }
        guard let text = value.stringValue, !text.allSatisfy(\.isWhitespace) else {
            throw SubmissionError(path: "\(path).\(name)", message: "must be a non-empty string, got \(value.typeName)")
        }
        return text
    }

    /// Checks an attributes object (at `path`, e.g. `candidates[2].attributes` or `body.set`)
    /// against `schema`: known names, none system-owned, single values only.
    public static func attributeMembers(_ value: JSONValue?, path: String, schema: EntitySchema) throws(SubmissionError) -> Attributes {
        guard let value else { throw SubmissionError(path: path, message: "is missing") }
        guard let attributes = value.objectValue else {
            throw SubmissionError(path: path, message: "must be an object of attribute names to values, got \(value.typeName)")
        }
        let owned = attributes.keys.filter(systemOwned.contains).sorted()
        if !owned.isEmpty {
            throw SubmissionError(path: path, message: "\(owned.joined(separator: ", ")) may not be set by a source; Aurum assigns it. Remove it")
        }
        let unknown = Validator(schema: schema).unknownAttributes(in: attributes)
        if !unknown.isEmpty {
            let known = schema.attributes.map(\.name)
            let named = unknown.map { "\"\($0)\"" + Suggestion.didYouMean($0, in: known) }.joined(separator: ", ")
            throw SubmissionError(path: path, message: "unknown attribute \(named) for \(schema.name); remove it or declare it in rules/\(schema.name).yaml")
        }
        for (name, member) in attributes {
            if case .array = member { throw nested(path, name) }
            if case .object = member { throw nested(path, name) }
            if case .string(let text) = member, let limit = schema.attribute(name)?.hardLimit, !text.fits(limit) {
                throw SubmissionError(path: "\(path).\(name)", message: "is longer than \(limit) characters, the most \(schema.name).\(name) may hold; "
                                      + "shorten it (or raise length: max in rules/\(schema.name).yaml)")
            }
        }
        return attributes
    }

    static func nested(_ path: String, _ name: String) -> SubmissionError {
        SubmissionError(path: "\(path).\(name)", message: "must be a single value (string, number, boolean or null), not a list or object")
    }
}

extension String {
    /// Whether the text has at most `limit` characters (Unicode scalars), found without reading
    /// past the limit.
    func fits(_ limit: Int) -> Bool {
        if utf8.count <= limit { return true }
        var count = 0
        for _ in unicodeScalars {
            count += 1
            if count > limit { return false }
        }
        return true
    }
}

/// A submission that cannot be read: its shape is wrong, or it names what the rules do not know.
public struct SubmissionError: Error, Sendable, Hashable {
    /// Where in the request body the problem is, e.g. `candidates[2].attributes`.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

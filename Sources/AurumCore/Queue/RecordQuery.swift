import Foundation

/// Which golden records of one entity a search asks for (`GET /v1/records/{entity}`, `aurum records
/// search|export`): words of the name, attributes equal to values, states, a source, when they last
/// changed; a page of them after a record id (keyset paging, in id order).
public struct RecordQuery: Sendable, Hashable {
    public var entity: String
    /// Words the record's name must hold, each as a word or the start of one ("hex bol").
    public var words: [String] = []
    /// Attributes and the value each must have (typed and normalized as the rules say).
    public var equals: Attributes = [:]
    /// Only records in these states; empty: any.
    public var states: [RecordState] = []
    /// Only records with a key of this source.
    public var source: String?
    public var changedSince: Date?
    public var changedBefore: Date?
    /// Only these records; empty: any.
    public var ids: [Int64] = []
    /// Records with ids above this one.
    public var after: Int64 = 0
    public var limit = 100

    public static let maxLimit = 1_000
    public static let maxConditions = 10
    public static let maxWords = 10

    public init(entity: String) {
        self.entity = entity
    }

    /// The words of `text` a name search takes: letters and digits, lower-cased, each at most
    /// 100 characters, at most `maxWords`; nil when there are more.
    public static func words(_ text: String) -> [String]? {
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }.map { String($0.prefix(100)) }
        return words.count > maxWords ? nil : words
    }

    /// The condition `name=value` (an attribute of `schema`) with the value typed and normalized
    /// as the rules say; a problem naming the attribute when it cannot be.
    public static func condition(_ name: String, _ value: String, schema: EntitySchema) -> Result<(String, JSONValue), RecordQueryProblem> {
        guard let spec = schema.attribute(name) else {
            let known = schema.attributes.map(\.name)
            return .failure(RecordQueryProblem(parameter: name, message: "\(schema.name) has no attribute \"\(name)\"\(Suggestion.didYouMean(name, in: Set(known)))"))
        }
        switch ValueCoercion.coerce(.string(value), to: spec) {
        case .success(let typed?): return .success((name, typed))
        case .success(nil): return .failure(RecordQueryProblem(parameter: name, message: "an empty value matches nothing; give the value to look for"))
        case .failure(let finding): return .failure(RecordQueryProblem(parameter: name, message: finding.message))
        }
    }
}

/// Why a record search cannot be run as asked: the parameter, and what it may be.
public struct RecordQueryProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var parameter: String
    public var message: String
    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }
    public var description: String { "\(parameter): \(message)" }
}

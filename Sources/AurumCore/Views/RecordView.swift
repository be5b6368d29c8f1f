/// A golden record's current version, as consumers read it.
public struct RecordView: Sendable, Hashable, Codable {
    public var id: Int64
    public var entity: String
    public var version: Int
    public var state: RecordState
    public var attributes: Attributes
    public var sources: [SourceKey]
    public var updatedAt: String

    public init(id: Int64, entity: String, version: Int, state: RecordState, attributes: Attributes, sources: [SourceKey], updatedAt: String) {
        self.id = id; self.entity = entity; self.version = version; self.state = state
        self.attributes = attributes; self.sources = sources; self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, entity, version, state, attributes, sources, updatedAt = "updated_at"
    }
}

/// A source system's own key for a golden record.
public struct SourceKey: Sendable, Hashable, Codable {
    public var source: String
    public var sourceKey: String

    public init(source: String, sourceKey: String) { self.source = source; self.sourceKey = sourceKey }

    enum CodingKeys: String, CodingKey { case source, sourceKey = "source_key" }
}

/// One immutable version of a golden record.
public struct VersionView: Sendable, Hashable, Codable {
    public var version: Int
    public var state: RecordState
    public var attributes: Attributes
    public var changeRequestID: Int64?
    public var rulesVersion: String
    public var releasedBy: String
    public var releasedAt: String

    public init(version: Int, state: RecordState, attributes: Attributes, changeRequestID: Int64?, rulesVersion: String, releasedBy: String, releasedAt: String) {
        self.version = version; self.state = state; self.attributes = attributes; self.changeRequestID = changeRequestID
        self.rulesVersion = rulesVersion; self.releasedBy = releasedBy; self.releasedAt = releasedAt
    }

    enum CodingKeys: String, CodingKey {
        case version, state, attributes, changeRequestID = "change_request_id", rulesVersion = "rules_version"
        case releasedBy = "released_by", releasedAt = "released_at"
    }
}

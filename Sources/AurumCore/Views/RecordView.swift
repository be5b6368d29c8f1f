/// A golden record's current version, as consumers read it.
public struct RecordView: Sendable, Hashable, Codable {
    public var id: Int64
    public var entity: String
    public var version: Int
    public var state: RecordState
    public var attributes: Attributes
    public var sources: [SourceKey]
    public var updatedAt: String
    /// Where each value of the current version came from.
    public var lineage: [String: Lineage]
    /// The record this one was merged into, when superseded.
    public var supersededBy: Int64?
    /// Per consumer, its latest delivery (set by the record API).
    public var deliveries: [DeliveryView]?

    public init(id: Int64, entity: String, version: Int, state: RecordState, attributes: Attributes, sources: [SourceKey], updatedAt: String,
                lineage: [String: Lineage] = [:], supersededBy: Int64? = nil) {
        self.id = id; self.entity = entity; self.version = version; self.state = state
        self.attributes = attributes; self.sources = sources; self.updatedAt = updatedAt
        self.lineage = lineage; self.supersededBy = supersededBy
    }

    enum CodingKeys: String, CodingKey {
        case id, entity, version, state, attributes, sources, updatedAt = "updated_at", lineage, supersededBy = "superseded_by", deliveries
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(entity, forKey: .entity); try c.encode(version, forKey: .version)
        try c.encode(state, forKey: .state); try c.encode(attributes, forKey: .attributes); try c.encode(sources, forKey: .sources)
        try c.encode(updatedAt, forKey: .updatedAt); try c.encode(lineage, forKey: .lineage)
        try c.encode(supersededBy, forKey: .supersededBy)
        if let deliveries { try c.encode(deliveries, forKey: .deliveries) }
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
    public var lineage: [String: Lineage]

    public init(version: Int, state: RecordState, attributes: Attributes, changeRequestID: Int64?, rulesVersion: String, releasedBy: String,
                releasedAt: String, lineage: [String: Lineage] = [:]) {
        self.version = version; self.state = state; self.attributes = attributes; self.changeRequestID = changeRequestID
        self.rulesVersion = rulesVersion; self.releasedBy = releasedBy; self.releasedAt = releasedAt; self.lineage = lineage
    }

    enum CodingKeys: String, CodingKey {
        case version, state, attributes, changeRequestID = "change_request_id", rulesVersion = "rules_version"
        case releasedBy = "released_by", releasedAt = "released_at", lineage
    }
}

/// Where a source's key stands: the golden record it is linked to now (after any merge).
public struct CrossReference: Sendable, Hashable, Codable {
    public var entity: String
    public var recordID: Int64
    public var state: RecordState

    public init(entity: String, recordID: Int64, state: RecordState) { self.entity = entity; self.recordID = recordID; self.state = state }

    enum CodingKeys: String, CodingKey { case entity, recordID = "record_id", state }
}

/// What became of one submitted candidate; the API's answer per candidate.
public struct IngestResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable {
        /// A change request now proposes it.
        case proposed
        /// It failed validation; `errors` says why.
        case rejected
        /// It adds nothing to what is already proposed or current.
        case unchanged
    }

    public var candidateID: Int64?
    public var status: Status
    public var changeRequestID: Int64?
    public var errors: [Finding]
    public var warnings: [Finding]
    /// What matching decided; nil when no matching ran (the source key was already linked to a
    /// golden record, or the candidate was rejected).
    public var match: FlowMatch?
    /// Set when an auto-approve gate released the change at once: the version it became.
    public var released: Release?

    /// A change an auto-approve gate released in the ingest's own transaction.
    public struct Release: Sendable, Hashable, Codable {
        public var recordID: Int64
        public var version: Int
        public var gate: String

        public init(recordID: Int64, version: Int, gate: String) {
            self.recordID = recordID
            self.version = version
            self.gate = gate
        }

        enum CodingKeys: String, CodingKey { case recordID = "record_id", version, gate }
    }

    public init(candidateID: Int64?, status: Status, changeRequestID: Int64?, errors: [Finding] = [], warnings: [Finding] = [],
                match: FlowMatch? = nil) {
        self.match = match
        self.candidateID = candidateID
        self.status = status
        self.changeRequestID = changeRequestID
        self.errors = errors
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case candidateID = "candidate_id", status, changeRequestID = "change_request_id", errors, warnings, match, released
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(candidateID, forKey: .candidateID)
        try c.encode(status, forKey: .status)
        try c.encode(changeRequestID, forKey: .changeRequestID)
        try c.encode(errors, forKey: .errors)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(match.map(Summary.init), forKey: .match)
        try c.encode(released, forKey: .released)
    }

    /// The result as `caller` may see it. A source learns the band and, when it was linked, the
    /// golden record it was linked to; never another record's values, score or explanation
    /// (stewards and admins see those in the change request).
    public func visible(to caller: Principal) -> IngestResult {
        guard caller.role == .source, let match else { return self }
        var result = self
        result.match = FlowMatch(band: match.band, recordID: match.band == .autoLink ? match.recordID : nil)
        return result
    }

    /// The match as an ingest result shows it: the band, the record, the score and its explanation.
    struct Summary: Encodable {
        var match: FlowMatch
        init(_ match: FlowMatch) { self.match = match }
        enum CodingKeys: String, CodingKey { case band, recordID = "record_id", score, explanation }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            let distinct = match.band == .distinct
            try c.encode(match.band, forKey: .band)
            try c.encode(distinct ? nil : match.recordID, forKey: .recordID)
            try c.encode(distinct ? nil : match.score, forKey: .score)
            try c.encode(distinct ? nil : match.explanation, forKey: .explanation)
        }
    }
}

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

    public init(candidateID: Int64?, status: Status, changeRequestID: Int64?, errors: [Finding] = [], warnings: [Finding] = []) {
        self.candidateID = candidateID
        self.status = status
        self.changeRequestID = changeRequestID
        self.errors = errors
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case candidateID = "candidate_id", status, changeRequestID = "change_request_id", errors, warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(candidateID, forKey: .candidateID)
        try c.encode(status, forKey: .status)
        try c.encode(changeRequestID, forKey: .changeRequestID)
        try c.encode(errors, forKey: .errors)
        try c.encode(warnings, forKey: .warnings)
    }
}

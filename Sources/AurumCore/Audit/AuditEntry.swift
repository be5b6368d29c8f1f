/// One line of the audit trail: who did what to which subject, when and why, with before and after.
public struct AuditEntry: Sendable, Hashable {
    /// The token name of the person or integration that acted.
    public var actor: String
    /// What happened, as `noun.verb`: `candidate.rejected`, `change_request.approved`, `record.released`.
    public var action: String
    public var entity: String?
    /// What the entry is about, as `kind:id` (`candidate:12`, `change_request:7`, `token:2`).
    public var subject: String
    public var recordID: Int64?
    public var version: Int?
    public var before: JSONValue?
    public var after: JSONValue?
    public var reason: String?
    public var rulesVersion: String?
    public var requestID: String?

    public init(actor: String, action: String, entity: String? = nil, subject: String, recordID: Int64? = nil,
                version: Int? = nil, before: JSONValue? = nil, after: JSONValue? = nil, reason: String? = nil,
                rulesVersion: String? = nil, requestID: String? = nil) {
        self.actor = actor; self.action = action; self.entity = entity; self.subject = subject
        self.recordID = recordID; self.version = version; self.before = before; self.after = after
        self.reason = reason; self.rulesVersion = rulesVersion; self.requestID = requestID
    }
}

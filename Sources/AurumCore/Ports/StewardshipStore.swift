/// Everything the HTTP API needs from storage; implemented on PostgreSQL by AurumStore.
///
/// Each method is one unit of work: it commits whole or not at all, and appends its audit entries
/// in the same transaction.
public protocol StewardshipStore: Sendable {
    /// The caller holding `token`, or `nil` when the token is unknown or revoked.
    func principal(forToken token: String) async throws -> Principal?
    /// Validates and records candidates, each in its own transaction, in order.
    func ingest(_ submissions: [CandidateSubmission], by caller: Principal, requestID: String) async throws -> [IngestResult]
    /// Change requests in the caller's entities, oldest first; all statuses when `status` is nil.
    func changeRequests(status: ChangeRequestStatus?, entities: [String], limit: Int) async throws -> [ChangeRequestView]
    func changeRequest(id: Int64) async throws -> ChangeRequestView?
    /// Approves; the last required approval releases the proposal as the next golden version.
    func approve(changeRequest id: Int64, by caller: Principal, comment: String?, revision: Int?, requestID: String) async throws -> DecisionResult
    func reject(changeRequest id: Int64, by caller: Principal, reason: String, requestID: String) async throws -> DecisionResult
    func record(entity: String, id: Int64) async throws -> RecordView?
    func versions(entity: String, id: Int64) async throws -> [VersionView]?
    /// Whether the database answers.
    func isReady() async -> Bool
}

/// A failure the store reports to the caller as a client error.
public enum StoreError: Error, Sendable, Hashable {
    case notFound(String)
    case forbidden(String)
    case conflict(String)
    case invalid(String)
}

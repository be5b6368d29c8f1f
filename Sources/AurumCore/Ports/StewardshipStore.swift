import Foundation

/// Everything the HTTP API needs from storage; implemented on PostgreSQL by AurumStore.
///
/// Each method is one unit of work: it commits whole or not at all, and appends its audit entries
/// in the same transaction.
public protocol StewardshipStore: Sendable {
    /// The caller holding `token`, or `nil` when the token is unknown or revoked.
    func principal(forToken token: String) async throws -> Principal?
    /// Why `token` is refused: revoked or expired (and when), or unknown.
    func refusal(ofToken token: String) async throws -> TokenRefusal
    /// Signs `principal` in to the status page for `seconds`: the new session's id, for a cookie.
    func startSession(for principal: Principal, lasting seconds: Int) async throws -> String
    /// The holder of a status-page session while it lasts and its token works, else `nil`.
    func principal(forSession session: String) async throws -> Principal?
    /// Ends a status-page session (signing out).
    func endSession(_ session: String) async throws
    /// Validates and records candidates, each in its own transaction, in order.
    func ingest(_ submissions: [CandidateSubmission], by caller: Principal, requestID: String) async throws -> [IngestResult]
    /// The change requests `filter` takes, oldest first, with their gates.
    func changeRequests(_ filter: QueueFilter) async throws -> [ChangeRequestView]
    func changeRequest(id: Int64) async throws -> ChangeRequestView?
    /// Approves; the last required approval releases the proposal as the next golden version.
    /// With `dryRun`, nothing is written: the answer says where the approval would count and
    /// whether it would release (the release validates the proposal again when it happens).
    func approve(changeRequest id: Int64, by caller: Principal, comment: String?, revision: Int?, dryRun: Bool,
                 requestID: String) async throws -> DecisionResult
    func reject(changeRequest id: Int64, by caller: Principal, reason: String, requestID: String) async throws -> DecisionResult
    /// A steward withdraws an open change request; `reason` goes into the audit trail.
    func withdraw(changeRequest id: Int64, by caller: Principal, reason: String?, requestID: String) async throws -> DecisionResult
    /// A steward's comment on a change request, kept in the audit trail and shown with it.
    func comment(changeRequest id: Int64, by caller: Principal, text: String, requestID: String) async throws -> ChangeRequestView
    /// A steward's edit of an open proposal (the attributes in `set`, null clearing one): the next
    /// revision, which its editor may not approve. `revision` is the one the editor saw.
    func edit(changeRequest id: Int64, by caller: Principal, set: Attributes, revision: Int?, comment: String?,
              requestID: String) async throws -> ChangeRequestView
    /// A steward settles a possible duplicate as the same thing: the open create becomes an update
    /// of `recordID`, raising its revision (the linker may not approve it).
    func link(changeRequest id: Int64, to recordID: Int64, by caller: Principal, comment: String?, requestID: String) async throws -> ChangeRequestView
    /// A steward settles the change request's possible duplicates as different things, never asked again.
    func markDistinct(changeRequest id: Int64, by caller: Principal, comment: String?, requestID: String) async throws -> ChangeRequestView
    /// Opens a merge of record `id` into `target` (a change request through approval).
    func merge(entity: String, record id: Int64, into target: Int64, by caller: Principal, reason: String, requestID: String) async throws -> ChangeRequestView
    /// Opens an unmerge of record `id`: restored with its own source keys and values.
    func unmerge(entity: String, record id: Int64, by caller: Principal, reason: String, requestID: String) async throws -> ChangeRequestView
    /// Opens a steward's block, unblock or obsolete of record `id` (a change request through approval).
    func changeState(_ change: RecordStateChange, entity: String, record id: Int64, by caller: Principal, reason: String,
                     requestID: String) async throws -> ChangeRequestView
    /// The golden records a source's key is linked to (following merges), one per entity.
    func crossReference(source: String, sourceKey: String, entities: [String]) async throws -> [CrossReference]
    func record(entity: String, id: Int64) async throws -> RecordView?
    /// The current version of the golden records `query` asks for, in id order after `query.after`.
    func records(matching query: RecordQuery) async throws -> [RecordView]
    func versions(entity: String, id: Int64) async throws -> [VersionView]?
    /// Every version and decision of record `id`, with actors and reasons; nil when it does not exist.
    func history(entity: String, id: Int64) async throws -> HistoryView?
    /// Released versions after feed position `after`, in commit order, in `entities` (none when empty).
    func changes(after: Int64, entities: [String], limit: Int) async throws -> ChangePage
    /// The version of a record current at `instant`; nil when it did not exist then.
    func record(entity: String, id: Int64, asOf instant: Date) async throws -> RecordView?
    /// Deliveries, newest first, filtered by consumer, state and record (each optional), in `entities`.
    func deliveries(consumer: String?, state: DeliveryState?, record: Int64?, entities: [String], limit: Int) async throws -> [DeliveryView]
    /// Queues deliveries again with their event ids: one by id, or a consumer's since an instant.
    func replay(delivery id: Int64?, consumer: String?, since: Date?, entities: [String], by caller: Principal,
                requestID: String) async throws -> [DeliveryView]
    /// Per consumer, the state of a record's latest delivery.
    func deliveryStates(record id: Int64) async throws -> [DeliveryView]
    /// Every consumer the rules declared, enabled or not, with what waits for it.
    func consumers() async throws -> [ConsumerView]
    /// Enables or disables a consumer (admins; audited); its deliveries wait while it is disabled.
    func setConsumer(_ name: String, enabled: Bool, reason: String?, by caller: Principal, requestID: String) async throws -> ConsumerView
    /// What waits per entity of `entities`: the status board.
    func statusBoard(entities: [String]) async throws -> StatusBoard
    /// This process's connections to the database by state (`active`, `idle`, `idle_in_transaction`…).
    func databaseConnections() async throws -> DatabaseConnections
    /// Whether the database answers.
    func isReady() async -> Bool
    /// The store's own words for a failure it let through (a lost connection, a database
    /// shutting down): nil when it is not the store's.
    func storeError(for error: any Error) -> StoreError?
}

extension StewardshipStore {
    public func storeError(for error: any Error) -> StoreError? { error as? StoreError }

    public func approve(changeRequest id: Int64, by caller: Principal, comment: String?, revision: Int?, requestID: String) async throws -> DecisionResult {
        try await approve(changeRequest: id, by: caller, comment: comment, revision: revision, dryRun: false, requestID: requestID)
    }

    /// Change requests in `entities` (empty: none), oldest first; all statuses when `status` is nil.
    public func changeRequests(status: ChangeRequestStatus?, entities: [String], limit: Int) async throws -> [ChangeRequestView] {
        var filter = QueueFilter()
        (filter.status, filter.entities, filter.limit) = (status, entities, limit)
        return try await changeRequests(filter)
    }
}

/// A failure the store reports to the caller: what happened and what to do, in words the HTTP
/// layer maps once to a status (404, 403, 409, 422, 503).
public enum StoreError: Error, Sendable, Hashable {
    case notFound(String)
    case forbidden(String)
    case conflict(String)
    case invalid(String)
    /// The database cannot do the work now (unreachable, or a deadlock or serialization failure
    /// that persisted through the retries); the same request may succeed later.
    case unavailable(String)

    public var message: String {
        switch self {
        case .notFound(let m), .forbidden(let m), .conflict(let m), .invalid(let m), .unavailable(let m): m
        }
    }
}

/// A batch of candidates refused because of the one at `failedIndex`. `stored` holds what was
/// stored before it, if anything (a store that writes a batch in one transaction stores none).
public struct BatchInterrupted: Error, Sendable {
    public var stored: [IngestResult]
    public var failedIndex: Int
    /// Why it stopped: a `StoreError`, or an unexpected failure.
    public var cause: any Error

    public init(stored: [IngestResult], failedIndex: Int, cause: any Error) {
        self.stored = stored
        self.failedIndex = failedIndex
        self.cause = cause
    }
}

/// Why a bearer token is refused, said to its holder (who holds the secret already).
public enum TokenRefusal: Sendable, Hashable {
    case unknown
    case revoked(at: String)
    case expired(at: String)

    public var detail: String {
        switch self {
        case .unknown: "the token is unknown; ask an admin for a valid one"
        case .revoked(let at): "the token was revoked at \(at); ask an admin for a new one"
        case .expired(let at): "the token expired at \(at); ask an admin for a new one (aurum token create --expires)"
        }
    }
}

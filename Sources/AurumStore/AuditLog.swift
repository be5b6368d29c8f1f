import AurumCore
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Appends to the audit trail, a hash chain (`ChainedAuditEntry`).
///
/// Inside `PostgresClient.transaction` entries wait in the transaction's own list and are linked
/// into the chain at its end, just before it commits: the chain's head row is locked only for
/// the moment of writing them, never while the transaction still takes other locks (which could
/// deadlock), and entries are chained in commit order. Outside one, an entry is chained at once.
enum AuditLog {
    /// The entries of the transaction running in this task, written when it ends.
    @TaskLocal static var pending: Pending?
    /// How the store running in this task seals sensitive values (`AuditKey`): every entry's
    /// before and after pass through it as they are written.
    @TaskLocal static var sealing: SensitiveRewrite?

    final class Pending: Sendable {
        private let entries = Mutex<[AuditEntry]>([])

        func add(_ new: some Sequence<AuditEntry>) { entries.withLock { $0.append(contentsOf: new) } }
        func take() -> [AuditEntry] { entries.withLock { taken in defer { taken = [] }; return taken } }
    }

    static func append(_ entry: AuditEntry, on connection: PostgresConnection, logger: Logger) async throws {
        try await append(contentsOf: [entry], on: connection, logger: logger)
    }

    static func append(contentsOf entries: [AuditEntry], on connection: PostgresConnection, logger: Logger) async throws {
        if let pending { pending.add(entries) } else { try await write(entries, on: connection, logger: logger) }
    }

    /// Writes the transaction's entries so far now, for a transaction that reads them back before
    /// it ends (the chain's head stays locked until it does: call it last).
    static func flush(on connection: PostgresConnection, logger: Logger) async throws {
        if let pending { try await write(pending.take(), on: connection, logger: logger) }
    }

    /// Links `entries` after the chain's head, under its row lock (held until the transaction
    /// ends), writes them with one COPY and moves the head on.
    static func write(_ entries: [AuditEntry], on connection: PostgresConnection, logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        let head = try await connection.query("""
            SELECT seq, hash, \(unescaped: SQLTime.isoMicro("now()")) FROM audit_chain_head FOR UPDATE
            """, logger: logger).decode((Int64, String, String).self).first { _ in true }
        guard let (seq, hash, at) = head else {
            throw StoreError.unavailable("the audit chain's head row is missing; run aurum migrate")
        }
        let sealed = entries.map { written in
            var entry = written
            if let sealing, !sealing.isEmpty {
                entry.before = entry.before.map { sealing.apply($0, entity: entry.entity) }
                entry.after = entry.after.map { sealing.apply($0, entity: entry.entity) }
            }
            return (entry: entry, at: at)
        }
        let chained = AuditChain.link(sealed, after: AuditAnchor(seq: seq, hash: hash))
        var rows = CopyRows()
        for link in chained {
            let entry = link.entry
            rows.add([String(link.seq), at, entry.actor, entry.action, entry.entity, entry.subject, entry.recordID.map(String.init),
                      entry.version.map(String.init), entry.before.map(SQLJSON.text), entry.after.map(SQLJSON.text), entry.reason,
                      entry.rulesVersion, entry.requestID, link.prevHash, link.rowHash])
        }
        try await rows.copy(into: "audit_entry", ["seq", "at", "actor", "action", "entity", "subject", "record_id", "version", "before", "after",
                                                  "reason", "rules_version", "request_id", "prev_hash", "row_hash"], on: connection, logger: logger)
        try await connection.query("""
            UPDATE audit_chain_head SET seq = \(seq + Int64(entries.count)), hash = \(chained.last?.rowHash ?? hash)
            """, logger: logger)
    }
}

extension PostgresClient {
    /// A transaction (see `transaction(logger:)`) whose audit entries have their sensitive values
    /// sealed by `sealing`: every writer of attribute values runs its work through this.
    func transaction<Result: Sendable>(sealing: SensitiveRewrite, logger: Logger, file: String = #fileID, line: Int = #line,
                                       _ body: (PostgresConnection) async throws -> sending Result) async throws -> Result {
        try await AuditLog.$sealing.withValue(sealing) {
            try await transaction(logger: logger, file: file, line: line) { connection in try await body(connection) }
        }
    }

    /// Runs `body` in one transaction, with what every unit of work carries: its audit entries are
    /// chained as it ends (see `AuditLog`), and the `Idempotency-Key` of the request it serves is
    /// claimed at its start and answered in it (see `IdempotentCall`).
    func transactionOnce<Result: Sendable>(
        logger: Logger, file: String, line: Int, isolation: isolated (any Actor)?,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let call = IdempotentCall.current.flatMap { $0.isRecorded ? nil : $0 }
        let (result, answered) = try await withTransaction(logger: logger, file: file, line: line, isolation: isolation) { connection in
            if let call { try await IdempotencyKeys.claim(call, on: connection, logger: logger) }
            // The trace of the request in hand goes with what the transaction releases (the change feed keeps it).
            if let trace = TraceContext.current {
                try await connection.query("SELECT set_config('aurum.trace_id', \(trace.traceID), true)", logger: logger)
            }
            let pending = AuditLog.Pending()
            let result = try await AuditLog.$pending.withValue(pending) { try await body(connection) }
            try await AuditLog.write(pending.take(), on: connection, logger: logger)
            let response = call?.response(for: result)
            if let call, let response { try await IdempotencyKeys.record(call, response, on: connection, logger: logger) }
            return (result, response != nil)
        }
        if answered { call?.markRecorded() }
        return result
    }
}

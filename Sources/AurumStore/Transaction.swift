import AurumCore
import Logging
import NIOCore
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction (see `transactionOnce` for what each one carries). When PostgreSQL aborts it for a deadlock (40P01) or a
    /// serialization failure (40001) the whole unit of work is run again, up to `attempts` times,
    /// after a short random pause. When it throws, the transaction rolls back and the caller gets a
    /// `StoreError` that says what happened: the body's own, or PostgreSQL's failure translated.
    func transaction<Result: Sendable>(
        logger: Logger, attempts: Int = 5, file: String = #fileID, line: Int = #line,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(logger: logger, file: file, line: line, isolation: isolation, body)
            } catch {
                let failure = DatabaseFailure(error)
                guard failure.isRetryable, attempt < attempts else { throw failure.storeError }
                logger.notice("transaction aborted by a concurrent one; running it again",
                              metadata: ["aurum.sql_state": "\(failure.sqlState ?? "")", "aurum.attempt": "\(attempt)"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...(20 * attempt))))
            }
        }
    }
}

/// A failure inside a transaction, unwrapped from PostgresNIO's wrapper and read by SQLSTATE.
struct DatabaseFailure {
    let underlying: any Error

    init(_ error: any Error) {
        if let wrapped = error as? PostgresTransactionError {
            underlying = wrapped.closureError ?? wrapped.beginError ?? wrapped.commitError ?? wrapped
        } else {
            underlying = error
        }
    }

    var psql: PSQLError? { underlying as? PSQLError }
    var sqlState: String? { psql?.serverInfo?[.sqlState] }

    /// A connection lost or refused below PostgreSQL's own protocol (NIO's channel and socket errors).
    var isConnectionLost: Bool {
        underlying is ChannelError || underlying is IOError || (underlying as? PSQLError).map { $0.code != .server } == true
    }

    /// Deadlocks and serialization failures: the transaction did nothing and may simply run again.
    var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

    /// What the caller is told.
    var storeError: any Error {
        if let store = underlying as? StoreError { return store }
        guard let psql else { return underlying }
        switch sqlState {
        case "40P01", "40001":
            return StoreError.unavailable("the database kept aborting this work because of concurrent changes to the same records; try again")
        case "23505":
            return StoreError.conflict(Self.uniqueViolation(constraint: psql.serverInfo?[.constraintName], detail: psql.serverInfo?[.detail]))
        case "57014", "57P01", "57P02", "57P03", "53300", "08000", "08003", "08006", "08001", "08004":
            return StoreError.unavailable("the database is not accepting work right now (\(sqlState ?? "")); try again shortly")
        default:
            if psql.code != .server { return StoreError.unavailable("the database cannot be reached; try again shortly") }
            return underlying
        }
    }

    /// A unique constraint another transaction won: which one, in the caller's words.
    static func uniqueViolation(constraint: String?, detail: String?) -> String {
        let what = switch constraint {
        case "change_request_open_record", "change_request_open_create":
            "another open change request for the same record was opened at the same moment"
        case "record_source_pkey":
            "the source key was linked to a golden record at the same moment"
        case "unique_value_pkey":
            "a unique value was taken by another golden record at the same moment"
        default:
            "a concurrent change took a unique value first"
        }
        // PostgreSQL's detail quotes the key, and a unique value may be a sensitive one: kept out.
        let shown = constraint == "unique_value_pkey" ? nil : detail
        return what + (shown.map { " (\($0))" } ?? "") + "; nothing was written, send the request again"
    }
}

/// PostgreSQL's own words for a failure (PostgresNIO's description of it hides them), for the
/// operator who ran a command.
public enum DatabaseErrorText {
    /// Whether `error` says the database cannot be reached now (a lost or refused connection, a
    /// server shutting down or starting): the CLI's "unavailable" exit code.
    public static func isUnreachable(_ error: any Error) -> Bool {
        let failure = DatabaseFailure(error)
        return failure.isConnectionLost || failure.sqlState.map { $0.hasPrefix("57P") || $0.hasPrefix("08") } == true
    }

    /// `the database refused the work: <message> (SQLSTATE …)`; nil when `error` is not the database's.
    public static func describe(_ error: any Error) -> String? {
        let failure = DatabaseFailure(error)
        guard let psql = failure.psql else { return nil }
        guard psql.code == .server, let message = psql.serverInfo?[.message] else {
            return "the database cannot be reached (\(psql.code)); check that it runs, and try again"
        }
        let detail = [psql.serverInfo?[.detail], psql.serverInfo?[.hint]].compactMap { $0 }.joined(separator: "; ")
        return "the database refused the work: \(message)" + (detail.isEmpty ? "" : " (\(detail))") + " [SQLSTATE \(failure.sqlState ?? "?")]"
    }
}

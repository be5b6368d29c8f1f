import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction; when it throws, the transaction rolls back and its own error
    /// (a `StoreError`, say) reaches the caller rather than PostgresNIO's wrapper around it.
    func transaction<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let rollback = error.rollbackError { logger.warning("rollback failed", metadata: ["error": "\(rollback)"]) }
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}

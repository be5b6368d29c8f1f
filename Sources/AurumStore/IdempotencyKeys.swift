import AurumCore
import Logging
import PostgresNIO

/// The store's side of `IdempotentCall`: the key claimed at the start of the transaction that
/// does the work, the answer written at its end.
enum IdempotencyKeys {
    /// Takes the key for this transaction, or says why not: another request with it is being
    /// worked (409), it was used for another request (422), or it was answered already (the
    /// answer, as `IdempotentReplay`).
    static func claim(_ call: IdempotentCall, on connection: PostgresConnection, logger: Logger) async throws {
        let locked = try await connection.query("""
            SELECT pg_try_advisory_xact_lock(hashtextextended('idempotency:' || \(call.scope) || ':' || \(call.key), 0))
            """, logger: logger).decode(Bool.self).first { _ in true } ?? false
        guard locked else {
            throw StoreError.conflict("a request with Idempotency-Key \(call.key) is being worked on now; send it again once that one is answered")
        }
        // What has expired is forgotten: the key is free again.
        try await connection.query("""
            DELETE FROM idempotency_key WHERE token_id = \(call.scope) AND expires_at <= now()
            """, logger: logger)
        let kept = try await connection.query("""
            SELECT fingerprint, status, content_type, body FROM idempotency_key WHERE token_id = \(call.scope) AND key = \(call.key)
            """, logger: logger).decode((String, Int, String, String).self).first { _ in true }
        guard let (fingerprint, status, contentType, body) = kept else { return }
        guard fingerprint == call.fingerprint else {
            throw StoreError.invalid("Idempotency-Key \(call.key) was used before for another request (another path or body); "
                                     + "use a new key for a new request")
        }
        throw IdempotentReplay(response: StoredResponse(status: status, contentType: contentType, body: Array(body.utf8)))
    }

    /// Keeps the answer, in the transaction that did the work.
    static func record(_ call: IdempotentCall, _ response: StoredResponse, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO idempotency_key (token_id, key, fingerprint, status, content_type, body, expires_at)
            VALUES (\(call.scope), \(call.key), \(call.fingerprint), \(response.status), \(response.contentType), \(String(decoding: response.body, as: UTF8.self)),
                    now() + make_interval(secs => \(Double(call.keptSeconds))))
            """, logger: logger)
    }
}

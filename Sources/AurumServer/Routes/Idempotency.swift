import AurumCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import NIOCore

/// What a request's `Idempotency-Key` header asks for: the key and the request it names.
struct IdempotencyRequest: Sendable {
    var key: String
    /// SHA-256 of the method, the path with its query, and the body.
    var fingerprint: String
    var keptSeconds: Int
}

/// Reads `Idempotency-Key` on POST requests (the IETF draft's header: a structured-field string,
/// quoted or not, of 1 to 255 visible ASCII characters) and the body it covers; the route's one
/// piece of work then runs as an `IdempotentCall` (see `AurumRequestContext.answer`).
struct IdempotencyMiddleware: RouterMiddleware {
    let limits: ServerLimits

    static let header = HTTPField.Name("Idempotency-Key")!

    func handle(_ request: Request, context: AurumRequestContext,
                next: (Request, AurumRequestContext) async throws -> Response) async throws -> Response {
        guard request.method == .post, let field = request.headers[Self.header] else { return try await next(request, context) }
        let key = Self.key(field)
        guard let key else {
            throw Problem.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is usual), optionally in double quotes")
        }
        var request = request
        let body = try await JSONBody.bytes(of: request, limit: limits.maxBodyBytes)
        request.body = RequestBody(buffer: body)
        var context = context
        let covered = Array("\(request.method.rawValue) \(request.uri.description)\n".utf8) + Array(buffer: body)
        context.idempotency = IdempotencyRequest(key: key, fingerprint: SHA256Hex.of(covered), keptSeconds: limits.idempotencyKeptSeconds)
        return try await next(request, context)
    }

    /// The key in `field`, quotes taken off; nil when it is not one.
    static func key(_ field: String) -> String? {
        var text = Substring(field.trimmingCharacters(in: .whitespaces))
        if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
        guard (1...255).contains(text.utf8.count), text.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\"") }) else {
            return nil
        }
        return String(text)
    }
}

extension AurumRequestContext {
    /// Runs `work` (the route's one call that changes the store) and answers with `render` of its
    /// result. With an `Idempotency-Key`, the answer is kept with the work in its transaction, and
    /// a key used before answers what it answered then (`Idempotent-Replayed: true`).
    func answer<Result: Sendable>(_ render: @escaping @Sendable (Result) -> StoredResponse,
                                  _ work: () async throws -> Result) async throws -> Response {
        guard let idempotency else { return Self.response(render(try await committed(work))) }
        let call = IdempotentCall(scope: try caller().tokenID, key: idempotency.key, fingerprint: idempotency.fingerprint,
                                  keptSeconds: idempotency.keptSeconds, render: render)
        do {
            return Self.response(render(try await IdempotentCall.$current.withValue(call) { try await committed(work) }))
        } catch let replay as IdempotentReplay {
            var response = Self.response(replay.response)
            response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return response
        }
    }

    /// The same, answering with the result as JSON.
    func answer<Result: Sendable & Encodable>(_ work: () async throws -> Result) async throws -> Response {
        try await answer({ JSONBody.stored($0) }, work)
    }

    /// `work`'s result, once committed; with `AURUM_FAULT_KILL_AFTER_COMMIT=N` the process kills
    /// itself (SIGKILL) right there after its Nth such commit, before answering: the crash a
    /// client's retry must survive.
    private func committed<Result>(_ work: () async throws -> Result) async throws -> Result {
        let result = try await work()
        if let after = Faults.killAfterCommit, Faults.commits.add(1, ordering: .relaxed).newValue >= after { kill(getpid(), SIGKILL) }
        return result
    }

    static func response(_ stored: StoredResponse) -> Response {
        Response(status: .init(code: stored.status), headers: [.contentType: stored.contentType],
                 body: .init(byteBuffer: ByteBuffer(bytes: ResponseMasking.apply(stored.body))))
    }
}

/// Faults a test of whole processes injects through the environment; none is set in production.
enum Faults {
    static let killAfterCommit = ProcessInfo.processInfo.environment["AURUM_FAULT_KILL_AFTER_COMMIT"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
    static let commits = Atomic<Int>(0)
}

extension JSONBody {
    /// A JSON answer as kept for replay.
    static func stored(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> StoredResponse {
        StoredResponse(status: status.code, body: Array(CanonicalJSON.data(value)))
    }
}

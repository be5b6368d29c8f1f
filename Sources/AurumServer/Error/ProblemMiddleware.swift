import AurumCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into an RFC 9457 `application/problem+json` response, once, for all routes
/// (unknown routes included), and stamps each response with its request id.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AurumRequestContext
    /// Names the store's own failures (a lost connection) so that they are answered 503, not 500.
    let store: any StewardshipStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = problem(for: error, context: context)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            response = Self.response(problem, request: request, context: context)
        }
        response.headers[.requestID] = context.requestID
        return response
    }

    func problem(for error: any Error, context: Context) -> Problem {
        switch store.storeError(for: error) ?? error {
        case let problem as Problem:
            return problem
        case let error as StoreError:
            return Self.problem(for: error)
        case let batch as BatchInterrupted:
            var problem = problem(for: batch.cause, context: context)
            let stored = batch.stored.isEmpty ? "no candidate of the batch was stored"
                : "candidates[0] to candidates[\(batch.failedIndex - 1)] were stored (see stored)"
            problem.detail = "candidates[\(batch.failedIndex)]: \(problem.detail). \(stored); "
                + (batch.stored.isEmpty ? "send the batch again once that is fixed"
                   : "candidates[\(batch.failedIndex)] and those after it were not: send them again")
            problem.members["stored"] = JSONValue(encoding: batch.stored)
            problem.members["failed_index"] = .number(Double(batch.failedIndex))
            return problem
        case let error as HTTPError:
            let detail = error.body ?? (error.status == .notFound ? "no such endpoint; see /openapi.yaml for the API" : error.status.reasonPhrase)
            return Problem(error.status, error.status == .notFound ? "not-found" : "http-error", title: error.status.reasonPhrase, detail: detail)
        default:
            return Problem(.internalServerError, "internal-error", title: "Internal error",
                           detail: "Aurum could not complete the request; quote request id \(context.requestID) to the operator")
        }
    }

    static func problem(for error: StoreError) -> Problem {
        switch error {
        case .notFound(let detail): return .notFound(detail)
        case .forbidden(let detail): return .forbidden(detail)
        case .conflict(let detail): return .conflict(detail)
        case .invalid(let detail): return .unprocessable(detail)
        case .unavailable(let detail): return .unavailable(detail)
        }
    }

    static func response(_ problem: Problem, request: Request, context: Context) -> Response {
        var body: [String: JSONValue] = [
            "type": .string("/problems/\(problem.slug)"),
            "title": .string(problem.title),
            "status": .number(Double(problem.status.code)),
            "detail": .string(problem.detail),
            "instance": .string(request.uri.path),
            "request_id": .string(context.requestID),
        ]
        body.merge(problem.members) { own, _ in own }
        if !problem.errors.isEmpty {
            body["errors"] = .array(problem.errors.map { ["path": .string($0.path), "message": .string($0.message)] })
        }
        var headers = problem.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: problem.status, headers: headers, body: .init(byteBuffer: JSONBody.encode(JSONValue.object(body))))
    }
}

extension HTTPField.Name {
    /// The request id Aurum returns with every response and records in the audit trail.
    static let requestID = Self("X-Request-Id")!
}

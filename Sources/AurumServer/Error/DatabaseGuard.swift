import AurumCore
import Hummingbird

/// Keeps a database that is away from hanging requests: while `availability` says it is away,
/// every route answers 503 with `Retry-After` at once; otherwise a request that has not been
/// answered within its time limit (a connection the pool cannot make, a query that does not
/// return) is cancelled and answered 503 the same way. Long polls get their wait on top.
struct DatabaseGuard: RouterMiddleware {
    typealias Context = AurumRequestContext
    let availability: DatabaseAvailability
    let limits: ServerLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let reason = availability.awayReason { throw Problem.unavailable("\(reason); try again in a few seconds") }
        let limit = limits.requestTimeLimit + (request.uri.path.hasSuffix("/changes") ? .seconds(60) : .zero)
        // The handler runs in a child task so that the time limit can cancel it; the group
        // ends before this function returns, so `next` never outlives the call it was given to.
        return try await withoutActuallyEscaping(next) { next in
            let handler = UncheckedHandler(run: next)
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler.run(request, context) }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let response = try await group.next()! else {
                    throw Problem.unavailable("the database did not answer within \(limit.components.seconds) s; try again in a few seconds")
                }
                return response
            }
        }
    }

    /// The next handler, carried into the child task that runs it.
    private struct UncheckedHandler: @unchecked Sendable {
        let run: (Request, Context) async throws -> Response
    }
}

extension Problem {
    /// 503 with `Retry-After`: the same request may succeed shortly.
    static func unavailable(_ detail: String) -> Problem {
        var problem = Problem(.serviceUnavailable, "unavailable", title: "Try again shortly", detail: detail)
        problem.headers[.retryAfter] = "2"
        return problem
    }
}

import AurumCore
import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a principal; an unknown, revoked or expired token gets 401 saying which.
struct TokenAuthenticator: RouterMiddleware {
    typealias Context = AurumRequestContext
    let store: any StewardshipStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthorized
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count < 512, let principal = try await store.principal(forToken: token) else {
            var problem = Problem.unauthorized
            problem.detail = !token.isEmpty && token.count < 512 ? try await store.refusal(ofToken: token).detail : TokenRefusal.unknown.detail
            throw problem
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "aurum.actor"] = .string(principal.name)
        RequestActor.current?.name.withLock { $0 = principal.name }
        return try await next(request, context)
    }
}


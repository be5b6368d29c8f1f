import AurumCore
import Foundation
import Hummingbird
import Logging

/// Per-request state: the request id and, once authenticated, the caller.
public struct AurumRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; set by `TokenAuthenticator` for every `/v1` route.
    public var principal: Principal?
    /// The request's `Idempotency-Key`, when it has one (see `IdempotencyMiddleware`).
    var idempotency: IdempotencyRequest?

    /// The id of this request, returned as `X-Request-Id` and written to the audit trail: the one
    /// Hummingbird put in the logger's metadata, or a new one when the logger keeps no metadata.
    public let requestID: String

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.requestID = source.logger[metadataKey: "hb.request.id"]?.description ?? UUID().uuidString.lowercased()
    }

    /// The caller; routes under `/v1` always have one.
    func caller() throws -> Principal {
        guard let principal else { throw Problem.unauthorized }
        return principal
    }

    /// The caller, when it may do `permission`; otherwise a 403 that names what is missing.
    func caller(may permission: Permission) throws -> Principal {
        let principal = try caller()
        guard principal.may(permission) else {
            throw Problem.forbidden("\(principal.name) (\(principal.role.rawValue)\(principal.entities.isEmpty ? "" : " of " + principal.entities.joined(separator: ", "))) may not \(Self.describe(permission))")
        }
        return principal
    }

    static func describe(_ permission: Permission) -> String {
        switch permission {
        case .submit(let entity, let source): "submit \(entity) candidates as source \(source)"
        case .review(let entity): "review \(entity) change requests"
        case .decide(let entity): "decide \(entity) change requests"
        case .read(let entity): "read \(entity) records"
        }
    }
}

extension Problem {
    static var unauthorized: Problem {
        var problem = Problem(.unauthorized, "unauthorized", title: "Authentication required",
                              detail: "send Authorization: Bearer <token>; an admin creates tokens with `aurum token create`")
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"aurum\""
        return problem
    }
}

import AurumCore
import Hummingbird

/// The consumers of released versions, for operators: which exist, whether they are enabled,
/// what waits for them; an admin enables and disables them.
struct ConsumerRoutes {
    let store: any StewardshipStore

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.get("consumers", use: list)
        group.post("consumers/:name/enable") { request, context in try await set(true, request, context: context) }
        group.post("consumers/:name/disable") { request, context in try await set(false, request, context: context) }
    }

    @Sendable func list(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let caller = try context.caller()
        guard caller.role == .steward || caller.role == .admin else {
            throw Problem.forbidden("\(caller.name) (\(caller.role.rawValue)) may not see the consumers; a steward or admin may")
        }
        struct Answer: Encodable { var consumers: [ConsumerView] }
        return JSONBody.response(Answer(consumers: try await store.consumers()))
    }

    /// `{"reason": "..."}` (optional when enabling): kept in the audit trail.
    func set(_ enabled: Bool, _ request: Request, context: AurumRequestContext) async throws -> Response {
        let name = try context.pathText("name")
        let body = try await JSONBody.object(of: request, allowed: ["reason"])
        let reason = try ChangeRequestRoutes.optionalText(body["reason"], "reason")
        if !enabled, reason?.allSatisfy(\.isWhitespace) ?? true {
            throw Problem.unprocessable("disabling a consumer needs {\"reason\": \"...\"}, kept in the audit trail")
        }
        let caller = try context.caller()
        return try await context.answer { try await store.setConsumer(name, enabled: enabled, reason: reason, by: caller, requestID: context.requestID) }
    }
}

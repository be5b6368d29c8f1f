import AurumCore
import Hummingbird

/// Masks the sensitive attributes the caller is not entitled to (`sensitive:` in the rules) in
/// every JSON answer of its request: records, versions, history, change requests, the feed, match
/// explanations, problems. One place, so that a new route cannot forget it.
struct MaskingMiddleware: RouterMiddleware {
    typealias Context = AurumRequestContext
    let rules: RuleSet
    let names: SensitiveNames

    init(rules: RuleSet) {
        self.rules = rules
        self.names = SensitiveNames(rules: rules)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !names.isEmpty, let caller = context.principal else { return try await next(request, context) }
        let masking = Masking(rules: rules, names: names, viewer: caller.entitlement)
        guard !masking.isEmpty else { return try await next(request, context) }
        return try await ResponseMasking.$current.withValue(masking) { try await next(request, context) }
    }
}

/// The masking of the request being answered, applied where answers are written (`JSONBody`).
enum ResponseMasking {
    @TaskLocal static var current: Masking?

    /// `bytes` (a JSON document) as the caller may see it: parsed and rewritten only when it
    /// mentions a name the caller may not see.
    static func apply(_ bytes: [UInt8]) -> [UInt8] {
        guard let masking = current, masking.mentions(in: bytes), let value = try? JSONParser.parse(bytes) else { return bytes }
        return Array(CanonicalJSON.direct(masking.apply(value)).utf8)
    }
}

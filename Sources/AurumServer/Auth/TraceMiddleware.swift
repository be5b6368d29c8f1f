import AurumCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Who the request in hand authenticated as, filled in by the token check and read by the
/// line that logs the answer (the token's name, never the token).
final class RequestActor: Sendable {
    @TaskLocal static var current: RequestActor?
    let name = Mutex<String?>(nil)
}

/// W3C Trace Context on every request: the caller's `traceparent` continued (a span of Aurum's
/// own under it), or a new trace started; its trace id on every log line of the request, in the
/// transactions it runs (a release keeps it in the change feed, and its deliveries carry it on),
/// and in the answer's `traceparent` header. One line per request answered, at info level, naming
/// the caller (the token's name) and the entity and record or change request the route names.
struct TraceMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("traceparent")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let trace = request.headers[Self.header].flatMap { TraceContext(traceparent: $0) }?.child() ?? TraceContext.start()
        var context = context
        context.logger[metadataKey: "trace_id"] = .string(trace.traceID)
        let started = ContinuousClock.now
        let actor = RequestActor()
        var response: Response
        do {
            response = try await RequestActor.$current.withValue(actor) {
                try await TraceContext.$current.withValue(trace) { try await next(request, context) }
            }
        } catch let error as HTTPResponseError {
            log(request, context, status: error.status.code, started, actor: actor)
            throw error
        }
        response.headers[Self.header] = trace.traceparent
        log(request, context, status: response.status.code, started, actor: actor)
        return response
    }

    func log(_ request: Request, _ context: Context, status: Int, _ started: ContinuousClock.Instant, actor: RequestActor) {
        let took = (ContinuousClock.now - started).components
        var metadata: Logger.Metadata = [
            "http.method": .string(request.method.rawValue), "http.route": .string(context.endpointPath ?? "unmatched"),
            "http.status": .stringConvertible(status), "aurum.ms": .stringConvertible(took.seconds * 1000 + took.attoseconds / 1_000_000_000_000_000),
        ]
        if let name = actor.name.withLock({ $0 }) { metadata["aurum.actor"] = .string(name) }
        // The entity and record (or change request) the route names, where it names them.
        let route = context.endpointPath ?? ""
        if let entity = context.parameters.get("entity") { metadata["aurum.entity"] = .string(String(entity.prefix(64))) }
        if let id = context.parameters.get("id", as: Int64.self) {
            metadata[route.hasPrefix("/v1/change-requests/") ? "aurum.change_request" : route.hasPrefix("/v1/records/") ? "aurum.record" : "aurum.id"] =
                .stringConvertible(id)
        }
        context.logger.info("request answered", metadata: metadata)
    }
}

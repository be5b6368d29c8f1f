import AurumPublish
import Foundation
import Hummingbird

/// `/__double__/...`: what a test or the demo in another process uses to steer the double —
/// inject faults, read a model's records, edit a field by hand. Not part of Odoo's API.
struct ControlRoutes {
    let server: OdooDoubleServer

    struct FaultRequest: Decodable {
        var kind: String
        var times: Int?
        var path: String?
        var retryAfter: Int?
        var milliseconds: Int?
    }

    func add(to router: Router<BasicRequestContext>) {
        router.post("/__double__/faults") { request, context in
            let fault = try await request.decode(as: FaultRequest.self, context: context)
            let kind: FaultInjector.Kind
            switch fault.kind {
            case "internal_error": kind = .internalError
            case "rate_limited": kind = .rateLimited(retryAfter: fault.retryAfter ?? 1)
            case "unavailable": kind = .unavailable
            case "delay": kind = .delay(milliseconds: fault.milliseconds ?? 1000)
            case "connection_reset": kind = .connectionReset
            case "serialization_failure": kind = .serializationFailure
            default: throw HTTPError(.badRequest, message: "unknown fault kind \(fault.kind); use internal_error, rate_limited, unavailable, delay, connection_reset or serialization_failure")
            }
            server.faults.inject(kind, times: fault.times ?? 1, pathPrefix: fault.path ?? "/")
            return Response(status: .noContent)
        }
        router.get("/__double__/records/:model") { _, context in
            let model = context.parameters.get("model") ?? ""
            let records = OdooValue.array(server.database.records(model).map(OdooValue.struct))
            return OdooDoubleServer.response(.ok, "application/json", records.jsonData)
        }
        router.post("/__double__/edit/:model/:id") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let id = context.parameters.get("id", as: Int.self), let values = try OdooValue.json(Data(buffer: body)).members else {
                throw HTTPError(.badRequest, message: "send a JSON object of field values")
            }
            for (field, value) in values { server.database.edit(context.parameters.get("model") ?? "", id: id, field, value) }
            return Response(status: .noContent)
        }
    }
}

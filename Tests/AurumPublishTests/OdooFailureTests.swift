@testable import AurumPublish
import AurumTestSupport
import Foundation
import Testing

@Suite struct OdooFailureTests {
    /// What each recorded error step must classify as, whatever the protocol and version.
    static let expected: [String: OdooFailure.Kind] = [
        "common.authenticate.unknown_db": .configuration,
        "object.execute_kw.wrong_password": .authentication,
        "error.uid_mismatch": .authentication,
        "auth.context_get.with_password_as_bearer": .authentication,
        "auth.bad_key": .authentication,
        "auth.missing_bearer": .authentication,
        "auth.unknown_db_header": .configuration,
        "auth.no_db_header_multi_db": .configuration,
        "http.wrong_content_type": .badRequest,
        "http.body_not_json": .badRequest,
        "http.GET_method": .configuration,
        "http.json2_root_POST": .configuration,
        "product.create.duplicate_barcode": .validation,
        "product.create.without_name": .validation,
        "product.create.bad_selection_value": .badRequest,
        "product.create.with_ids_on_model_method": .badRequest,
        "product.create.misspelt_param": .badRequest,
        "product.action_archive.returns": .badRequest,
        "product.action_unarchive.returns": .badRequest,
        "product.name_get": .unknownMethod,
        "xmlid.create.duplicate": .validation,
        "partner_bank.create.duplicate_same_partner": .validation,
        "partner_bank.create.duplicate_spaced": .validation,
        "warehouse.create.code_collides_after_truncation": .validation,
        "warehouse.create.duplicate_code": .validation,
        "warehouse.create.duplicate_name": .validation,
        "error.unknown_model": .unknownModel,
        "error.unknown_method": .unknownMethod,
        "error.private_method": .accessError,
        "error.write_missing_id": .missingRecord,
        "error.unknown_field_in_create": .unknownField,
        "error.bad_domain_field": .unknownField,
        "error.unknown_kwarg": .badRequest,
        "error.access.create_product_as_internal_user": .accessError,
        "error.access.read_product_as_internal_user": .accessError,
        "error.access.create_xmlid_as_internal_user": .accessError,
        "error.access.write_warehouse_as_internal_user": .accessError,
    ]

    /// Every error any recorded Odoo answered, over XML-RPC, JSON-RPC or JSON-2, gets its kind;
    /// none of them is transient.
    @Test(arguments: ["xmlrpc", "jsonrpc", "json2"])
    func everyRecordedErrorIsClassified(_ protocolName: String) throws {
        var seen = 0
        for exchange in WireExchange.all(protocolName) {
            guard let failure = try Self.failure(exchange) else { continue }
            seen += 1
            let expected = try #require(Self.expected[exchange.step], "no expectation for \(exchange.testDescription): \(failure)")
            #expect(failure.kind == expected, "\(exchange.testDescription): \(failure)")
            #expect(!failure.isTransient)
        }
        #expect(seen >= 20)
    }

    @Test func busyServersAndLockingAreTransient() {
        let busy = OdooFailure.error(name: nil, message: nil, status: 429, retryAfter: 3)
        #expect(busy.kind == .rateLimited && busy.isTransient && busy.retryAfter == 3)
        #expect(busy.description == "Odoo rate_limited: HTTP 429 Too Many Requests", "a rate limit is named a rate limit")
        #expect(OdooFailure.error(name: nil, message: nil, status: 502).kind == .unavailable)
        #expect(OdooFailure.error(name: nil, message: nil, status: 503).isTransient)
        #expect(OdooFailure.error(name: nil, message: nil, status: 409).kind == .concurrency)
        let serialization = OdooFailure.fault(.init(code: 1, string: "Traceback ...\npsycopg2.errors.SerializationFailure: could not serialize access"))
        #expect(serialization.kind == .concurrency && serialization.isTransient)
        #expect(OdooFailure.error(name: "odoo.exceptions.ConcurrencyError", message: "x").isTransient)
    }

    /// The failure an exchange's response carries, or nil when it succeeded.
    static func failure(_ exchange: WireExchange) throws -> OdooFailure? {
        let body = Data(exchange.response.body.utf8)
        switch exchange.protocolName {
        case "xmlrpc":
            if case .failure(let fault) = try XMLRPC.parseResponse(body) { return OdooFailure.fault(fault) }
            return nil
        case "jsonrpc":
            guard exchange.response.status == 200, let value = try? OdooValue.json(body) else {
                return OdooFailure.error(name: nil, message: nil, status: exchange.response.status)
            }
            let error = value["error"]
            guard error != .none else { return nil }
            return OdooFailure.error(name: error["data"]["name"].string, message: error["data"]["message"].string)
        default:
            guard exchange.response.status != 200 else { return nil }
            let value = try? OdooValue.json(body)
            return OdooFailure.error(name: value?["name"].string, message: value?["message"].string, status: exchange.response.status)
        }
    }
}

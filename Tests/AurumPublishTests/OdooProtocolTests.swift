@testable import AurumPublish
import AurumTestSupport
import Foundation
import Testing

@Suite struct OdooProtocolTests {
    /// Every recorded answer decodes: a value where Odoo answered one, a failure of the expected
    /// kind where it failed.
    @Test(arguments: ["xmlrpc", "jsonrpc", "json2"])
    func decodesEveryRecordedAnswer(_ protocolName: String) throws {
        let wire = try #require(OdooProtocol(rawValue: protocolName))
        for exchange in WireExchange.all(protocolName) {
            let result = wire.decode(status: exchange.response.status, body: Data(exchange.response.body.utf8))
            let recordedFailure = try OdooFailureTests.failure(exchange)
            switch (result, recordedFailure) {
            case (.success, nil): break
            case (.failure(let failure), let recorded?): #expect(failure.kind == recorded.kind, "\(exchange.testDescription)")
            default: Issue.record("\(exchange.testDescription): decoded \(result), recorded \(String(describing: recordedFailure))")
            }
        }
    }

    @Test func json2WritesTheRecordedRequest() throws {
        let recorded = try #require(try WireExchange.load("19", "json2").first { $0.step == "product.write" })
        let call = OdooCall("product.template", "write", ids: [1],
                            ["vals": ["name": "Bolt M8 x 40 zinc", "list_price": 0.35, "description_purchase": "Zinc plated"]])
        let request = OdooProtocol.json2.request(call, session: OdooSession(database: "aurum19_json2", secret: "<secret>"))
        #expect(request.path == recorded.request.path)
        #expect(request.headers["Authorization"] == recorded.request.headers["Authorization"])
        #expect(request.headers["X-Odoo-Database"] == recorded.request.headers["X-Odoo-Database"])
        #expect(try OdooValue.json(request.body) == OdooValue.json(Data(try #require(recorded.request.body).utf8)))
    }

    @Test func rpcProtocolsCallExecuteKWWithNamedArguments() throws {
        let recorded = try #require(try WireExchange.load("18", "jsonrpc").first { $0.step == "product.write" })
        let session = OdooSession(database: "aurum18_jsonrpc", uid: 2, secret: "<secret>")
        let call = OdooCall("product.template", "write", ids: [1], ["vals": ["name": "x"]], context: ["lang": "de_DE"])
        let json = try OdooValue.json(OdooProtocol.jsonrpc.request(call, session: session, id: 27).body)
        let expected = try OdooValue.json(Data(try #require(recorded.request.body).utf8))
        #expect(json["jsonrpc"] == expected["jsonrpc"] && json["method"] == expected["method"] && json["id"] == expected["id"])
        #expect(json["params"]["service"] == "object" && json["params"]["method"] == "execute_kw")
        let args = try #require(json["params"]["args"].array)
        #expect(Array(args.prefix(5)) == Array(try #require(expected["params"]["args"].array).prefix(5)))
        #expect(args[5] == [[1]])
        #expect(args[6] == ["vals": ["name": "x"], "context": ["lang": "de_DE"]])
        let xml = try XMLRPC.parseCall(OdooProtocol.xmlrpc.request(call, session: session).body)
        #expect(xml.method == "execute_kw" && xml.params == args)
    }

    /// Odoo's dispatcher reads `create`'s first positional argument after the call, so over RPC
    /// the values travel positionally as in the recorded create; JSON-2 names them.
    @Test func createSendsItsValuesPositionallyOverRPCAndByNameOverJSON2() throws {
        let recorded = try #require(try WireExchange.load("17", "xmlrpc").first { $0.step == "product.create.list_arg" })
        let recordedBody = try #require(recorded.request.body).replacingOccurrences(of: "<secret>", with: "secret")
        let recordedParams = try XMLRPC.parseCall(Data(recordedBody.utf8)).params
        try #require(recordedParams.count == 6, "the recorded create sends no keyword arguments at all")
        let vals: OdooValue = ["name": "Bolt"]
        let call = OdooCall("product.template", "create", ["vals_list": [vals]])
        let session = OdooSession(database: "db", uid: 2, secret: "<secret>")
        let xml = try XMLRPC.parseCall(OdooProtocol.xmlrpc.request(call, session: session).body)
        try #require(xml.params.count == 7)
        #expect(xml.params[5] == [[vals]], "vals_list is the first positional argument")
        #expect(xml.params[6] == [:], "and not also a keyword")
        #expect(recordedParams[5].array?.first?.array != nil, "the recorded create passed its list positionally too")
        let json = try OdooValue.json(OdooProtocol.jsonrpc.request(call, session: session).body)
        let args = try #require(json["params"]["args"].array)
        try #require(args.count == 7)
        #expect(args[5] == [[vals]] && args[6] == [:])
        let json2 = try OdooValue.json(OdooProtocol.json2.request(call, session: session).body)
        #expect(json2 == ["vals_list": [vals]])
    }

    @Test func busyAndBrokenAnswersAreClassified() {
        #expect(OdooProtocol.json2.decode(status: 503, body: Data(), retryAfter: 2) == .failure(OdooFailure(kind: .unavailable, message: "HTTP 503", retryAfter: 2)))
        guard case .failure(let failure) = OdooProtocol.xmlrpc.decode(status: 200, body: Data("<html>proxy</html>".utf8)) else {
            Issue.record("HTML is not an answer")
            return
        }
        #expect(failure.kind == .configuration && failure.message.contains("proxy"))
        guard case .failure(let rpc) = OdooProtocol.jsonrpc.decode(status: 400, body: Data("<p>Invalid JSON data</p>".utf8)) else {
            Issue.record("a 400 is a failure")
            return
        }
        #expect(rpc.kind == .badRequest)
    }
}

@testable import AurumPublish
import AurumTestSupport
import Foundation
import Testing

@Suite struct XMLRPCTests {
    /// Every request and response body Odoo 17, 18 and 19 exchanged over XML-RPC parses, and
    /// writing a parsed value and parsing it again gives the same value.
    @Test(arguments: WireExchange.all("xmlrpc"))
    func parsesWhatOdooSendsAndRoundTrips(_ exchange: WireExchange) throws {
        let call = try XMLRPC.parseCall(Data(try #require(exchange.request.body).utf8))
        #expect(!call.method.isEmpty)
        #expect(try XMLRPC.parseCall(Data(XMLRPC.call(call.method, call.params).utf8)) == call)
        let response = try XMLRPC.parseResponse(Data(exchange.response.body.utf8))
        switch response {
        case .success(let value):
            #expect(try XMLRPC.parseResponse(Data(XMLRPC.response(value).utf8)) == .success(value))
        case .failure(let fault):
            #expect((1...4).contains(fault.code), "Odoo's fault codes are 1 to 4")
            #expect(try XMLRPC.parseResponse(Data(XMLRPC.fault(fault).utf8)) == .failure(fault))
        }
    }

    @Test func readsOdoosVersionStruct() throws {
        let exchange = try #require(try WireExchange.load("17", "xmlrpc").first { $0.step == "common.version" })
        let value = try XMLRPC.parseResponse(Data(exchange.response.body.utf8)).get()
        #expect(value["server_serie"] == "17.0")
        #expect(value["server_version_info"] == [17, 0, 0, "final", 0, ""])
        #expect(value["protocol_version"] == 1)
    }

    @Test func readsEveryScalarTypeAndTheUntypedValue() throws {
        let body = """
            <?xml version='1.0'?><methodResponse><params><param><value><array><data>
            <value><i4>-7</i4></value><value><int>42</int></value><value><i8>9007199254740993</i8></value>
            <value><boolean>1</boolean></value><value><boolean>0</boolean></value><value><double>-1.5</double></value>
            <value>untyped &amp; plain</value><value></value><value><string></string></value><value><nil/></value>
            <value><dateTime.iso8601>20240709T10:15:00</dateTime.iso8601></value>
            <value><base64>SGVsbG8=</base64></value>
            <value><struct><member><name>a</name><value><string>x&lt;y</string></value></member></struct></value>
            </data></array></value></param></params></methodResponse>
            """
        let value = try XMLRPC.parseResponse(Data(body.utf8)).get()
        #expect(value == [-7, 42, .int(9_007_199_254_740_993), true, false, -1.5, "untyped & plain", "", "", .none,
                          .dateTime("20240709T10:15:00"), .base64(Array("Hello".utf8)), ["a": "x<y"]])
    }

    @Test func faultsCarryCodeAndString() throws {
        let exchange = try #require(try WireExchange.load("18", "xmlrpc").first { $0.step == "product.create.duplicate_barcode" })
        guard case .failure(let fault) = try XMLRPC.parseResponse(Data(exchange.response.body.utf8)) else {
            Issue.record("a duplicate barcode is a fault")
            return
        }
        #expect(fault.code == 2)
        #expect(fault.string.lowercased().contains("barcode"))
    }

    @Test func refusesWhatIsNotXMLRPC() {
        #expect(throws: XMLRPC.FormatError.self) { try XMLRPC.parseResponse(Data("<html>nope</html>".utf8)) }
        #expect(throws: XMLRPC.FormatError.self) { try XMLRPC.parseResponse(Data("not xml".utf8)) }
        #expect(throws: XMLRPC.FormatError.self) {
            try XMLRPC.parseResponse(Data("<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>".utf8))
        }
        #expect(throws: XMLRPC.FormatError.self) { try XMLRPC.parseCall(Data("<methodCall><params/></methodCall>".utf8)) }
    }

    @Test func escapesMarkupInStrings() throws {
        let text = XMLRPC.call("execute_kw", ["a & b < c > d", ["k": "]]>"]])
        #expect(try XMLRPC.parseCall(Data(text.utf8)).params == ["a & b < c > d", ["k": "]]>"]])
    }
}

import AurumPublish
@testable import OdooDouble
import Testing

/// The double binds RPC arguments as Odoo's `call_kw` and Python do, so a call real Odoo refuses
/// is refused here too, whatever the connector happens to send.
@Suite struct DispatchTests {
    static func service(_ version: OdooVersion) -> OdooService {
        OdooDoubleServer(.init(version: version, database: "db", apiKey: "key")).service
    }

    /// `execute_kw(db, uid, key, model, method, args, kwargs)` as the RPC services receive it.
    static func executeKW(_ service: OdooService, _ model: String, _ method: String, _ args: [OdooValue],
                          _ kwargs: [String: OdooValue] = [:]) throws(OdooException) -> OdooValue? {
        try service.object("execute_kw", ["db", 2, "key", .string(model), .string(method), .array(args), .struct(kwargs)])
    }

    static func refusal(_ body: () throws(OdooException) -> OdooValue?) -> OdooException? {
        do { _ = try body(); return nil } catch { return error }
    }

    @Test(arguments: OdooVersion.allCases)
    func aRecordMethodWithoutPositionalIDsIsAnIndexError(_ version: OdooVersion) {
        let service = Self.service(version)
        let refused = Self.refusal { () throws(OdooException) in try Self.executeKW(service, "res.partner", "write", [], ["vals": ["name": "x"]]) }
        #expect(refused?.exceptionClass == .index && refused?.faultCode == 1)
        #expect(refused?.message == (version >= .v19 ? "list index out of range" : "tuple index out of range"))
    }

    @Test func aKeywordOnlyCreateRunsThenFailsAndIsRolledBack() {
        let service = Self.service(.v18)
        let before = service.database.records("res.partner").count
        let refused = Self.refusal { () throws(OdooException) in
            try Self.executeKW(service, "res.partner", "create", [], ["vals_list": [["name": "x"]]])
        }
        #expect(refused?.exceptionClass == .index)
        #expect(service.database.records("res.partner").count == before)
    }

    @Test func pythonRefusesAnArgumentGivenTwiceOrTooManyPositionals() {
        let service = Self.service(.v17)
        let twice = Self.refusal { () throws(OdooException) in
            try Self.executeKW(service, "res.partner", "create", [["name": "x"]], ["vals_list": [["name": "y"]]])
        }
        #expect(twice?.exceptionClass == .type && twice?.message.contains("multiple values for argument 'vals_list'") == true)
        let tooMany = Self.refusal { () throws(OdooException) in
            try Self.executeKW(service, "res.partner", "search_count", [[], 5, "extra"])
        }
        #expect(tooMany?.exceptionClass == .type && tooMany?.message.contains("positional arguments") == true)
    }

    @Test func positionalAndKeywordFormsAnswerAsOdooDoes() throws {
        let service = Self.service(.v17)
        let one = try Self.executeKW(service, "res.partner", "create", [["name": "x"]])
        let id = try #require(one?.int, "one dict: one id")
        #expect(try Self.executeKW(service, "res.partner", "create", [[["name": "y"]]]) == [.int(id + 1)], "a list: a list")
        #expect(try Self.executeKW(service, "res.partner", "search_count", [], ["domain": [["name", "=", "x"]]]) == 1,
                "model methods take their arguments by keyword")
        #expect(try Self.executeKW(service, "res.partner", "read", [[.int(id)]], ["fields": ["name"]]) == [["id": .int(id), "name": "x"]])
    }
}

import AurumPublish
import Foundation
import OdooDouble
import Testing

/// Python's own `xmlrpc.client`, a client nobody here wrote, against the running double: the
/// calls of Odoo's external API documentation behave as it shows.
@Suite struct PythonClientTests {
    static let script = """
        import json, sys, xmlrpc.client
        url, db, key = sys.argv[1], sys.argv[2], sys.argv[3]
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        out = {"version": common.version()}
        uid = common.authenticate(db, "admin", key, {})
        out["uid"] = uid
        out["bad_login"] = common.authenticate(db, "admin", "wrong", {})
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
        out["countries"] = models.execute_kw(db, uid, key, "res.country", "search_read", [[["code", "=", "DE"]]], {"fields": ["name", "code"], "limit": 5})
        out["partner_id"] = models.execute_kw(db, uid, key, "res.partner", "create", [{"name": "New Partner", "is_company": True}])
        out["partner"] = models.execute_kw(db, uid, key, "res.partner", "read", [[out["partner_id"]]], {"fields": ["name", "is_company", "email"]})
        out["count"] = models.execute_kw(db, uid, key, "res.partner", "search_count", [[["is_company", "=", True]]])
        try:
            models.execute_kw(db, uid, key, "res.partner", "write", [[999999], {"name": "ghost"}])
        except xmlrpc.client.Fault as fault:
            out["fault"] = fault.faultCode
        try:
            models.execute_kw(db, uid, "wrong", "res.partner", "search", [[]])
        except xmlrpc.client.Fault as fault:
            out["denied"] = fault.faultCode
        print(json.dumps(out))
        """

    /// `create` with its values only as the keyword `vals_list`, and positionally, over XML-RPC
    /// (16-18) or JSON-RPC (19); then how many partners carry the name.
    static let createScript = """
        import json, sys, urllib.request, xmlrpc.client
        url, db, key, protocol = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
        def jsonrpc(service, method, *args):
            body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                               "params": {"service": service, "method": method, "args": list(args)}}).encode()
            request = urllib.request.Request(url + "/jsonrpc", body, {"Content-Type": "application/json"})
            answer = json.load(urllib.request.urlopen(request))
            if "error" in answer:
                raise RuntimeError(answer["error"]["data"]["name"] + ": " + answer["error"]["data"]["message"])
            return answer.get("result")
        if protocol == "xmlrpc":
            uid = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common").authenticate(db, "admin", key, {})
            execute_kw = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object").execute_kw
        else:
            uid = jsonrpc("common", "authenticate", db, "admin", key, {})
            execute_kw = lambda *args: jsonrpc("object", "execute_kw", *args)
        out = {}
        try:
            out["keyword"] = execute_kw(db, uid, key, "res.partner", "create", [], {"vals_list": [{"name": "x"}]})
        except xmlrpc.client.Fault as fault:
            out["keyword_fault"] = [fault.faultCode, fault.faultString.strip().splitlines()[-1]]
        except RuntimeError as error:
            out["keyword_fault"] = [1, str(error)]
        out["after_keyword"] = execute_kw(db, uid, key, "res.partner", "search_count", [[["name", "=", "x"]]])
        out["one"] = execute_kw(db, uid, key, "res.partner", "create", [{"name": "x"}])
        out["list"] = execute_kw(db, uid, key, "res.partner", "create", [[{"name": "x"}, {"name": "x"}]])
        out["after_positional"] = execute_kw(db, uid, key, "res.partner", "search_count", [[["name", "=", "x"]]])
        print(json.dumps(out))
        """

    @Test(arguments: [OdooVersion.v16, .v17, .v18, .v19])
    func createWithOnlyTheKeywordValsListFailsAndCreatesNothing(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { _, settings in
            let result = try await Self.python(Self.createScript, settings, version >= .v19 ? "jsonrpc" : "xmlrpc")
            let fault = try #require(result["keyword_fault"].array, "the keyword-only create must fail: \(result)")
            #expect(fault.first == 1, "IndexError is fault 1 (an application error)")
            let message = fault.last?.string ?? ""
            #expect(message.contains("IndexError") && message.contains("index out of range"), "\(message)")
            #expect(result["after_keyword"] == 0, "the failed create's transaction is rolled back")
            let one = try #require(result["one"].int, "one dict answers one id")
            #expect(result["list"] == [.int(one + 1), .int(one + 2)], "a list answers a list of ids")
            #expect(result["after_positional"] == 3)
        }
    }

    /// Runs `script` with the double's URL, database and key and `extra` arguments; its JSON output.
    static func python(_ script: String, _ settings: OdooSettings, _ extra: String...) async throws -> OdooValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, settings.url, settings.database, settings.secret] + extra
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        // Wait without blocking a thread: the double answers Python on the same small thread pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in done.resume() }
            do { try process.run() } catch { done.resume() }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "python3 failed: \(stderr)")
        return try OdooValue.json(data)
    }

    @Test(arguments: [OdooVersion.v17, .v18])
    func pythonsXMLRPCClientWorksAsOdoosDocumentationShows(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { _, settings in
            let result = try await Self.python(Self.script, settings)
            #expect(result["version"]["server_serie"] == .string("\(version.rawValue).0"))
            #expect(result["uid"] == 2)
            #expect(result["bad_login"] == false)
            #expect(result["countries"] == [["id": 57, "name": "Germany", "code": "DE"]])
            let id = try #require(result["partner_id"].int)
            #expect(result["partner"] == [["id": .int(id), "name": "New Partner", "is_company": true, "email": false]])
            #expect(result["count"] == 2)
            #expect(result["fault"] == 2, "writing a missing record is MissingError, fault 2")
            #expect(result["denied"] == 3, "a wrong password is AccessDenied, fault 3")
        }
    }
}

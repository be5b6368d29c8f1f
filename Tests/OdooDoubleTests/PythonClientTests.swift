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

    @Test(arguments: [OdooVersion.v17, .v18])
    func pythonsXMLRPCClientWorksAsOdoosDocumentationShows(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { _, settings in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", Self.script, settings.url, settings.database, settings.secret]
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
            let result = try OdooValue.json(data)
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

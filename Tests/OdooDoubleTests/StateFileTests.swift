import AurumPublish
import Foundation
@testable import OdooDouble
import Testing

@Suite struct StateFileTests {
    @Test func stateSurvivesARestart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = OdooDoubleServer(.init(version: .v18, database: "demo", apiKey: "key"))
        try first.database.keepState(in: path)
        let created = try first.service.object("execute_kw", ["demo", 2, "key", "res.partner", "create", [["name": "Kept"]]])
        let id = try #require(created?.int)
        let second = OdooDoubleServer(.init(version: .v18, database: "demo", apiKey: "key"))
        try second.database.keepState(in: path)
        #expect(second.database.records("res.partner").contains { $0["id"]?.int == id && $0["name"] == "Kept" })
        let next = try second.service.object("execute_kw", ["demo", 2, "key", "res.partner", "create", [["name": "Next"]]])
        #expect(next?.int == id + 1, "sequences continue")
        let other = OdooDoubleServer(.init(version: .v19, database: "demo", apiKey: "key"))
        #expect(throws: (any Error).self) { try other.database.keepState(in: path) }
    }
}

import AurumPublish
import AurumTestSupport
import Foundation
import OdooDouble
import Synchronization
import Testing

/// Reading Odoo page by page by id (never by offset), on the double over each protocol: every
/// record once, archived ones too, in id order; a record created mid-read is read once; a read
/// resumes after the last id it kept.
@Suite struct OdooReaderTests {
    @Test(arguments: [OdooVersion.v17, .v19])
    func everyRecordOnceInIdOrderWhateverHappensBetweenPages(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { _, settings in
            let client = OdooClient(settings: settings)
            var created = [Int]()
            for n in 1...23 {
                let answer = try await client.call(OdooCall("product.template", "create",
                                                            ["vals_list": [["name": .string("Part \(n)"), "default_code": .string("P-\(n)")]]]))
                created.append(try #require(answer.array?.first?.int ?? answer.int, "\(answer)"))
            }
            _ = try await client.call(OdooCall("product.template", "write", ids: [created[4]], ["vals": ["active": false]]))
            let reader = OdooReader(client: client, pageSize: 7)
            let seen = Mutex([Int]()), pages = Mutex(0)
            let last = try await reader.forEachPage("product.template", fields: ["name", "default_code"], domain: [["default_code", "like", "P-"]]) { page in
                seen.withLock { $0 += page.compactMap { $0["id"].int } }
                pages.withLock { $0 += 1 }
                if pages.withLock({ $0 }) == 1 {
                    // Created while the read is under way: after the last id, so read once, at the end.
                    _ = try await client.call(OdooCall("product.template", "create", ["vals_list": [["name": "Late part", "default_code": "P-late"]]]))
                }
                return true
            }
            let ids = seen.withLock { $0 }
            #expect(ids == ids.sorted() && Set(ids).count == ids.count, "in id order, each once")
            #expect(Set(created).isSubset(of: Set(ids)), "the archived one too")
            #expect(ids.count == created.count + 1 && last == ids.last, "the one created mid-read, once")
            // Resumed after the 10th id read: the rest, nothing before.
            let rest = Mutex([Int]())
            try await reader.forEachPage("product.template", fields: ["name"], domain: [["default_code", "like", "P-"]], after: ids[9]) { page in
                rest.withLock { $0 += page.compactMap { $0["id"].int } }
                return true
            }
            #expect(rest.withLock { $0 } == Array(ids.dropFirst(10)))
        }
    }

    @Test func lookUpValuesAndGoldenIdsAreReadInBulk() async throws {
        try await DoubleHarness.with(.v18) { _, settings in
            let client = OdooClient(settings: settings)
            let reader = OdooReader(client: client, pageSize: 2)
            let units = try await reader.values(of: "name", in: "uom.uom", ids: [1, 12, 6])
            #expect(units == [1: "Units", 12: "kg", 6: "Hours"])
            let partner = try #require(try await client.call(OdooCall("res.partner", "create", ["vals_list": [["name": "Bound GmbH"]]])).array?.first?.int)
            let other = try #require(try await client.call(OdooCall("res.partner", "create", ["vals_list": [["name": "Unbound AG"]]])).array?.first?.int)
            _ = try await client.call(OdooCall("ir.model.data", "create", ["vals_list": [["module": "aurum", "name": "supplier_42", "model": "res.partner",
                                                                                        "res_id": .int(partner)]]]))
            _ = try await client.call(OdooCall("ir.model.data", "create", ["vals_list": [["module": "aurum", "name": "supplier_42_bank", "model": "res.partner",
                                                                                        "res_id": .int(other)]]]))
            let golden = try await reader.goldenIDs(module: "aurum", entity: "supplier", model: "res.partner", ids: [partner, other])
            #expect(golden == [partner: 42], "a child's external id names no golden record of its own")
        }
    }
}

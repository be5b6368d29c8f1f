import AurumCore
@testable import AurumPublish
import AurumRules
import AurumTestSupport
import OdooDouble
import Testing

/// Two publishers that create the same record at the same moment (a lease lost to a slow Odoo):
/// the external id keeps the first record, and the second publisher's fresh one is removed, so
/// Odoo never ends with two records for one golden record.
@Suite struct ExternalIDRaceTests {
    @Test func theLoserOfARaceAdoptsTheWinnersRecordAndRemovesItsOwn() async throws {
        try await DoubleHarness.with(.v18) { server, settings in
            let mapping = OdooPublisherTests.mapping
            let first = OdooPublisher(client: OdooClient(settings: settings), mapping: mapping)
            let second = OdooPublisher(client: OdooClient(settings: settings), mapping: mapping)
            let won = await first.publish(OdooPublisherTests.record("supplier", 7, OdooPublisherTests.supplier))
            let winner = try #require(won.odooID)
            // The second had looked before the first bound the id, and created its own partner.
            let fresh = try #require(try await second.client.call(OdooCall("res.partner", "create", ["vals_list": [["name": "Schrauben Lieferant GmbH"]]]))
                .array?.first?.int)
            let kept = try await second.bindExternalID(won.externalID, model: "res.partner", id: fresh, fresh: true)
            #expect(kept == winner)
            let partners = server.database.records("res.partner").filter { $0["name"] == "Schrauben Lieferant GmbH" }
            #expect(partners.map { $0["id"]?.int } == [winner], "the loser's partner is gone")
            // A record adopted by code is never taken from the record its external id names.
            let other = try #require(try await second.client.call(OdooCall("res.partner", "create", ["vals_list": [["name": "Someone else"]]]))
                .array?.first?.int)
            #expect(try await second.bindExternalID(won.externalID, model: "res.partner", id: other, fresh: false) == winner)
            #expect(server.database.records("res.partner").contains { $0["id"]?.int == other }, "an adopted record is not deleted")
        }
    }

    @Test func publishersRacingOverTheSameRecordsLeaveOneRecordEach() async throws {
        try await DoubleHarness.with(.v17) { server, settings in
            let mapping = OdooPublisherTests.mapping
            let records = (1...12).map { n in
                var supplier = OdooPublisherTests.supplier
                supplier["name"] = .string("Lieferant \(n) GmbH")
                supplier["ref"] = .string("MDM-SUP-\(n)")
                supplier["vat"] = nil
                supplier["bank_account"] = nil
                supplier["bank_bic"] = nil
                return OdooPublisherTests.record("supplier", Int64(n), supplier)
            }
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    let publisher = OdooPublisher(client: OdooClient(settings: settings), mapping: mapping)
                    group.addTask { _ = await publisher.publish(records) }
                }
            }
            let partners = server.database.records("res.partner").filter { ($0["name"]?.string ?? "").hasPrefix("Lieferant ") }
            #expect(partners.count == 12, "one partner per golden record: \(partners.compactMap { $0["name"]?.string }.sorted())")
            let bound = server.database.records("ir.model.data").filter { $0["module"] == "aurum" && ($0["name"]?.string ?? "").hasPrefix("supplier_") }
            #expect(bound.count == 12 && Set(bound.compactMap { $0["res_id"]?.int }) == Set(partners.compactMap { $0["id"]?.int }))
        }
    }
}

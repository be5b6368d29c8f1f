import AurumCore
import AurumStore
import AurumTestSupport
import PostgresNIO
import Testing

/// Unique attributes are held in `unique_value` under a primary key, kept by the release.
@Suite struct UniqueValueTests {
    static func held(_ t: TestStore) async throws -> [String] {
        try await t.client.query("SELECT attribute || '=' || value_key FROM unique_value ORDER BY 1", logger: TestLogger.quiet)
            .decode(String.self).rows()
    }

    @Test func releasesClaimAndGiveUpValuesAndPrepareIndexesWhatIsMissing() async throws {
        try await TestStore.with { t in
            let ids = try await t.release([SampleRules.item("PLM-1", ["code": "B-1", "name": "Bolt", "uom": "Units", "barcode": "4006381333931"]),
                                           SampleRules.item("PLM-2", ["code": "B-2", "name": "Nut", "uom": "Units"])])
            #expect(try await Self.held(t) == ["barcode=4006381333931", "code=B-1", "code=B-2"])
            _ = try await t.release([SampleRules.item("PLM-1", ["code": "B-1X", "barcode": .null])])
            #expect(try await Self.held(t) == ["code=B-1X", "code=B-2"], "an update gives up the values it no longer has")

            try await t.client.query("DELETE FROM unique_value WHERE record_id = \(ids[1])", logger: TestLogger.quiet)
            #expect(try await t.store.prepare().isEmpty)
            #expect(try await Self.held(t) == ["code=B-1X", "code=B-2"], "prepare indexes the current versions")

            let taken = try await t.store.ingest([SampleRules.item("PLM-3", ["code": "B-2", "name": "Washer M10", "uom": "Units"])],
                                                 by: try await t.actor("plm", .source).principal, requestID: "r")[0]
            #expect(taken.status == .rejected && taken.errors.map(\.rule) == ["unique"], "validation reads the held values")
        }
    }

    /// Servers started together each prepare the rules: none may fail for another doing it too.
    @Test func serversPreparingAtTheSameMomentAllStart() async throws {
        try await TestStore.with { t in
            _ = try await t.release([SampleRules.item("PLM-1", ["code": "B-1", "name": "Bolt", "uom": "Units", "barcode": "4006381333931"])])
            for round in 1...5 {
                // As on a fresh database: no attribute indexed yet.
                try await t.asOwner { client in
                    try await client.query("DELETE FROM unique_value", logger: TestLogger.quiet)
                    try await client.query("DELETE FROM unique_attribute", logger: TestLogger.quiet)
                }
                let store = t.store
                try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<4 { group.addTask { try await store.prepare() } }
                    for try await shared in group { #expect(shared.isEmpty, "round \(round)") }
                }
                #expect(try await Self.held(t) == ["barcode=4006381333931", "code=B-1"], "round \(round)")
            }
        }
    }

    @Test func prepareDropsValuesOfAttributesNoLongerUniqueAndNamesSharedOnes() async throws {
        try await TestStore.with { t in
            #expect(try await t.store.prepare().isEmpty, "the server prepares the shipped rules at start")
            _ = try await t.release([SampleRules.item("PLM-1", ["code": "B-1", "name": "Bolt", "uom": "Units"]),
                                     SampleRules.item("PLM-2", ["code": "B-2", "name": "Bolt", "uom": "Units"])])
            var rules = t.rules
            var item = try #require(rules.entities["item"])
            item.attributes = item.attributes.map { spec in
                var spec = spec
                if spec.name == "code" { spec.unique = false }
                if spec.name == "name" { spec.unique = true }
                return spec
            }
            rules.entities["item"] = item
            let store = PostgresStewardshipStore(client: t.client, rules: rules, logger: TestLogger.quiet)
            let shared = try await store.prepare()
            #expect(shared.count == 1 && shared[0].contains("name \"Bolt\""), "\(shared)")
            #expect(try await Self.held(t) == ["name=Bolt"], "code is no longer unique; one Bolt is indexed")
        }
    }
}

@testable import AurumStore
import AurumTestSupport
import Testing

/// The sharding plan of docs/scale.md against the schema and the hot-path SQL as they are.
@Suite struct ShardingPlanTests {
    @Test func everyTableTheMigrationsMakeHasAPlacementAndNoOtherHasOne() async throws {
        try await TestStore.with { t in
            let rows = try await t.client.query("""
                SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
                """, logger: TestLogger.quiet)
            var tables = Set<String>()
            for try await name in rows.decode(String.self) { tables.insert(name) }
            #expect(tables.subtracting(ShardingPlan.placement.keys).isEmpty, "tables the plan does not place: \(tables.subtracting(ShardingPlan.placement.keys).sorted())")
            #expect(Set(ShardingPlan.placement.keys).subtracting(tables).isEmpty, "placed but not in the schema: \(Set(ShardingPlan.placement.keys).subtracting(tables).sorted())")
            // Colocation names a table that exists and is spread by the same kind of key.
            for (table, placement) in ShardingPlan.placement {
                if case .colocated(_, let with) = placement {
                    #expect(ShardingPlan.placement[with]?.column != nil, "\(table) is colocated with \(with), which is not distributed")
                }
            }
        }
    }

    @Test func everyHotPathStatementReadsEachDistributedTableByItsKeyOrSaysWhyNot() {
        for statement in ShardingPlan.hotPath {
            #expect(ShardingPlan.problems(of: statement).isEmpty, "\(ShardingPlan.problems(of: statement))")
        }
        // The exceptions today, each with the schema change that removes it (docs/scale.md).
        let exceptions = ShardingPlan.hotPath.flatMap { statement in statement.crossShard.map { "\(statement.name): \($0.table)" } }
        #expect(exceptions == ["what a source key meets: distinct_pair", "what a source key meets: approval", "what a source key meets: audit_entry",
                               "the records and proposals met: change_request"])
    }

    @Test func theCheckFindsAStatementThatLosesItsKey() {
        var blocks = ShardingPlan.hotPath.first { $0.name == "the blocks of the keys" }!
        blocks.sql = "SELECT record_id FROM match_key WHERE entity = $1 ORDER BY record_id"
        blocks.routes = blocks.routes.filter { $0.table == "match_key" }
        #expect(ShardingPlan.problems(of: blocks) == ["the blocks of the keys: the route of match_key, key_hash = k.h, is not in its SQL"])
        var targets = ShardingPlan.hotPath.first { $0.name == "the records and proposals met" }!
        targets.sql += " UNION ALL SELECT id, false, NULL, NULL, NULL, NULL, false FROM delivery WHERE state = 'dead'"
        #expect(ShardingPlan.problems(of: targets) == ["the records and proposals met: reads delivery 1 time(s), the plan routes or excuses 0"])
        var wrongColumn = blocks
        wrongColumn.sql = "SELECT 1 FROM match_key WHERE record_id = $1"
        wrongColumn.routes = [("match_key", "record_id = $1")]
        #expect(ShardingPlan.problems(of: wrongColumn) == ["the blocks of the keys: the route of match_key, record_id = $1, does not name key_hash"])
    }
}

/// How Aurum's tables would be distributed with Citus when one primary is not enough
/// (docs/scale.md), kept as data so that a test can hold the store's hot-path SQL to it: every
/// table the migrations make has a placement, and every distributed table a hot-path statement
/// reads is routed to one shard by its distribution column, or is a declared exception with the
/// schema change that removes it.
public enum ShardingPlan {
    public enum Placement: Sendable, Hashable {
        /// Rows spread over the shards by the hash of `column`.
        case distributed(by: String)
        /// Spread by `column`, each row on the shard of `table`'s rows with the same value.
        case colocated(by: String, with: String)
        /// Every row on one shard, with the other tables of `group`.
        case singleShard(group: String)
        /// A copy on every node: small, read by every request, written by admins.
        case reference

        /// The column a statement must constrain to reach one shard; nil when any statement does.
        public var column: String? {
            switch self {
            case .distributed(let column), .colocated(let column, _): column
            case .singleShard, .reference: nil
            }
        }
    }

    public static let placement: [String: Placement] = [
        "golden_record": .distributed(by: "id"),
        "golden_version": .colocated(by: "record_id", with: "golden_record"),
        "steward_value": .colocated(by: "record_id", with: "golden_record"),
        "record_merge": .colocated(by: "record_id", with: "golden_record"),
        "delivery": .colocated(by: "record_id", with: "golden_record"),
        "record_source": .distributed(by: "source_key"),
        "change_request": .colocated(by: "source_key", with: "record_source"),
        "approval": .colocated(by: "source_key", with: "record_source"),
        "possible_duplicate": .colocated(by: "source_key", with: "record_source"),
        "candidate": .colocated(by: "source_key", with: "record_source"),
        "distinct_pair": .colocated(by: "source_key_a", with: "record_source"),
        "match_key": .distributed(by: "key_hash"),
        "match_key_common": .colocated(by: "key_hash", with: "match_key"),
        "unique_value": .distributed(by: "value_key"),
        "change_feed": .singleShard(group: "feed"),
        "change_feed_counter": .singleShard(group: "feed"),
        "audit_entry": .singleShard(group: "feed"),
        "audit_chain_head": .singleShard(group: "feed"),
        "idempotency_key": .distributed(by: "token_id"),
        "web_session": .colocated(by: "token_id", with: "idempotency_key"),
        "token": .reference,
        "consumer": .reference,
        "unique_attribute": .reference,
        "match_key_version": .reference,
        "odoo_import": .reference,
        "aurum_migration": .reference,
    ]

    /// A statement on the hot path (run for every candidate or request) and how each table it
    /// reads reaches one shard: `routes` holds, per table occurrence, the predicate in the SQL
    /// that names its distribution column; `crossShard` the occurrences that do not, each with
    /// the change that would make it single-shard.
    public struct Statement: Sendable {
        public var name: String
        public var sql: String
        public var routes: [(table: String, predicate: String)]
        public var crossShard: [(table: String, until: String)]
    }

    public static let hotPath: [Statement] = [
        Statement(name: "the token check", sql: TokenStatement.sql, routes: [], crossShard: []),
        Statement(name: "what a source key meets", sql: MeetStatement.sql, routes: [
            ("distinct_pair", "source_key_a = k.source_key"),
            ("record_source", "o.source_key = d.source_key"),
            ("record_source", "rs.source_key = k.source_key"),
            ("change_request", "c.source_key = k.source_key"),
        ], crossShard: [
            ("distinct_pair", "pairs are stored once, so the other side is asked too: stored both ways, that branch goes"),
            ("approval", "joined by change_request_id alone: approvals gain the change request's source_key"),
            ("audit_entry", "comments are read from the audit trail: they move to a table colocated with their change request"),
        ]),
        Statement(name: "the records and proposals met", sql: TargetsStatement.sql, routes: [
            ("golden_record", "gr.id = ANY($1::bigint[])"),
            ("golden_version", "gv.record_id = gr.id"),
        ], crossShard: [
            ("change_request", "proposals are asked by id: ids that name their shard (id >> 52) route them"),
        ]),
        Statement(name: "the blocks of the keys", sql: BlockStatement.sql, routes: [
            ("match_key_common", "c.key_hash = u.h"),
            ("match_key", "key_hash = k.h"),
            ("match_key_common", "c.key_hash = k.h"),
        ], crossShard: []),
        Statement(name: "the holders of unique values", sql: UniqueHoldersStatement.sql, routes: [
            ("unique_value", "(entity, attribute, value_key) IN"),
        ], crossShard: []),
    ]

    /// The tables `sql` reads (after FROM or JOIN), one entry per occurrence.
    public static func tablesRead(by sql: String) -> [String] {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" || $0 == "," }).map(String.init)
        var tables = [String]()
        for (index, word) in words.enumerated() where ["FROM", "JOIN"].contains(word.uppercased()) && index + 1 < words.count {
            let name = words[index + 1]
            if placement[name] != nil { tables.append(name) }
        }
        return tables
    }

    /// What is wrong with `statement` against the plan: a table read without a route or a
    /// declared exception, a route whose predicate is not in the SQL or does not name the
    /// table's distribution column. Empty when it keeps to the plan.
    public static func problems(of statement: Statement) -> [String] {
        let sql = statement.sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        var problems = [String]()
        var expected = [String: Int]()
        for (table, predicate) in statement.routes {
            expected[table, default: 0] += 1
            guard let column = placement[table]?.column else {
                problems.append("\(statement.name): \(table) needs no route; it is not distributed")
                continue
            }
            if !sql.contains(predicate) { problems.append("\(statement.name): the route of \(table), \(predicate), is not in its SQL") }
            if !predicate.contains(column) { problems.append("\(statement.name): the route of \(table), \(predicate), does not name \(column)") }
        }
        for (table, _) in statement.crossShard { expected[table, default: 0] += 1 }
        var read = [String: Int]()
        for table in tablesRead(by: sql) where placement[table]?.column != nil || isSingleShardBeside(table, in: sql) {
            read[table, default: 0] += 1
        }
        for (table, count) in read where expected[table, default: 0] != count {
            problems.append("\(statement.name): reads \(table) \(count) time(s), the plan routes or excuses \(expected[table, default: 0])")
        }
        for (table, count) in expected where read[table] == nil {
            problems.append("\(statement.name): the plan names \(table) (\(count)), which it does not read")
        }
        return problems
    }

    /// A single-shard table read in a statement that also reads a distributed one: the two
    /// live on different nodes, so the statement crosses them.
    static func isSingleShardBeside(_ table: String, in sql: String) -> Bool {
        guard case .singleShard? = placement[table] else { return false }
        return tablesRead(by: sql).contains { placement[$0]?.column != nil }
    }
}

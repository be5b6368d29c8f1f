import AurumCore
import Logging
import PostgresNIO

/// The blocking keys of golden records and open create proposals, stored so that a candidate
/// finds what it may duplicate with one indexed query: `match_key` holds one row per record (or
/// change request) and key hash, the hash `MatchRecord.keys` computes, so the store and
/// `aurum dedupe` block alike.
enum MatchKeys {
    /// The key hashes of `attributes` under `rules`, as PostgreSQL bigints.
    static func hashes(_ attributes: Attributes, rules: MatchRules) -> [Int64] {
        MatchRecord(id: "", attributes: attributes, rules: rules).keys.map { Int64(bitPattern: $0) }
    }

    /// Makes `attributes`' keys the record's own.
    static func replace(record id: Int64, entity: String, attributes: Attributes, rules: MatchRules?,
                        on connection: PostgresConnection, logger: Logger) async throws {
        try await drop(record: id, on: connection, logger: logger)
        guard let rules else { return }
        try await insert(hashes(attributes, rules: rules), entity: entity, record: id, changeRequest: nil, on: connection, logger: logger)
    }

    /// Gives an open create proposal its keys, so later candidates (of any source, or of the same
    /// batch) meet it before it is released.
    static func add(changeRequest id: Int64, entity: String, attributes: Attributes, rules: MatchRules?,
                    on connection: PostgresConnection, logger: Logger) async throws {
        guard let rules else { return }
        try await insert(hashes(attributes, rules: rules), entity: entity, record: nil, changeRequest: id, on: connection, logger: logger)
    }

    /// A record merged away has no keys.
    static func drop(record id: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM match_key WHERE record_id = \(id)", logger: logger)
    }

    /// A proposal that is no longer open has no keys.
    static func drop(changeRequest id: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM match_key WHERE change_request_id = \(id)", logger: logger)
    }

    /// Stores the keys, but those marked common (see `match_key_common`).
    static func insert(_ hashes: [Int64], entity: String, record: Int64?, changeRequest: Int64?,
                       on connection: PostgresConnection, logger: Logger) async throws {
        guard !hashes.isEmpty else { return }
        try await connection.query("""
            INSERT INTO match_key (entity, key_hash, record_id, change_request_id)
            SELECT \(entity), h, \(record), \(changeRequest) FROM unnest(\(hashes)::bigint[]) AS h
            WHERE NOT EXISTS (SELECT 1 FROM match_key_common c WHERE c.entity = \(entity) AND c.key_hash = h)
            """, logger: logger)
    }

    /// The keys of `entity` marked common.
    static func common(entity: String, on connection: PostgresConnection, logger: Logger) async throws -> Set<UInt64> {
        let rows = try await connection.query("SELECT key_hash FROM match_key_common WHERE entity = \(entity)", logger: logger)
        return try await rows.decode(Int64.self).reduce(into: Set<UInt64>()) { $0.insert(UInt64(bitPattern: $1)) }
    }

    /// Marks `hashes` common (many-valued keys whose blocks are past `MatchRules.commonSize`):
    /// their members are no longer stored, and every look-up takes their blocks as over the limit.
    /// In hash order, so that two transactions marking the same keys wait for each other and
    /// never deadlock. The members stored already are left (never read); `prune` removes them.
    static func markCommon(_ hashes: [UInt64], entity: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard !hashes.isEmpty else { return }
        let sorted = hashes.map { Int64(bitPattern: $0) }.sorted()
        try await connection.query("""
            INSERT INTO match_key_common (entity, key_hash) SELECT \(entity), h FROM unnest(\(sorted)::bigint[]) AS h ORDER BY h
            ON CONFLICT (entity, key_hash) DO NOTHING
            """, logger: logger)
    }

    /// Marks common every many-valued key of `entity` whose stored block is past its common size,
    /// and removes the stored members of every common key: after a load or a re-index, which
    /// write a whole store's keys at once, and from time to time in `aurum serve` (see
    /// `PostgresStewardshipStore.pruneCommonKeys`). Members another transaction holds locked (a
    /// release dropping its proposal's keys) are left for the next time, so pruning never waits
    /// for a request and never deadlocks with one.
    /// Returns how many keys it marked.
    @discardableResult
    static func prune(entity: String, rules: MatchRules, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        // The common size per key, by the key's number in the hash's top byte (0: never common).
        let sizes = rules.blockingKeys.indices.map { Int64(rules.commonSize(ofKey: $0) ?? 0) }
        let marked = try await connection.query("""
            WITH marked AS (
                INSERT INTO match_key_common (entity, key_hash)
                SELECT \(entity), key_hash FROM match_key WHERE entity = \(entity)
                GROUP BY key_hash
                HAVING coalesce((\(sizes)::bigint[])[key_hash >> 56], 0) > 0 AND count(*) > (\(sizes)::bigint[])[key_hash >> 56]
                ORDER BY key_hash
                ON CONFLICT (entity, key_hash) DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM marked
            """, logger: logger)
        try await connection.query("""
            DELETE FROM match_key WHERE ctid IN (
                SELECT k.ctid FROM match_key k JOIN match_key_common c ON c.entity = k.entity AND c.key_hash = k.key_hash
                WHERE k.entity = \(entity) FOR UPDATE OF k SKIP LOCKED)
            """, logger: logger)
        return try await marked.decode(Int64.self).reduce(0) { $0 + Int($1) }
    }

    /// Takes the lock that lets one transaction at a time re-index or prune `entity`'s stored keys,
    /// until the transaction ends: waiting for it, or not (then false when another holds it).
    static func lockKeys(of entity: String, waiting: Bool, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let key = "match_key " + entity
        let rows = try await connection.query(waiting ? "SELECT true FROM pg_advisory_xact_lock(hashtextextended(\(key), 0))"
                                                      : "SELECT pg_try_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        return try await rows.decode(Bool.self).first { _ in true } ?? false
    }

    /// What a batch's key look-up found: per candidate, the records and open create proposals it
    /// shares a block with; and per key hash, how many the store holds (up to two past its limit).
    struct Blocks {
        var targets: [Set<MatchTarget>]
        var stored: [UInt64: Int]
        /// The keys looked up that are marked common: no create stores them.
        var common: Set<UInt64>
    }

    /// For each candidate of a batch (its key hashes, and its own open proposal to leave out), the
    /// records and open create proposals that share a key with it, a block at a time as
    /// `MatchIndex` takes them: a block over its key's limit is left out for a many-valued key
    /// (a common word) and cut to the limit for a single-valued one. One query for the batch.
    static func targets(of candidates: [(hashes: [UInt64], excluding: Int64?)], entity: String, rules: MatchRules,
                        on connection: PostgresConnection, logger: Logger) async throws -> Blocks {
        let hashes = Array(Set(candidates.flatMap(\.hashes)))
        guard !hashes.isEmpty else { return Blocks(targets: candidates.map { _ in [] }, stored: [:], common: []) }
        // Each key's block up to two past its limit (enough to tell it is over with a candidate's
        // own proposal left out), in record order from the index; open proposals come after the
        // records. A many-valued key's block that is over its limit even without that proposal is
        // counted in the database and only its count sent (one row without a record or proposal).
        // A key marked common is one row with count -1.
        let multi = hashes.map { rules.blockingKeys[Blocking.key(of: $0)].isMultiValued }
        let rows = try await connection.execute(BlockStatement(entity: entity, hashes: hashes.map { Int64(bitPattern: $0) },
                                                               limits: hashes.map { Int64(rules.blockLimit(of: $0) + 2) }, multiValued: multi),
                                                logger: logger)
        var blocks = [UInt64: [MatchTarget]]()
        var stored = [UInt64: Int]()
        var common = Set<UInt64>()
        for try await row in rows {
            let (hash, record, changeRequest, count) = try row.decode((Int64, Int64?, Int64?, Int64).self)
            let key = UInt64(bitPattern: hash)
            if count < 0, let commonSize = rules.commonSize(of: key) {
                // Over the limit, and past its common size when it was marked.
                stored[key] = commonSize + 1
                common.insert(key)
                continue
            }
            stored[key] = Int(count)
            if record == nil, changeRequest == nil { continue }
            blocks[key, default: []].append(record.map(MatchTarget.record) ?? .changeRequest(changeRequest ?? 0))
        }
        let targets = candidates.map { candidate in
            var found = Set<MatchTarget>()
            for hash in candidate.hashes {
                var block = blocks[hash] ?? []
                if let own = candidate.excluding { block.removeAll { $0 == .changeRequest(own) } }
                // The block as a file would hold it: its members (counted in the database when
                // none were sent) and the candidate.
                let members = blocks[hash] == nil ? stored[hash] ?? 0 : block.count
                found.formUnion(block.prefix(rules.membersTaken(fromBlockOf: hash, size: members + 1)))
            }
            return found
        }
        return Blocks(targets: targets, stored: stored, common: common)
    }

    /// Recomputes every stored key of `entity` when the rules that computed them changed (or
    /// were never run): the current versions of records not superseded, and open create proposals.
    /// How many records re-indexing reads at a time: its memory stays that page's keys, however
    /// many records the store holds.
    static let reindexPage = 10_000

    /// Re-indexes the rows `page(after:)` selects (id and attributes, by id), a page at a time:
    /// each page's keys are written before the next page is read.
    static func reindexPaged(entity: String, match: MatchRules, column: String, on connection: PostgresConnection, logger: Logger,
                             page: (Int64) -> PostgresQuery) async throws {
        var after: Int64 = 0
        while true {
            let rows = try await connection.query(page(after), logger: logger)
            var keys = [(hash: Int64, id: Int64)]()
            var read = 0
            for try await (id, text) in rows.decode((Int64, String).self) {
                read += 1
                after = id
                for hash in hashes(try SQLJSON.decode(Attributes.self, text), rules: match) { keys.append((hash, id)) }
            }
            if !keys.isEmpty {
                try await connection.query("""
                    INSERT INTO match_key (entity, key_hash, \(unescaped: column))
                    SELECT \(entity), * FROM unnest(\(keys.map(\.hash))::bigint[], \(keys.map(\.id))::bigint[])
                    """, logger: logger)
            }
            if read < reindexPage { return }
        }
    }

    static func reindex(_ rules: RuleSet, client: PostgresClient, logger: Logger) async throws {
        for (entity, schema) in rules.entities.sorted(by: { $0.key < $1.key }) {
            try await client.transaction(logger: logger) { connection in
                _ = try await lockKeys(of: entity, waiting: true, on: connection, logger: logger)
                let stored = try await connection.query("SELECT rules_version FROM match_key_version WHERE entity = \(entity)", logger: logger)
                guard try await stored.decode(String.self).first(where: { _ in true }) != rules.version else { return }
                try await connection.query("DELETE FROM match_key WHERE entity = \(entity)", logger: logger)
                try await connection.query("DELETE FROM match_key_common WHERE entity = \(entity)", logger: logger)
                if let match = schema.match {
                    try await reindexPaged(entity: entity, match: match, column: "record_id", on: connection, logger: logger) { after in """
                        SELECT gr.id, gv.attributes::text FROM golden_record gr
                        JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
                        WHERE gr.entity = \(entity) AND gr.state <> 'superseded' AND gr.id > \(after)
                        ORDER BY gr.id LIMIT \(Self.reindexPage)
                        """ }
                    try await reindexPaged(entity: entity, match: match, column: "change_request_id", on: connection, logger: logger) { after in """
                        SELECT id, proposed::text FROM change_request
                        WHERE entity = \(entity) AND status = 'open' AND kind = 'create' AND id > \(after)
                        ORDER BY id LIMIT \(Self.reindexPage)
                        """ }
                    try await prune(entity: entity, rules: match, on: connection, logger: logger)
                }
                try await connection.query("""
                    INSERT INTO match_key_version (entity, rules_version) VALUES (\(entity), \(rules.version))
                    ON CONFLICT (entity) DO UPDATE SET rules_version = excluded.rules_version
                    """, logger: logger)
            }
        }
    }
}

/// The blocks of a batch's key hashes (see `MatchKeys.targets`): each up to its limit `l`, in
/// record order from the index, or for a many-valued key over its limit one row with its count;
/// a key marked common is one row with count -1. The marks are joined, not filtered with
/// `= ANY`: the generic plan of a prepared statement filtered every mark against every hash of
/// the batch, which doubled the look-up.
struct BlockStatement: PreparedLookup {
    static let sql = """
        SELECT c.key_hash, NULL::bigint, NULL::bigint, -1::bigint
        FROM unnest($2::bigint[]) AS u(h) JOIN match_key_common c ON c.entity = $1::text AND c.key_hash = u.h
        UNION ALL
        SELECT k.h, CASE WHEN k.multi AND m.n >= k.l THEN NULL ELSE m.record_id END,
               CASE WHEN k.multi AND m.n >= k.l THEN NULL ELSE m.change_request_id END, m.n
        FROM unnest($2::bigint[], $3::bigint[], $4::bool[]) AS k(h, l, multi)
        CROSS JOIN LATERAL (SELECT b.record_id, b.change_request_id, count(*) OVER () AS n, row_number() OVER () AS r
                            FROM (SELECT record_id, change_request_id FROM match_key
                                  WHERE entity = $1::text AND key_hash = k.h
                                    AND NOT (k.multi AND EXISTS (SELECT 1 FROM match_key_common c WHERE c.entity = $1::text AND c.key_hash = k.h))
                                  ORDER BY record_id LIMIT k.l) b) m
        WHERE NOT (k.multi AND m.n >= k.l) OR m.r = 1
        """
    let bindings: PostgresBindings

    /// `limits`: each key's limit plus two.
    init(entity: String, hashes: [Int64], limits: [Int64], multiValued: [Bool]) {
        bindings = .of(entity, hashes, limits, multiValued)
    }
}

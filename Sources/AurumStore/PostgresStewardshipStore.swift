import AurumCore
import Logging
import PostgresNIO

/// The stewardship store on PostgreSQL: every method is one transaction with its audit entries.
public struct PostgresStewardshipStore: StewardshipStore {
    public let client: PostgresClient
    public let rules: RuleSet
    public let logger: Logger
    /// How sensitive values are kept in the audit trail: sealed with the audit key.
    let sealing: SensitiveRewrite

    /// `client` must be running (its `run()` inside the caller's task group or service group).
    /// `auditKey` seals sensitive values in the audit trail; without one, a key of this process
    /// alone does (the values stay hidden, their hashes comparable only within the process).
    public init(client: PostgresClient, rules: RuleSet, auditKey: AuditKey? = nil, logger: Logger) {
        self.client = client
        self.rules = rules
        self.logger = logger
        self.sealing = (auditKey ?? .ephemeral()).rewrite(for: rules)
    }

    /// One unit of the store's work: a transaction whose audit entries have their sensitive
    /// values sealed (see `AuditLog`).
    func transaction<Result: Sendable>(file: String = #fileID, line: Int = #line,
                                       _ body: (PostgresConnection) async throws -> sending Result) async throws -> Result {
        try await client.transaction(sealing: sealing, logger: logger, file: file, line: line, body)
    }

    public func principal(forToken token: String) async throws -> Principal? {
        try await Tokens.principal(forToken: token, client: client, logger: logger)
    }

    public func refusal(ofToken token: String) async throws -> TokenRefusal {
        try await Tokens.refusal(ofToken: token, client: client, logger: logger)
    }

    /// Readies the database for these rules: indexes the unique values of attributes that became
    /// unique (and drops those no longer unique), and recomputes the stored blocking keys when the
    /// rules changed. Returns values two records already share.
    public func prepare() async throws -> [String] {
        let shared = try await UniqueValues.index(rules, client: client, logger: logger)
        try await MatchKeys.reindex(rules, client: client, logger: logger)
        return shared
    }

    /// How often `aurum serve` marks the blocking keys grown common (`pruneCommonKeys`).
    public static let commonKeyPruning = Duration.seconds(600)

    /// Marks the blocking keys whose blocks grew past their common size since the last time
    /// (`MatchRules.commonSize`) and removes the members of common keys, per entity: what a load
    /// or re-index does for the keys it writes, for the keys ingest wrote. One server at a time;
    /// an entity being re-indexed or pruned by another is left for the next time. Returns the
    /// keys marked, per entity.
    public func pruneCommonKeys() async throws -> [String: Int] {
        var marked = [String: Int]()
        for (entity, schema) in rules.entities.sorted(by: { $0.key < $1.key }) {
            guard let match = schema.match else { continue }
            marked[entity] = try await client.withTransaction(logger: logger) { connection in
                guard try await MatchKeys.lockKeys(of: entity, waiting: false, on: connection, logger: logger) else { return 0 }
                return try await MatchKeys.prune(entity: entity, rules: match, on: connection, logger: logger)
            }
        }
        return marked
    }

    public func isReady() async -> Bool {
        (try? await client.query("SELECT 1", logger: logger)) != nil
    }

    public func storeError(for error: any Error) -> StoreError? {
        let failure = DatabaseFailure(error)
        return failure.storeError as? StoreError ?? (failure.isConnectionLost ? .unavailable("the database cannot be reached; try again shortly") : nil)
    }

    /// Answers validation's lookups from the golden records as they stand in this transaction:
    /// the references in one query, the unique values in another, however many there are.
    func answer(_ lookups: some Collection<Lookup>, on connection: PostgresConnection) async throws -> [Lookup: LookupAnswer] {
        var answers = [Lookup: LookupAnswer]()
        var referenced = Set<Int64>()
        var unique = [(entity: String, attribute: String, key: String)]()
        for lookup in Set(lookups) {
            switch lookup {
            case .reference(_, let id):
                referenced.insert(id)
                answers[lookup] = .record(state: nil)
            case .unique(let entity, let attribute, let value):
                unique.append((entity, attribute, UniqueValues.key(value)))
                answers[lookup] = .holders([])
            }
        }
        if !referenced.isEmpty {
            let rows = try await connection.query(
                "SELECT id, entity, state FROM golden_record WHERE id = ANY(\(Array(referenced)))", logger: logger)
            for try await (id, entity, state) in rows.decode((Int64, String, String).self) {
                answers[.reference(entity: entity, recordID: id)] = .record(state: state)
            }
        }
        if !unique.isEmpty {
            var holders = [[String]: [Int64]]()
            let rows = try await connection.execute(UniqueHoldersStatement(unique), logger: logger)
            for try await row in rows {
                let (entity, attribute, key, record) = try row.decode((String, String, String, Int64).self)
                holders[[entity, attribute, key], default: []].append(record)
            }
            for lookup in answers.keys {
                guard case .unique(let entity, let attribute, let value) = lookup else { continue }
                answers[lookup] = .holders(holders[[entity, attribute, UniqueValues.key(value)]] ?? [])
            }
        }
        return answers
    }

    /// Validates `attributes` of `entity` against the rules and the golden records.
    /// `alsoOwned`: records whose unique values the record may take (one merged into it).
    func validate(_ attributes: Attributes, entity: String, recordID: Int64?, alsoOwned: Set<Int64> = [],
                  on connection: PostgresConnection) async throws -> Verdict {
        try await validate([(attributes, entity, recordID)], alsoOwned: alsoOwned, on: connection)[0]
    }

    /// Validates many proposals at once, their lookups answered together.
    func validate(_ proposals: [(attributes: Attributes, entity: String, recordID: Int64?)], alsoOwned: Set<Int64> = [],
                  on connection: PostgresConnection) async throws -> [Verdict] {
        var prepared = [(Validator, Validator.Prepared, [Lookup])]()
        var validators = [String: Validator]()
        for proposal in proposals {
            guard let schema = rules.entities[proposal.entity] else {
                throw StoreError.invalid("the rules no longer define entity \(proposal.entity)")
            }
            let validator = validators[proposal.entity] ?? Validator(schema: schema)
            validators[proposal.entity] = validator
            let ready = validator.prepare(proposal.attributes)
            prepared.append((validator, ready, validator.lookups(for: ready.attributes)))
        }
        var answers = try await answer(prepared.flatMap(\.2), on: connection)
        for (lookup, answer) in answers {
            if case .holders(let holders) = answer { answers[lookup] = .holders(holders.filter { !alsoOwned.contains($0) }) }
        }
        return zip(prepared, proposals).map { item, proposal in
            item.0.verdict(for: item.1, answers: answers, recordID: proposal.recordID)
        }
    }
}

/// The golden records holding each (entity, attribute, value key), in record order.
struct UniqueHoldersStatement: PreparedLookup {
    static let sql = """
        SELECT entity, attribute, value_key, record_id FROM unique_value
        WHERE (entity, attribute, value_key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
        ORDER BY record_id
        """
    let bindings: PostgresBindings

    init(_ values: [(entity: String, attribute: String, key: String)]) {
        bindings = .of(values.map(\.entity), values.map(\.attribute), values.map(\.key))
    }
}

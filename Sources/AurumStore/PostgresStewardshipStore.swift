import AurumCore
import Logging
import PostgresNIO

/// The stewardship store on PostgreSQL: every method is one transaction with its audit entries.
public struct PostgresStewardshipStore: StewardshipStore {
    public let client: PostgresClient
    public let rules: RuleSet
    public let logger: Logger

    /// `client` must be running (its `run()` inside the caller's task group or service group).
    public init(client: PostgresClient, rules: RuleSet, logger: Logger) {
        self.client = client
        self.rules = rules
        self.logger = logger
    }

    public func principal(forToken token: String) async throws -> Principal? {
        try await Tokens.principal(forToken: token, client: client, logger: logger)
    }

    /// Readies the database for these rules: indexes the unique values of attributes that became
    /// unique (and drops those no longer unique), and recomputes the stored blocking keys when the
    /// rules changed. Returns values two records already share.
    public func prepare() async throws -> [String] {
        let shared = try await UniqueValues.index(rules, client: client, logger: logger)
        try await MatchKeys.reindex(rules, client: client, logger: logger)
        return shared
    }

    public func isReady() async -> Bool {
        (try? await client.query("SELECT 1", logger: logger)) != nil
    }

    /// Answers validation's lookups from the golden records as they stand in this transaction.
    func answer(_ lookups: [Lookup], on connection: PostgresConnection) async throws -> [Lookup: LookupAnswer] {
        var answers = [Lookup: LookupAnswer]()
        for lookup in lookups {
            switch lookup {
            case .reference(let entity, let id):
                let rows = try await connection.query(
                    "SELECT state FROM golden_record WHERE id = \(id) AND entity = \(entity)", logger: logger)
                let state = try await rows.decode(String.self).first { _ in true }
                answers[lookup] = .record(state: state)
            case .unique(let entity, let attribute, let value):
                answers[lookup] = .holders(try await UniqueValues.holders(entity: entity, attribute: attribute, key: UniqueValues.key(value),
                                                                          on: connection, logger: logger))
            }
        }
        return answers
    }

    /// Validates `attributes` of `entity` against the rules and the golden records.
    /// `alsoOwned`: records whose unique values the record may take (one merged into it).
    func validate(_ attributes: Attributes, entity: String, recordID: Int64?, alsoOwned: Set<Int64> = [],
                  on connection: PostgresConnection) async throws -> Verdict {
        guard let schema = rules.entities[entity] else {
            throw StoreError.invalid("the rules no longer define entity \(entity)")
        }
        let validator = Validator(schema: schema)
        let prepared = validator.prepare(attributes)
        var answers = try await answer(validator.lookups(for: prepared.attributes), on: connection)
        for (lookup, answer) in answers {
            if case .holders(let holders) = answer { answers[lookup] = .holders(holders.filter { !alsoOwned.contains($0) }) }
        }
        return validator.verdict(for: prepared, answers: answers, recordID: recordID)
    }
}

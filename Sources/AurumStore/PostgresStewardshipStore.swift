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
                let rows = try await connection.query("""
                    SELECT gr.id FROM golden_record gr
                    JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
                    WHERE gr.entity = \(entity) AND gr.state <> 'superseded'
                      AND gv.attributes -> \(attribute) = \(SQLJSON.text(value))::jsonb
                    ORDER BY gr.id LIMIT 5
                    """, logger: logger)
                var holders = [Int64]()
                for try await id in rows.decode(Int64.self) { holders.append(id) }
                answers[lookup] = .holders(holders)
            }
        }
        return answers
    }

    /// Validates `attributes` of `entity` against the rules and the golden records.
    func validate(_ attributes: Attributes, entity: String, recordID: Int64?, on connection: PostgresConnection) async throws -> Verdict {
        guard let schema = rules.entities[entity] else {
            throw StoreError.invalid("the rules no longer define entity \(entity)")
        }
        let validator = Validator(schema: schema)
        let prepared = validator.prepare(attributes)
        let answers = try await answer(validator.lookups(for: prepared.attributes), on: connection)
        return validator.verdict(for: prepared, answers: answers, recordID: recordID)
    }
}

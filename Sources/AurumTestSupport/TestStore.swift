import AurumCore
import AurumRules
import AurumStore
import Foundation
import Logging
import PostgresNIO

/// A store on a fresh database with the shipped rules (without their approval gates unless
/// `rules` says otherwise), and tokens for the usual actors.
public struct TestStore: Sendable {
    public let store: PostgresStewardshipStore
    public let client: PostgresClient
    /// Where the test's database is (for commands given `--database-url`).
    public let settings: DatabaseSettings
    public var rules: RuleSet { store.rules }
    /// Every entity the rules define: the scope of a read that sees them all.
    public var allEntities: [String] { store.rules.entities.keys.sorted() }

    /// A store on a database the caller runs (a cluster of its own, for tests that restart it).
    public init(client: PostgresClient, settings: DatabaseSettings, rules: RuleSet, auditKey: AuditKey? = nil) {
        self.store = PostgresStewardshipStore(client: client, rules: rules, auditKey: auditKey, logger: TestLogger.quiet)
        self.client = client
        self.settings = settings
    }

    init(store: PostgresStewardshipStore, client: PostgresClient, settings: DatabaseSettings) {
        self.store = store
        self.client = client
        self.settings = settings
    }

    /// Runs `body` with a store on a database of its own, acting as the application role as the
    /// server does; the database client stops afterwards.
    public static func with<T: Sendable>(rules: RuleSet? = nil, _ body: @Sendable (TestStore) async throws -> T) async throws -> T {
        let settings = try await TestCluster.shared.freshDatabase()
        let ruleSet = try rules ?? SampleRules.oneSteward()
        return try await settings.acting(as: ApplicationRole.defaultName).withClient(logger: TestLogger.quiet) { client in
            try await body(TestStore(store: PostgresStewardshipStore(client: client, rules: ruleSet, logger: TestLogger.quiet), client: client, settings: settings))
        }
    }

    /// Runs `body` with a client of the owner of the tables: for a test that changes the schema
    /// or plays an administrator at the database.
    public func asOwner<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await settings.owner.withClient(logger: TestLogger.quiet, body)
    }

    /// Submits `candidates` and approves each change request: the golden records they become.
    public func release(_ candidates: [CandidateSubmission]) async throws -> [Int64] {
        let call = UUID().uuidString.prefix(8)
        let source = try await actor("release-source-\(call)", .source, sources: Array(Set(candidates.map(\.source))).sorted())
        let steward = try await actor("release-steward-\(call)", .steward)
        var ids = [Int64]()
        for candidate in candidates {
            let result = try await store.ingest([candidate], by: source.principal, requestID: "release")[0]
            guard let request = result.changeRequestID else { throw StoreError.conflict("\(candidate.sourceKey): \(result.status)") }
            let decision = try await store.approve(changeRequest: request, by: steward.principal, comment: nil, revision: nil, requestID: "release")
            if let id = decision.recordID { ids.append(id) }
        }
        return ids
    }

    /// Creates a token for `name` with `role`, returning the token and its principal. A source
    /// token speaks for `sources` (default: plm, the source of the sample candidates).
    public func actor(_ name: String, _ role: Role, entities: [String] = [], sources: [String]? = nil,
                      groups: [String] = []) async throws -> (token: String, principal: Principal) {
        let spoken = sources ?? (role == .source ? ["plm"] : [])
        let token = try await Tokens.create(name: name, role: role, entities: entities, sources: spoken, groups: groups, actor: "test",
                                            client: client, logger: TestLogger.quiet)
        return (token, try await store.principal(forToken: token)!)
    }

    /// The audit trail's actions in order, optionally only for one subject.
    public func auditActions(subject: String? = nil) async throws -> [String] {
        let rows = try await client.query("""
            SELECT action FROM audit_entry WHERE \(subject)::text IS NULL OR subject = \(subject) ORDER BY id
            """, logger: TestLogger.quiet)
        var actions = [String]()
        for try await action in rows.decode(String.self) { actions.append(action) }
        return actions
    }
}

/// The rules shipped in `rules/`, and candidates built against them.
public enum SampleRules {
    public static func shipped() throws -> RuleSet {
        try RulesLoader.load(directory: ProjectPaths.rules)
    }

    /// The shipped rules with their approval gates left out: one steward approves every change,
    /// for the tests of the rest of the flow (the gates have suites of their own).
    public static func oneSteward() throws -> RuleSet {
        var rules = try shipped()
        for entity in rules.entities.keys { rules.entities[entity]!.gates = [] }
        return rules
    }

    /// An item candidate from PLM with the given attributes.
    public static func item(_ key: String, _ attributes: Attributes, source: String = "plm") -> CandidateSubmission {
        CandidateSubmission(entity: "item", source: source, sourceKey: key, attributes: attributes)
    }

    /// Validates as if the store held no golden records: unique values are free, references active.
    public static func validateWithEmptyStore(_ schema: EntitySchema, _ attributes: Attributes, recordID: Int64? = nil,
                                              answers: [Lookup: LookupAnswer] = [:]) -> Verdict {
        Validator(schema: schema).validateWithoutStore(attributes, recordID: recordID, answers: answers)
    }

    /// The valid item the contract names.
    public static let hexBolt: Attributes = ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units"]
}

extension AsyncSequence where Self: Sendable {
    /// Every element, in order: for reading a query's decoded rows in a test.
    public func rows() async throws -> [Element] {
        var result = [Element]()
        for try await element in self { result.append(element) }
        return result
    }
}

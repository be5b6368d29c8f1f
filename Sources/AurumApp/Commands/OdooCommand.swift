import ArgumentParser
import AurumCore
import AurumPublish
import AurumStore
import Foundation
import Logging
import NIOCore

/// Where Odoo is: read once from the environment (or flags) into `OdooSettings`.
struct OdooOptions: ParsableArguments {
    @Option(name: .customLong("odoo-url"), help: ArgumentHelp("Odoo's base URL (default: $ODOO_URL).", valueName: "url")) var url: String?
    @Option(name: .customLong("odoo-database"), help: ArgumentHelp("The database (default: $ODOO_DATABASE).", valueName: "name")) var database: String?
    @Option(name: .customLong("odoo-login"), help: ArgumentHelp("The integration user's login (default: $ODOO_LOGIN, else admin).", valueName: "login")) var login: String?
    @Option(name: .customLong("odoo-protocol"), help: "auto, json2, xmlrpc or jsonrpc (default: $ODOO_PROTOCOL, else auto).") var protocolName: String?

    /// The settings, or a usage error naming what is missing. The key comes from ODOO_API_KEY or
    /// the file ODOO_API_KEY_FILE names, never from a flag (it would show in `ps`).
    func settings() throws -> OdooSettings {
        let environment = ProcessInfo.processInfo.environment
        guard let url = url ?? environment["ODOO_URL"], !url.isEmpty else { throw ValidationError("set ODOO_URL (or --odoo-url) to Odoo's base URL, e.g. http://127.0.0.1:8069") }
        guard let database = database ?? environment["ODOO_DATABASE"], !database.isEmpty else { throw ValidationError("set ODOO_DATABASE (or --odoo-database)") }
        guard let key = try Settings.secret("ODOO_API_KEY", environment) else {
            throw ValidationError("set ODOO_API_KEY, or ODOO_API_KEY_FILE to a file holding it")
        }
        let choice = protocolName ?? environment["ODOO_PROTOCOL"] ?? "auto"
        guard let protocolChoice = OdooSettings.ProtocolChoice(rawValue: choice) else {
            throw ValidationError("ODOO_PROTOCOL must be auto, json2, xmlrpc or jsonrpc, not \(choice)")
        }
        let context: [String: OdooValue] = environment["ODOO_LANG"].map { ["lang": .string($0)] } ?? [:]
        var timeout = TimeAmount.seconds(60)
        if let text = environment["ODOO_TIMEOUT"] {
            guard let seconds = Double(text), seconds.isFinite, (1...600).contains(seconds) else {
                throw ValidationError("ODOO_TIMEOUT must be seconds from 1 to 600, not \(text)")
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        return OdooSettings(url: url, database: database, login: login ?? environment["ODOO_LOGIN"] ?? "admin", secret: key,
                            protocolChoice: protocolChoice, context: context, timeout: timeout)
    }

    /// A client signed in to Odoo, with what the server said of itself; exit 1 naming why when it cannot be.
    func connected(logger: Logger) async throws -> (OdooClient, OdooServerInfo) {
        let client = OdooClient(settings: try settings(), logger: logger)
        do { return (client, try await client.connect()) } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// `aurum odoo`: reach Odoo, and publish the golden records into it.
struct OdooCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "odoo", abstract: "Check the Odoo connection and mapping, and publish golden records to Odoo.",
        discussion: """
            Configuration: ODOO_URL, ODOO_DATABASE, ODOO_LOGIN, ODOO_API_KEY or ODOO_API_KEY_FILE, ODOO_PROTOCOL \
            (auto|json2|xmlrpc|jsonrpc), ODOO_LANG (sent as context lang, e.g. de_DE), ODOO_TIMEOUT (seconds \
            one call may take, default 60). The mapping is \
            rules/consumers/odoo.yaml.

            Examples:
              aurum odoo check --values
              aurum odoo sync --dry-run
              aurum odoo sync --entity supplier
            """,
        subcommands: [Check.self, Sync.self, Import.self])

    /// `aurum odoo check`: the preflight an integrator runs first.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reach Odoo; report version, protocol and user; check every mapped model, field and look-up value exists. Exits 1 on a problem.",
            discussion: """
                --values also reads the golden records: every look-up value they use must exist in \
                Odoo, and every value must be one Odoo keeps as it is, by what its fields_get says: \
                a float keeps the decimals of its decimal precision (0.021 kg in a field of 2 \
                decimals becomes 0.02), a selection takes only its own values, a text with a size \
                is cut to it.

                Examples:
                  aurum odoo check
                  aurum odoo check --values
                """)

        @OptionGroup var odoo: OdooOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var rulesOptions: RulesOptions
        var rules: String { rulesOptions.rules }
        @Flag(help: "Also check the golden records' values: look-ups that exist, values Odoo keeps as they are (digits, selections, sizes; needs the database).") var values = false
        @Flag(help: "Print JSON: {server, problems}.") var json = false

        func run() async throws {
            let ruleSet = try loadRules(rules)
            let mapping = try Self.mapping(ruleSet, rules)
            let logger = makeLogger("aurum.odoo")
            let (client, info) = try await odoo.connected(logger: logger)
            var problems = await OdooPreflight(client: client, mapping: mapping, version: info.major).check()
            if values {
                problems += try await database.withMigratedDatabase(logger: logger) { db in
                    let store = PostgresStewardshipStore(client: db, rules: ruleSet, logger: logger)
                    return await OdooPreflight(client: client, mapping: mapping, version: info.major).checkValues(store: store)
                }
            }
            if json {
                print(JSONOutput.string(CheckReport(server: .init(version: info.serverVersion, protocolName: info.protocolName.rawValue, uid: info.uid), problems: problems)))
            } else {
                print("Odoo \(info.serverVersion) at \(odoo.url ?? ProcessInfo.processInfo.environment["ODOO_URL"] ?? ""), protocol \(info.protocolName.rawValue), signed in as uid \(info.uid)")
                print(problems.isEmpty ? "mapping: ok — \(counted(mapping.entities.count, "entity", "entities")), every model, field and look-up found" : "\(counted(problems.count, "problem")):")
                problems.forEach { print("  " + $0) }
            }
            if !problems.isEmpty { throw ExitCode.failure }
        }

        struct CheckReport: Encodable {
            struct Server: Encodable {
                var version: String
                var protocolName: String
                var uid: Int
                enum CodingKeys: String, CodingKey { case version, protocolName = "protocol", uid }
            }
            var server: Server
            var problems: [String]
        }

        static func mapping(_ rules: RuleSet, _ directory: String) throws -> OdooMapping {
            guard let mapping = rules.odoo else {
                printError("error: \(directory)/consumers/odoo.yaml is missing; it maps golden records to Odoo models and fields")
                throw ExitCode.failure
            }
            return mapping
        }
    }

    /// `aurum odoo sync`: upsert every current golden record into Odoo.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upsert every current golden record into Odoo by external id; prints created, updated, archived, unchanged and failed with reasons.",
            discussion: """
                Exits 1 when any record failed. With --dry-run nothing is written: Odoo is read and the \
                would-be actions are printed.

                Examples:
                  aurum odoo sync --dry-run
                  aurum odoo sync
                """)

        @OptionGroup var run: OdooRunOptions
        @Flag(name: .customLong("dry-run"), help: "Write nothing; say what would be done.") var dryRun = false
        @Flag(help: "Print JSON: {summary, outcomes}.") var json = false

        func run() async throws {
            let dryRun = dryRun
            let outcomes = try await run.withPublisher { store, publisher, entities in
                let total = try await OdooRun.count(store, entities)
                let progress = Progress(total: total)
                var outcomes = [PublishOutcome]()
                try await OdooRun.forEachPage(store, entities) { page in
                    outcomes += await publisher.publish(page, dryRun: dryRun)
                    progress.update(done: outcomes.count, summary: "\(page[0].entity): \(outcomes.count) of \(total)")
                }
                progress.finish()
                return outcomes
            }
            let summary = Dictionary(grouping: outcomes, by: \.action).mapValues(\.count)
            if json {
                print(JSONOutput.string(SyncReport(dryRun: dryRun, summary: Dictionary(uniqueKeysWithValues: summary.map { ($0.key.rawValue, $0.value) }), outcomes: outcomes)))
            } else {
                for outcome in outcomes where outcome.action != .unchanged {
                    let fields = outcome.changedFields.isEmpty ? "" : " (\(outcome.changedFields.joined(separator: ", ")))"
                    print("\(outcome.externalID)  \(dryRun ? Self.wouldBe(outcome.action) : outcome.action.rawValue)\(fields)" + (outcome.failure.map { ": \($0)" } ?? "")
                          + outcome.notes.map { "; \($0)" }.joined())
                }
                let order: [PublishOutcome.Action] = [.created, .updated, .archived, .reactivated, .adopted, .unchanged, .skipped, .failed]
                print((dryRun ? "dry run, nothing written: " : "")
                      + order.map { "\(summary[$0] ?? 0) \(dryRun ? Self.wouldBe($0) : $0.rawValue)" }.joined(separator: ", "))
            }
            if summary[.failed] != nil { throw ExitCode.failure }
        }

        /// What an action would be, said in a dry run ("would be created"); failures and skips as they are.
        static func wouldBe(_ action: PublishOutcome.Action) -> String {
            switch action {
            case .created, .updated, .archived, .reactivated, .adopted: "would be \(action.rawValue)"
            case .unchanged, .skipped, .failed: action.rawValue
            }
        }

        struct SyncReport: Encodable {
            var dryRun: Bool
            var summary: [String: Int]
            var outcomes: [PublishOutcome]
            enum CodingKeys: String, CodingKey { case dryRun = "dry_run", summary, outcomes }
        }
    }
}

/// `aurum reconcile odoo`: compare Odoo with the golden records, writing nothing.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Compare a consumer with the golden records, without writing.",
        discussion: """
            Examples:
              aurum reconcile odoo
              aurum reconcile odoo --entity supplier --json
            """,
        subcommands: [Odoo.self])

    struct Odoo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "odoo",
            abstract: "Report records missing in Odoo, extra external ids, and fields that differ from the golden records. Exits 1 on drift.",
            discussion: """
                With --repair, each record missing in Odoo or differing is queued again in the outbox \
                (its current version, for the Odoo consumer), and the publisher puts it right; \
                extra external ids are only reported.

                Examples:
                  aurum reconcile odoo
                  aurum reconcile odoo --entity supplier --json
                  aurum reconcile odoo --repair
                """)

        @OptionGroup var run: OdooRunOptions
        @Flag(help: "Print JSON: {records, drift, requeued}.") var json = false
        @Flag(help: "Queue the drifted records again in the outbox for the Odoo consumer.") var repair = false

        func run() async throws {
            let repair = repair, actor = try run.database.actorName
            let (count, drift, requeued) = try await run.withPublisher { store, publisher, entities in
                var drift = [OdooDrift]()
                var known = [String: Set<Int64>]()
                var count = 0
                try await OdooRun.forEachPage(store, entities) { page in
                    count += page.count
                    known[page[0].entity, default: []].formUnion(page.map(\.id))
                    drift += await publisher.reconcile(page)
                }
                for entity in entities { drift += try await publisher.extras(entity: entity, known: known[entity] ?? []) }
                let repairable = drift.filter { $0.kind == .missing || $0.kind == .differs }.compactMap(\.recordID)
                let odoo = ConsumerRegistration(name: "odoo", kind: .odoo, entities: entities, latestOnly: true)
                let requeued = repair ? try await store.requeueCurrent(consumer: odoo, records: repairable, by: actor,
                                                                         requestID: "reconcile-\(UUID().uuidString)") : 0
                return (count, drift, requeued)
            }
            if json {
                print(JSONOutput.string(ReconcileReport(records: count, drift: drift, requeued: repair ? requeued : nil)))
            } else {
                for item in drift {
                    switch item.kind {
                    case .differs:
                        print("\(item.externalID)  differs: " + item.fields.map { "\($0.field) Aurum \(Self.text($0.aurum)) ≠ Odoo \(Self.text($0.odoo))" }.joined(separator: "; "))
                    default:
                        print("\(item.externalID)  \(item.kind.rawValue)" + (item.message.map { ": \($0)" } ?? ""))
                    }
                }
                print(drift.isEmpty ? "no drift: \(count) golden records match Odoo" : "\(drift.count) of \(count) golden records drift from Odoo")
                if repair {
                    print("\(counted(requeued, "record")) queued again in the outbox for Odoo; the publisher (aurum serve or aurum publish) puts "
                          + (requeued == 1 ? "it" : "them") + " right")
                }
            }
            if !drift.isEmpty && !repair { throw ExitCode.failure }
        }

        static func text(_ value: OdooValue) -> String {
            switch value {
            case .string(let s): "\"\(s)\""
            case .array(let pair) where pair.count == 2: "\(pair[1].string ?? "") (\(pair[0].int ?? 0))"
            default: String(decoding: value.jsonData, as: UTF8.self)
            }
        }

        struct ReconcileReport: Encodable {
            var records: Int
            var drift: [OdooDrift]
            var requeued: Int?
        }
    }
}

/// The options sync and reconcile share, and the run they set up: rules, mapping, database, publisher.
struct OdooRunOptions: ParsableArguments {
    @OptionGroup var odoo: OdooOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var rulesOptions: RulesOptions
    var rules: String { rulesOptions.rules }
    @Option(help: "Only this entity.", completion: Completions.entities) var entity: String?

    /// Runs `body` with the store, a publisher for this run and the entities in publishing order.
    func withPublisher<T: Sendable>(_ body: @Sendable @escaping (PostgresStewardshipStore, OdooPublisher, [String]) async throws -> T) async throws -> T {
        let ruleSet = try loadRules(rules)
        let mapping = try OdooCommand.Check.mapping(ruleSet, rules)
        let entities = try OdooRun.entities(mapping, entity)
        let logger = makeLogger("aurum.odoo")
        let publisher = OdooPublisher(client: OdooClient(settings: try odoo.settings(), logger: logger), mapping: mapping)
        return try await database.withMigratedDatabase(logger: logger) { db in
            try await body(PostgresStewardshipStore(client: db, rules: ruleSet, logger: logger), publisher, entities)
        }
    }
}

/// What sync and reconcile share: which entities, and every current golden record of them in order.
enum OdooRun {
    static func entities(_ mapping: OdooMapping, _ only: String?) throws -> [String] {
        guard let only else { return mapping.order }
        guard mapping.entities[only] != nil else {
            throw ValidationError("rules/consumers/odoo.yaml does not map \(only); it maps \(mapping.order.joined(separator: ", "))")
        }
        return [only]
    }

    static func count(_ store: PostgresStewardshipStore, _ entities: [String]) async throws -> Int {
        var total = 0
        for entity in entities { total += try await store.recordCount(entity: entity) }
        return total
    }

    static func forEachRecord(_ store: PostgresStewardshipStore, _ entities: [String], _ body: (RecordView) async throws -> Void) async throws {
        try await forEachPage(store, entities) { page in for record in page { try await body(record) } }
    }

    /// Pages of up to `size` records of one entity, entity by entity in publishing order.
    static func forEachPage(_ store: PostgresStewardshipStore, _ entities: [String], size: Int = 100,
                            _ body: ([RecordView]) async throws -> Void) async throws {
        for entity in entities {
            var after: Int64 = 0
            while true {
                let page = try await store.records(entity: entity, afterID: after, limit: size)
                if !page.isEmpty { try await body(page) }
                guard let last = page.last, page.count == size else { break }
                after = last.id
            }
        }
    }
}

/// The preflight: models and fields of this Odoo version, and the look-up values in use.
struct OdooPreflight {
    let client: OdooClient
    let mapping: OdooMapping
    let version: Int

    func check() async -> [String] {
        var problems = [String]()
        for name in mapping.order {
            guard let entity = mapping.entities[name] else { continue }
            problems += await fields(entity.model, entity.fields(for: version).map(\.odooField) + (entity.adoptBy.map { [$0] } ?? []), entity: name)
            for child in entity.children {
                problems += await fields(child.model, child.fields.filter { $0.versions.contains(version) }.map(\.odooField) + [child.parentField], entity: "\(name).\(child.name)")
            }
        }
        do { _ = try await client.call(OdooCall("ir.model.data", "search", ["domain": [["module", "=", .string(mapping.module)]], "limit": 1])) } catch {
            problems.append("ir.model.data cannot be read (\(error)); the integration user needs Administration/Access Rights to keep external ids")
        }
        return problems
    }

    func fields(_ model: String, _ names: [String], entity: String) async -> [String] {
        let found: [String: OdooValue]
        do { found = try await client.call(OdooCall(model, "fields_get", ["attributes": ["type"]])).members ?? [:] } catch {
            return ["\(entity): model \(model): \(error)"]
        }
        return Set(names).sorted().filter { found[$0] == nil }.map { field in
            "\(entity): \(model) has no field \(field) in Odoo \(version)\(Self.suggestion(field, Array(found.keys))); limit it with versions: in rules/consumers/odoo.yaml"
        }
    }

    /// Every look-up value the current golden records use must exist in Odoo, and every number
    /// must be one Odoo keeps as it is (a float field keeps the decimals its digits declare).
    func checkValues(store: PostgresStewardshipStore) async -> [String] {
        var wanted = [FieldMapping.Lookup: [String: Set<Int64>]]()
        // What Odoo says of each mapped model's fields: the digits of its floats, the values of
        // its selections, the size of its texts.
        var described = [String: [String: OdooValue]]()
        for name in mapping.order {
            guard let model = mapping.entities[name]?.model, described[model] == nil else { continue }
            described[model] = (try? await client.call(OdooCall(model, "fields_get", ["attributes": ["type", "digits", "selection", "size"]])).members) ?? [:]
        }
        var kept = [String]()
        do {
            try await OdooRun.forEachRecord(store, mapping.order) { record in
                guard let entity = mapping.entities[record.entity] else { return }
                for field in entity.fields(for: version) {
                    let value = try? field.value(for: record.attributes)
                    if case .lookup(let lookup, let key)?? = value { wanted[lookup, default: [:]][key, default: []].insert(record.id) }
                    guard case .value(let json)?? = value, let description = described[entity.model]?[field.odooField] else { continue }
                    if let problem = Self.keptAsIs(json, description, field: "\(entity.model).\(field.odooField)") {
                        kept.append("\(record.entity) \(record.id): \(field.odooField) \(problem)")
                    }
                }
            }
        } catch { return ["cannot read the golden records: \(error)"] }
        var problems = kept
        for (lookup, values) in wanted.sorted(by: { $0.key.model < $1.key.model }) {
            for (key, records) in values.sorted(by: { $0.key < $1.key }) {
                let found = try? await client.call(OdooCall(lookup.model, "search", ["domain": [[.string(lookup.by), "=", .string(key)]], "limit": 1], context: ["active_test": false]))
                if found?.array?.isEmpty != false {
                    problems.append("\(lookup.model) '\(key)' (used by \(records.count) golden records, e.g. \(records.sorted().prefix(3).map(String.init).joined(separator: ", "))) not found in Odoo by \(lookup.by); create it in Odoo or map the value in rules/consumers/odoo.yaml")
                }
            }
        }
        return problems
    }

    /// Why Odoo would not keep `value` as it is in a field `description` (from `fields_get`)
    /// describes: a float rounded to its digits, a selection value it does not offer, a text over
    /// its size; nil when Odoo keeps it.
    static func keptAsIs(_ value: JSONValue, _ description: OdooValue, field: String) -> String? {
        switch value {
        case .number(let number):
            guard let scale = OdooFloat.scale(description), OdooFloat.round(number, scale: scale) != number else { return nil }
            return "\(number) would be kept by Odoo as \(OdooFloat.round(number, scale: scale)) (\(field) keeps \(scale) decimals, "
                + "its decimal precision in Odoo); round the value in Aurum, or raise the precision in Odoo"
        case .string(let text):
            if let options = description["selection"].array {
                let keys = options.compactMap { $0.array?.first?.string }
                if !keys.isEmpty, !keys.contains(text) {
                    return "\"\(text)\" is not a value Odoo offers for \(field) (\(keys.joined(separator: ", "))); Odoo refuses it: "
                        + "correct the value, or map it in rules/consumers/odoo.yaml"
                }
            }
            if let size = description["size"].int, size > 0, text.count > size {
                return "\"\(text)\" is \(text.count) characters; \(field) keeps \(size): Odoo would cut it. Shorten the value, or limit it "
                    + "with max_length in rules/consumers/odoo.yaml"
            }
            return nil
        default:
            return nil
        }
    }

    static func suggestion(_ field: String, _ candidates: [String]) -> String {
        let close = candidates.filter { EditDistance.levenshtein($0, field) <= 2 }.sorted()
        return close.isEmpty ? "" : " (did you mean \(close.map { "\"\($0)\"" }.joined(separator: " or "))?)"
    }
}

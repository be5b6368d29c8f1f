import ArgumentParser
import AurumCore
import AurumPublish
import Foundation

/// `aurum bench odoo`: how fast golden records reach an Odoo (the double in `scripts/bench-odoo.sh`).
struct BenchOdoo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "odoo",
        abstract: "Publish N generated golden records to Odoo twice (create, then unchanged) and time it against a baseline of plain creates.",
        discussion: """
            The baseline, measured in the same run, creates the same records once more with one plain create \
            each: no external ids, look-ups, reads or comparisons. The ratio is the price of idempotence.

            Examples:
              aurum bench odoo --count 1000
            """)

    @OptionGroup var odoo: OdooOptions
    @Option(help: "item or supplier.") var entity = "item"
    @Option(help: "Records to publish.") var count = 1000
    @Option(name: .customLong("batch-size"), help: "Records per create call.") var batchSize = 100
    @OptionGroup var rulesOptions: RulesOptions
    var rules: String { rulesOptions.rules }
    @Option(help: "Seed of the generated data.") var seed: UInt64 = 1

    func validate() throws {
        guard ["item", "supplier"].contains(entity) else { throw ValidationError("--entity must be item or supplier") }
        guard count > 0, batchSize > 0 else { throw ValidationError("--count and --batch-size must be positive") }
    }

    func run() async throws {
        let ruleSet = try loadRules(rules)
        let mapping = try OdooCommand.Check.mapping(ruleSet, rules)
        guard let schema = ruleSet.entities[entity] else { throw ValidationError("no \(entity) in \(rules)") }
        let validator = Validator(schema: schema)
        let data = SyntheticData.generate(entity: entity, count: count, dupRate: 0, seed: seed)
        let records = data.rows.enumerated().map { index, row in
            var raw = Attributes()
            for (name, value) in zip(data.header, row).dropFirst() where !value.isEmpty { raw[name] = .string(value) }
            return RecordView(id: Int64(index + 1), entity: entity, version: 1, state: .active, attributes: validator.validateWithoutStore(raw).attributes,
                              sources: [], updatedAt: "")
        }
        let client = OdooClient(settings: try odoo.settings(), logger: makeLogger("aurum.bench"))
        let info = try await client.connect()
        let publisher = OdooPublisher(client: client, mapping: mapping)
        let clock = ContinuousClock()
        func timed(_ body: () async throws -> Void) async rethrows -> Double {
            let start = clock.now
            try await body()
            return Deduplication.seconds(clock.now - start)
        }
        var first = [PublishOutcome](), second = [PublishOutcome]()
        let create = await timed { for page in stride(from: 0, to: records.count, by: batchSize) {
            first += await publisher.publish(Array(records[page..<min(page + batchSize, records.count)]), batchSize: batchSize)
        } }
        let again = await timed { for page in stride(from: 0, to: records.count, by: batchSize) {
            second += await publisher.publish(Array(records[page..<min(page + batchSize, records.count)]), batchSize: batchSize)
        } }
        // Baseline: the same values, one plain create each, on copies that cannot clash with the published ones.
        let model = mapping.entities[entity]!.model
        let plain = try records.map { record in
            var values = try entityValues(mapping, record, version: info.major)
            values["name"] = .string("copy \(record.id)")
            for field in ["default_code", "barcode", "vat", "ref"] where values[field] != nil { values[field] = false }
            return values
        }
        let baseline = try await timed { for values in plain { _ = try await client.call(OdooCall(model, "create", ["vals_list": [.struct(values)]])) } }
        let failed = first.filter { $0.action == .failed }
        let f = MatchExplanation.fixed
        print("""
            odoo      \(info.serverVersion) over \(info.protocolName.rawValue); \(count) \(entity) records, batches of \(batchSize)
            sync      \(f(create, 2)) s  \(f(Double(count) / create, 0)) records/s  (\(first.filter { $0.action == .created }.count) created, \(failed.count) failed)
            again     \(f(again, 2)) s  \(f(Double(count) / again, 0)) records/s  (\(second.filter { $0.action == .unchanged }.count) unchanged)
            baseline  \(f(baseline, 2)) s  \(f(Double(count) / baseline, 0)) records/s  (one plain create per record)
            ratio     sync / baseline \(f(create / baseline, 2)), again / baseline \(f(again / baseline, 2))
            """)
        if let failure = failed.first { print("first failure: \(failure.failure ?? "")") }
    }

    /// The record's mapped plain values (look-ups and references left to Odoo's defaults).
    func entityValues(_ mapping: OdooMapping, _ record: RecordView, version: Int) throws -> [String: OdooValue] {
        var values = [String: OdooValue]()
        for (name, value) in try mapping.entities[record.entity]!.values(for: record.attributes, version: version) {
            if case .value(let json)? = value { values[name] = OdooValue(json) }
        }
        return values
    }
}

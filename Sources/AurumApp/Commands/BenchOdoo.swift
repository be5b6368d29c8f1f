import ArgumentParser
import AurumCore
import AurumPublish
import Foundation

/// `aurum bench odoo`: how fast golden records reach an Odoo (the double in `scripts/bench-odoo.sh`).
struct BenchOdoo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "odoo",
        abstract: "Publish N generated golden records to Odoo twice (create, then unchanged) and time it against Odoo's own batched create.",
        discussion: """
            The baseline, measured in the same run, creates the same records (and their children) once more \
            with Odoo's batched create, a page per call: no external ids, look-ups, reads or comparisons. The \
            ratio is the publisher's rate against it, the price of idempotence (goal: at least 0.80).

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
            // Each supplier with a bank account, as a child record of its own in Odoo.
            if entity == "supplier" {
                raw["bank_account"] = .string(CheckDigits.iban(country: "DE", bban: "37040044" + String(String(1_000_000_000 + index).suffix(10))))
                raw["bank_bic"] = "COBADEFFXXX"
            }
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
        let callsBefore = await client.calls
        let create = await timed { for page in stride(from: 0, to: records.count, by: batchSize) {
            first += await publisher.publish(Array(records[page..<min(page + batchSize, records.count)]), batchSize: batchSize)
        } }
        let syncCalls = await client.calls - callsBefore
        let again = await timed { for page in stride(from: 0, to: records.count, by: batchSize) {
            second += await publisher.publish(Array(records[page..<min(page + batchSize, records.count)]), batchSize: batchSize)
        } }
        // Baseline: Odoo's own batched create of the same records (copies that cannot clash with
        // the published ones), a page per call, and their children a page per call: no external
        // ids, look-ups, reads or comparisons.
        let entityMapping = mapping.entities[entity]!
        let plain = try records.map { record in
            var values = try plainValues(entityMapping.fields(for: info.major), record.attributes)
            values["name"] = .string("copy \(record.id)")
            for field in ["default_code", "barcode", "vat", "ref"] where values[field] != nil { values[field] = false }
            let children = try entityMapping.children.filter { record.attributes[$0.requires] != nil }.map { child in
                (child, try plainValues(child.fields.filter { $0.versions.contains(info.major) }, record.attributes))
            }
            return (values, children)
        }
        let baselineBefore = await client.calls
        let baseline = try await timed { for page in stride(from: 0, to: plain.count, by: batchSize) {
            let rows = Array(plain[page..<min(page + batchSize, plain.count)])
            let created = try await client.call(OdooCall(entityMapping.model, "create", ["vals_list": .array(rows.map { .struct($0.0) })]))
            let ids = created.array?.compactMap(\.int) ?? []
            for child in entityMapping.children {
                let children = zip(rows, ids).compactMap { row, id in
                    row.1.first { $0.0 == child }.map { OdooValue.struct($0.1.merging([child.parentField: .int(id)]) { _, parent in parent }) }
                }
                if !children.isEmpty { _ = try await client.call(OdooCall(child.model, "create", ["vals_list": .array(children)])) }
            }
        } }
        let baselineCalls = await client.calls - baselineBefore
        let failed = first.filter { $0.action == .failed }
        let f = MatchExplanation.fixed
        let pages = Double((count + batchSize - 1) / batchSize)
        let children = entityMapping.children.isEmpty ? "" : " (with their \(entityMapping.children.map(\.name).joined(separator: ", ")))"
        print("""
            odoo      \(info.serverVersion) over \(info.protocolName.rawValue); \(count) \(entity) records\(children), pages of \(batchSize)
            sync      \(f(create, 2)) s  \(f(Double(count) / create, 0)) records/s  (\(first.filter { $0.action == .created }.count) created, \(failed.count) failed; external ids and page reads included)
            again     \(f(again, 2)) s  \(f(Double(count) / again, 0)) records/s  (\(second.filter { $0.action == .unchanged }.count) unchanged)
            baseline  \(f(baseline, 2)) s  \(f(Double(count) / baseline, 0)) records/s  (Odoo's batched create of the same records, a page per call)
            calls     sync \(f(Double(syncCalls) / pages, 1)) per page, baseline \(f(Double(baselineCalls) / pages, 1)) per page
            ratio     sync reaches \(f(baseline / create, 2)) of the batched create's rate (goal ≥ 0.80); again / baseline time \(f(again / baseline, 2))
            """)
        if let failure = failed.first { print("first failure: \(failure.failure ?? "")") }
    }

    /// The mapped plain values of `fields` for `attributes` (look-ups and references left to Odoo's defaults).
    func plainValues(_ fields: [FieldMapping], _ attributes: Attributes) throws -> [String: OdooValue] {
        var values = [String: OdooValue]()
        for field in fields { if case .value(let json)? = try field.value(for: attributes) { values[field.odooField] = OdooValue(json) } }
        return values
    }
}

import ArgumentParser
import AurumCore
import AurumPublish
import AurumStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// What an import did for one entity.
struct OdooImportReport: Encodable, Sendable {
    var entity: String
    /// first (golden records in bulk, bound to Odoo's) or incremental (candidates through the flow).
    var mode: String
    /// Odoo records read.
    var read = 0
    /// First: golden records made. Incremental: new records proposed (creates).
    var new = 0
    /// Incremental: changes to golden records proposed (an edit in Odoo, a new source key).
    var updates = 0
    /// Read, and nothing Aurum does not know already.
    var unchanged = 0
    /// First: Odoo records (and children) given Aurum's external id. Incremental: records Aurum
    /// published whose Odoo id is now one of the golden record's source keys.
    var linked = 0
    /// Pairs of Odoo records that may be one thing (first), or creates flagged as possible
    /// duplicates of a golden record (incremental).
    var possibleDuplicates = 0
    /// Records edited in Odoo whose edit does not survive (a more trusted source owns the
    /// field): queued for Odoo again, so Aurum's value is put back.
    var putBack = 0
    /// First: records Odoo keeps archived, loaded as obsolete golden records. Incremental:
    /// records archived in Odoo (those Aurum does not know are left out).
    var archived = 0
    /// Incremental: active golden records whose Odoo record someone archived; a steward makes them
    /// obsolete (aurum obsolete), or a sync re-activates them.
    var archivedInOdoo = [Int64]()
    /// Records that failed validation or were refused, with why.
    var invalid = [Problem]()
    /// First: the pairs for a steward, strongest first (golden ids and Odoo ids).
    var review = [ReviewPair]()
    /// The write_date this import read from (nil: every record).
    var readFrom: String?
    /// The write_date the next import reads from.
    var watermark: String?
    /// Whether a pass interrupted before was resumed.
    var resumed = false

    struct Problem: Encodable, Sendable {
        var odooID: String
        var message: String
        enum CodingKeys: String, CodingKey { case odooID = "odoo_id", message }
    }

    struct ReviewPair: Encodable, Sendable {
        var a: Side
        var b: Side
        var weight: Double
        var explanation: String
        struct Side: Encodable, Sendable {
            var odooID: String
            var record: Int64?
            var name: String?
            enum CodingKeys: String, CodingKey { case odooID = "odoo_id", record, name }
        }
    }

    enum CodingKeys: String, CodingKey {
        case entity, mode, read, new, updates, unchanged, linked, possibleDuplicates = "possible_duplicates", putBack = "put_back", archived,
             archivedInOdoo = "archived_in_odoo", invalid, review, readFrom = "read_from", watermark, resumed
    }
}

/// `aurum odoo import` and the watcher in `aurum serve`: Odoo's records in as the source `odoo`.
///
/// Into an empty store (per entity) the first import brings the records in as golden records in
/// bulk, `aurum load`'s path, and gives each Odoo record Aurum's external id, so the first
/// publication updates it. Every later import reads what was written in Odoo since the watermark
/// and sends it through the ingest flow: a record made by hand in Odoo becomes a create (a
/// possible duplicate when it resembles a golden record), an edit of a governed field a change
/// for the steward. Each page's candidates commit with the cursor, so an interrupted import
/// resumes after the last page it finished.
struct OdooImportRun: Sendable {
    let store: PostgresStewardshipStore
    let odoo: OdooClient
    let publisher: OdooPublisher
    let rules: RuleSet
    let mapping: OdooMapping
    let version: Int
    let actor: String
    let auditKey: AuditKey?
    let logger: Logger
    /// Pages of this many records.
    var pageSize = 500
    /// Told what is happening (a terminal's progress line); nil: quiet.
    var progress: (@Sendable (_ done: Int, _ total: Int, _ summary: String) -> Void)?

    var client: PostgresClient { store.client }
    var source: String { "odoo" }

    /// Imports `entities` (in the mapping's order); `since` reads from that write_date instead of
    /// the watermark (for one run, the watermark kept as it was); `dryRun` writes nothing.
    func run(entities: [String], since: String? = nil, dryRun: Bool = false) async throws -> [OdooImportReport] {
        var reports = [OdooImportReport]()
        for entity in mapping.order where entities.contains(entity) {
            guard let entityMapping = mapping.entities[entity], let schema = rules.entities[entity] else { continue }
            reports.append(try await importEntity(entityMapping, schema: schema, since: since, dryRun: dryRun))
        }
        return reports
    }

    func importEntity(_ entity: EntityMapping, schema: EntitySchema, since: String?, dryRun: Bool) async throws -> OdooImportReport {
        let stored = try await store.importCursor(entity: entity.entity)
        var cursor: OdooImportCursor
        if let stored { cursor = stored } else {
            cursor = .fresh(entity: entity.entity, model: entity.model, storeIsEmpty: try await store.recordCount(entity: entity.entity) == 0)
        }
        var report = OdooImportReport(entity: entity.entity, mode: cursor.mode.rawValue)
        report.resumed = cursor.running
        cursor = cursor.begun(at: OdooInstant.text(Date()))
        // An interrupted pass is finished as it began; --since applies to a new one.
        let sinceApplies = since != nil && !report.resumed
        if let since, sinceApplies { cursor.watermark = since }
        if !dryRun { try await store.save(cursor) }
        report.readFrom = cursor.watermark
        let page = OdooImportPage(reader: OdooReader(client: odoo, pageSize: pageSize), mapping: mapping, version: version)
        let model = try await describe(entity.model)
        let domain = cursor.domain(entity.importDomain).map { OdooValue($0) }
        let total = (try? await odoo.call(OdooCall(entity.model, "search_count", ["domain": .array(domain)], context: ["active_test": false])).int) ?? 0
        if cursor.mode == .first {
            cursor = try await first(entity, schema: schema, page: page, model: model, domain: domain, cursor: cursor, total: total, dryRun: dryRun,
                                     report: &report)
        } else {
            cursor = try await incremental(entity, schema: schema, page: page, model: model, domain: domain, cursor: cursor, total: total, dryRun: dryRun,
                                           report: &report)
        }
        var done = cursor.finished()
        if sinceApplies { done.watermark = stored?.watermark ?? done.watermark }
        report.watermark = done.watermark
        if !dryRun { try await store.save(done) }
        return report
    }

    // MARK: First import

    /// Every record read, validated and checked for duplicates among themselves, loaded as
    /// version 1 of golden records, then bound to the Odoo records they came from.
    func first(_ entity: EntityMapping, schema: EntitySchema, page: OdooImportPage, model: Described, domain: [OdooValue], cursor start: OdooImportCursor,
               total: Int, dryRun: Bool, report: inout OdooImportReport) async throws -> OdooImportCursor {
        var cursor = start
        var imported = [OdooImportedRecord]()
        // A first import reads everything again when resumed: the load skips what it wrote before.
        try await page.reader.forEachPage(entity.model, fields: page.fields(entity, present: model.fields), domain: domain, after: 0) { records in
            imported += try await page.candidates(records, entity: entity, schema: schema, source: source)
            cursor = cursor.advanced(to: records.last?["id"].int ?? 0, writeDates: records.compactMap { $0["write_date"].string })
            progress?(imported.count, total, "\(entity.entity): \(imported.count) read from Odoo")
            return true
        }
        report.read = imported.count
        let validator = Validator(schema: schema)
        var valid = [(record: OdooImportedRecord, attributes: Attributes)]()
        for record in imported {
            let verdict = validator.validateWithoutStore(record.candidate.attributes)
            if verdict.isValid {
                valid.append((record, verdict.attributes))
            } else {
                report.invalid.append(.init(odooID: record.candidate.sourceKey, message: Self.text(verdict.errors)))
            }
        }
        // Odoo's own duplicates: listed for a steward, each kept as its own golden record (each is a
        // live Odoo record with its own stock and orders; merging them is a steward's decision).
        var pairs = [ScoredPair]()
        if let match = schema.match, valid.count > 1 {
            let records = valid.map { MatchRecord(id: $0.record.candidate.sourceKey, attributes: $0.attributes, rules: match) }
            pairs = await Deduplication.run(records, rules: match, parallelism: ProcessInfo.processInfo.activeProcessorCount).pairs
            report.possibleDuplicates = pairs.count
        }
        var owners = [String: String]()
        let instant = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        var load = [BulkLoad.Record]()
        for (record, attributes) in valid {
            let key = record.candidate.sourceKey
            if let clash = Load.uniqueClash(attributes, schema: schema, owner: key, owners: &owners) {
                report.invalid.append(.init(odooID: key, message: clash.replacingOccurrences(of: "of the file", with: "read from Odoo")))
                continue
            }
            let contribution = SourceContribution(source: source, sourceKey: key, attributes: [:]).updated(with: attributes, at: instant)
            var golden = Load.record([contribution], schema: schema, trust: rules.trust)
            if record.archived {
                golden.state = .obsolete  // archived in Odoo: kept as a retired golden record, and published as archived
                report.archived += 1
            }
            load.append(golden)
        }
        if dryRun {
            report.new = load.count
            report.review = pairs.prefix(1000).map { pair in review(pair, valid.map(\.record), golden: [:]) }
            return cursor
        }
        let loadID = "odoo-import-" + UUID().uuidString.prefix(8).lowercased()
        let loader = BulkLoad(client: client, rules: rules, entity: entity.entity, actor: actor, loadID: loadID, auditKey: auditKey, logger: logger)
        var written = 0
        for start in stride(from: 0, to: load.count, by: 1000) {
            let outcome = try await loader.write(Array(load[start..<min(start + 1000, load.count)]))
            report.new += outcome.loaded
            report.unchanged += outcome.skipped
            report.invalid += outcome.refused.map { .init(odooID: $0.sourceKey, message: $0.message) }
            written += outcome.loaded + outcome.skipped
            progress?(written, load.count, "\(entity.entity): \(report.new) golden records made")
        }
        if report.new > 0 {
            try await loader.finish(summary: ["source": .string(source), "model": .string(entity.model), "read": .number(Double(report.read)),
                                              "loaded": .number(Double(report.new)), "invalid": .number(Double(report.invalid.count)),
                                              "possible_duplicates": .number(Double(report.possibleDuplicates))])
        }
        // Every Odoo record loaded (by this run or one interrupted before) gets Aurum's external id.
        let golden = try await store.records(entity: entity.entity, source: source, keys: imported.map(\.candidate.sourceKey))
        var bindings = [(externalID: String, model: String, id: Int)]()
        for record in imported {
            guard let id = golden[record.candidate.sourceKey] else { continue }
            bindings.append((mapping.externalID(entity: entity.entity, id: id), entity.model, record.odooID))
            for child in entity.children { if let childID = record.children[child.name] {
                bindings.append((mapping.externalID(entity: entity.entity, id: id, child: child.name), child.model, childID))
            } }
        }
        progress?(0, bindings.count, "\(entity.entity): binding Odoo's records to the golden records")
        report.linked = try await publisher.bindExisting(bindings)
        report.review = pairs.prefix(1000).map { pair in review(pair, valid.map(\.record), golden: golden) }
        return cursor
    }

    func review(_ pair: ScoredPair, _ records: [OdooImportedRecord], golden: [String: Int64]) -> OdooImportReport.ReviewPair {
        func side(_ record: OdooImportedRecord) -> OdooImportReport.ReviewPair.Side {
            .init(odooID: record.candidate.sourceKey, record: golden[record.candidate.sourceKey], name: record.candidate.attributes["name"]?.stringValue)
        }
        return .init(a: side(records[pair.a]), b: side(records[pair.b]), weight: pair.weight, explanation: MatchExplanation.line(pair))
    }

    // MARK: Incremental import

    /// The records written since the watermark, a page at a time through the ingest flow, each
    /// page committed with the cursor.
    func incremental(_ entity: EntityMapping, schema: EntitySchema, page: OdooImportPage, model: Described, domain: [OdooValue], cursor start: OdooImportCursor,
                     total: Int, dryRun: Bool, report: inout OdooImportReport) async throws -> OdooImportCursor {
        var cursor = start
        let caller = Principal(tokenID: 0, name: actor, role: .source, entities: [entity.entity], sources: [source])
        let requestID = "odoo-import-" + UUID().uuidString.prefix(8).lowercased()
        var summary = report
        try await page.reader.forEachPage(entity.model, fields: page.fields(entity, present: model.fields), domain: domain, after: cursor.lastID) { records in
            var imported = try await page.candidates(records, entity: entity, schema: schema, source: source)
            let next = cursor.advanced(to: records.last?["id"].int ?? 0, writeDates: records.compactMap { $0["write_date"].string })
            summary.read += imported.count
            let known = try await store.records(entity: entity.entity, source: source, keys: imported.map(\.candidate.sourceKey))
            // Of a record Aurum publishes, Odoo says only what it adds to or changes in the golden record.
            let ids = Set(imported.compactMap { known[$0.candidate.sourceKey] ?? $0.boundTo }).sorted()
            let golden = Dictionary(uniqueKeysWithValues: try await store.records(entity: entity.entity, ids: ids).map { ($0.id, $0) })
            for index in imported.indices {
                guard let id = known[imported[index].candidate.sourceKey] ?? imported[index].boundTo, let view = golden[id] else { continue }
                imported[index].candidate.attributes = entity.withoutWhatIsPublished(imported[index].candidate.attributes, golden: view.attributes,
                                                                                     version: version, required: model.required)
            }
            // Archived in Odoo: a record Aurum does not know is left out; a golden record still active is named.
            summary.archived += imported.filter(\.archived).count
            for record in imported where record.archived {
                if let id = known[record.candidate.sourceKey] ?? record.boundTo, golden[id]?.state == .active { summary.archivedInOdoo.append(id) }
            }
            imported.removeAll { $0.archived && known[$0.candidate.sourceKey] == nil && $0.boundTo == nil }
            // A record Aurum published (its external id on it) and read back for the first time:
            // its Odoo id joins the golden record's source keys, as what Odoo holds now.
            let published = imported.filter { known[$0.candidate.sourceKey] == nil && $0.boundTo != nil }
            let submitted = imported.filter { known[$0.candidate.sourceKey] != nil || $0.boundTo == nil }
            if dryRun {
                summary.linked += published.count
                summary.new += submitted.filter { known[$0.candidate.sourceKey] == nil }.count
                summary.updates += submitted.filter { known[$0.candidate.sourceKey] != nil }.count
                cursor = next
                progress?(summary.read, total, "\(entity.entity): \(summary.read) read")
                return true
            }
            summary.linked += try await store.linkSourceKeys(entity: entity.entity, source: source,
                                                             links: published.map { ($0.candidate.sourceKey, $0.boundTo!, $0.candidate.attributes) },
                                                             by: actor, requestID: requestID).count
            let store = store
            let results = try await store.ingest(submitted.map(\.candidate), by: caller, requestID: requestID) { connection in
                try await store.save(next, on: connection)
            }
            cursor = next
            var putBack = [Int64]()
            for (record, result) in zip(submitted, results) {
                let key = record.candidate.sourceKey
                switch result.status {
                case .rejected:
                    summary.invalid.append(.init(odooID: key, message: Self.text(result.errors)))
                case .unchanged:
                    summary.unchanged += 1
                    // (An archive made in Odoo is a steward's to settle, named above, not put back.)
                    if let golden = known[key], !record.archived { putBack.append(golden) }
                case .proposed:
                    if known[key] == nil, result.match?.band != .autoLink { summary.new += 1 } else { summary.updates += 1 }
                    if result.match?.band == .review { summary.possibleDuplicates += 1 }
                }
            }
            summary.putBack += try await putBackWhereOdooDiffers(putBack.compactMap { golden[$0] })
            progress?(summary.read, total, "\(entity.entity): \(summary.read) read, \(summary.new) new, \(summary.updates) changes")
            return true
        }
        report = summary
        return cursor
    }

    /// Of `records` (golden records whose Odoo record was read and said nothing that survives),
    /// those Odoo holds otherwise than Aurum are queued for Odoo again: Aurum's value is put back.
    func putBackWhereOdooDiffers(_ views: [RecordView]) async throws -> Int {
        guard !views.isEmpty else { return 0 }
        let drifted = await publisher.reconcile(views).filter { $0.kind == .differs }.compactMap(\.recordID)
        guard !drifted.isEmpty else { return 0 }
        let odoo = ConsumerRegistration(name: "odoo", kind: .odoo, entities: mapping.order, latestOnly: true)
        return try await store.requeueCurrent(consumer: odoo, records: drifted, why: "edited in Odoo; a more trusted source's value stands",
                                              by: actor, requestID: "odoo-import-put-back")
    }

    /// What Odoo says of a model's fields: which it has, and which it requires (it fills those with
    /// its own default when Aurum leaves them empty).
    struct Described: Sendable {
        var fields: Set<String>
        var required: Set<String>
    }

    func describe(_ model: String) async throws -> Described {
        let fields = try await odoo.call(OdooCall(model, "fields_get", ["attributes": ["required"]])).members ?? [:]
        return Described(fields: Set(fields.keys), required: Set(fields.filter { $0.value["required"] == true }.keys))
    }

    static func text(_ findings: [Finding]) -> String {
        findings.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; ")
    }
}

extension OdooCommand {
    /// `aurum odoo import`: what Odoo already holds, in as the source `odoo`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Bring Odoo's products, partners and warehouses in: on the first day as golden records bound to Odoo's, later what changed in Odoo as candidates.",
            discussion: """
                Reads each mapped entity's Odoo records page by page (by id, never by offset) and maps \
                them back through rules/consumers/odoo.yaml, children too (bank accounts, vendor lines). \
                Partners are suppliers or customers by each entity's import_domain (by rank in the \
                shipped rules). Each record comes in as the source odoo, keyed by its Odoo id.

                First import (the store holds no record of the entity yet): the records are validated, \
                checked for duplicates among themselves and loaded as version 1 of golden records, each \
                bound to the Odoo record it came from by Aurum's external id (aurum.<entity>_<id>), so \
                the first publication updates it and creates nothing. Pairs that may be one thing are \
                listed for a steward (each stays its own record until a steward merges them); invalid \
                records are listed with why and left out.

                Every later import reads what was written in Odoo since the last one (write_date, kept \
                per entity) and sends it through the ingest flow: a record made by hand in Odoo reaches \
                the steward's queue as a new record or a possible duplicate, an edit of a governed \
                field as a change to approve or reject. An edit a more trusted source outranks does not \
                survive; the record is queued for Odoo again and Aurum's value put back. \
                Interrupted, it is run again and goes on after the last page it finished; nothing is \
                imported twice. Invalid records do not fail the command (exit 0); they are listed.

                Examples:
                  aurum odoo import --dry-run
                  aurum odoo import
                  aurum odoo import --entity item --entity supplier --json
                  aurum odoo import --entity item --since 2d
                """)

        @OptionGroup var odoo: OdooOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var rulesOptions: RulesOptions
        @Option(name: .customLong("entity"), help: "Only this entity (repeat for more); default: every mapped one.", completion: Completions.entities)
        var entities: [String] = []
        @Option(help: ArgumentHelp("Read what was written since then, for this run (an interrupted import is finished first): 2d, 12h, 2026-12-01 or '2026-12-01 08:00:00' (UTC).", valueName: "when"))
        var since: String?
        @Flag(name: .customLong("dry-run"), help: "Read Odoo and say what would be done; write nothing.") var dryRun = false
        @Option(name: .customLong("page-size"), help: "Odoo records read per call.") var pageSize = 500
        @Flag(help: "Print JSON: {dry_run, entities: [{entity, mode, read, new, updates, unchanged, linked, possible_duplicates, put_back, invalid, review, watermark}]}.")
        var json = false

        func validate() throws {
            guard (1...5000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 5000") }
            if let since, Self.instant(since) == nil {
                throw ValidationError("--since \(since): expected \(DurationText.allowed), a date YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS' (UTC)")
            }
        }

        /// `--since` in Odoo's form: a duration ago, a day, or Odoo's own form.
        static func instant(_ text: String, now: Date = Date()) -> String? {
            if let seconds = DurationText.seconds(text) { return OdooInstant.text(now.addingTimeInterval(-Double(seconds))) }
            if OdooInstant.date(text) != nil { return text }
            if text.utf8.count == 10, OdooInstant.date(text + " 00:00:00") != nil { return text + " 00:00:00" }
            return nil
        }

        func run() async throws {
            let started = ContinuousClock.now
            let ruleSet = try loadRules(rulesOptions.rules)
            let mapping = try OdooCommand.Check.mapping(ruleSet, rulesOptions.rules)
            for entity in entities where mapping.entities[entity] == nil {
                throw ValidationError("rules/consumers/odoo.yaml does not map \(entity); it maps \(mapping.order.joined(separator: ", "))")
            }
            let logger = makeLogger("aurum.odoo")
            let (client, info) = try await odoo.connected(logger: logger)
            let wanted = entities.isEmpty ? mapping.order : entities
            let actor = try database.actorName, auditKey = try database.auditKey(for: ruleSet, entities: wanted)
            let since = since.flatMap { Self.instant($0) }, dryRun = dryRun, pageSize = pageSize
            let progress = Mutex<Progress?>(nil)
            let reports = try await database.withMigratedDatabase(logger: logger) { db in
                try await PostgresDeliveryQueue(client: db, logger: logger).declare(ruleSet.consumers)
                let store = PostgresStewardshipStore(client: db, rules: ruleSet, auditKey: auditKey, logger: logger)
                try await store.requireAuditKey(auditKey)
                var run = OdooImportRun(store: store, odoo: client, publisher: OdooPublisher(client: client, mapping: mapping), rules: ruleSet,
                                        mapping: mapping, version: info.major, actor: actor, auditKey: auditKey, logger: logger)
                run.pageSize = pageSize
                run.progress = { done, total, summary in
                    progress.withLock { bar in
                        if bar?.total != total { bar?.finish(); bar = Progress(total: total) }
                        bar?.update(done: min(done, total), summary: summary)
                    }
                }
                let importer = run
                guard let reports = try await store.whileImportingAlone({ try await importer.run(entities: wanted, since: since, dryRun: dryRun) }) else {
                    printError("error: another process is importing from Odoo (aurum odoo import, or aurum serve with import_every); run this when it is done")
                    throw ExitCode.failure
                }
                return reports
            }
            progress.withLock { $0?.finish() }
            if json {
                AurumApp.print(JSONOutput.string(Report(dryRun: dryRun, entities: reports, seconds: Deduplication.seconds(ContinuousClock.now - started))))
                return
            }
            for report in reports { Self.say(report, dryRun: dryRun) }
            AurumApp.print("\(dryRun ? "dry run, nothing written; " : "")\(MatchExplanation.fixed(Deduplication.seconds(ContinuousClock.now - started), 1)) s")
        }

        struct Report: Encodable {
            var dryRun: Bool
            var entities: [OdooImportReport]
            var seconds: Double
            enum CodingKeys: String, CodingKey { case dryRun = "dry_run", entities, seconds }
        }

        static func say(_ report: OdooImportReport, dryRun: Bool) {
            let would = dryRun ? "would be " : ""
            var parts = ["\(report.read) read"]
            if report.mode == "first" {
                parts.append("\(report.new) golden records \(dryRun ? "would be made" : "made")")
                if !dryRun { parts.append("\(report.linked) Odoo records bound to them (external ids added)") }
                if report.unchanged > 0 { parts.append("\(report.unchanged) loaded before") }
                parts.append("\(counted(report.possibleDuplicates, "pair")) of possible duplicates")
                if report.archived > 0 { parts.append("\(report.archived) archived in Odoo (obsolete in Aurum)") }
            } else {
                parts += ["\(report.new) new", "\(counted(report.updates, "change")) \(would)proposed", "\(report.unchanged) unchanged",
                          "\(report.linked) \(would)linked", "\(report.possibleDuplicates) possible duplicates", "\(report.putBack) put back"]
            }
            parts.append("\(report.invalid.count) invalid")
            AurumApp.print("\(report.entity) (\(report.mode == "first" ? "first import" : report.readFrom.map { "written since \($0)" } ?? "every record")"
                        + "\(report.resumed ? ", resumed" : "")): " + parts.joined(separator: ", "))
            if !report.archivedInOdoo.isEmpty {
                AurumApp.print("  archived in Odoo, active in Aurum: \(report.entity) " + report.archivedInOdoo.map(String.init).joined(separator: ", ")
                               + " (aurum obsolete \(report.entity) ID --reason …, or aurum odoo sync to re-activate)")
            }
            for problem in report.invalid.prefix(20) { AurumApp.print("  invalid Odoo \(report.entity) \(problem.odooID): \(problem.message)") }
            if report.invalid.count > 20 { AurumApp.print("  … \(report.invalid.count - 20) more (--json lists them all)") }
            for pair in report.review.prefix(20) {
                func side(_ side: OdooImportReport.ReviewPair.Side) -> String {
                    (side.record.map { "\(report.entity) \($0) " } ?? "") + "(Odoo \(side.odooID)" + (side.name.map { " \"\($0)\"" } ?? "") + ")"
                }
                AurumApp.print("  possible duplicate: \(side(pair.a)) ~ \(side(pair.b))  weight \(MatchExplanation.fixed(pair.weight, 1))"
                            + (pair.a.record != nil && pair.b.record != nil ? "  → aurum merge \(report.entity) \(pair.b.record!) --into \(pair.a.record!)" : ""))
            }
            if report.review.count > 20 { AurumApp.print("  … \(report.review.count - 20) more pairs (--json lists them all)") }
        }
    }
}

/// `aurum serve` watching Odoo: every `import_every` (rules/consumers/odoo.yaml) the incremental
/// import of every mapped entity, by one process of all that watch (the others skip that round).
struct OdooWatcher: Service {
    let store: PostgresStewardshipStore
    let client: OdooClient
    let mapping: OdooMapping
    let rules: RuleSet
    let every: Duration
    let auditKey: AuditKey?
    let logger: Logger

    static var actor: String { "odoo-import@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)" }

    func run() async throws {
        logger.info("watching Odoo", metadata: ["aurum.import_every": "\(every)"])
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await once()
                try? await Task.sleep(for: every)
            }
        } onGracefulShutdown: {
            logger.info("watching Odoo stops after the import in hand")
        }
    }

    /// One import of what changed; a failure is logged, and the next round tries again.
    func once() async {
        do {
            let info = try await client.connect()
            let run = OdooImportRun(store: store, odoo: client, publisher: OdooPublisher(client: client, mapping: mapping), rules: rules,
                                    mapping: mapping, version: info.major, actor: Self.actor, auditKey: auditKey, logger: logger)
            guard let reports = try await store.whileImportingAlone({ try await run.run(entities: mapping.order) }) else {
                logger.debug("another process is importing from Odoo; this round is skipped")
                return
            }
            for report in reports where report.read > 0 {
                logger.info("imported from Odoo", metadata: [
                    "aurum.entity": "\(report.entity)", "aurum.read": "\(report.read)", "aurum.new": "\(report.new)", "aurum.updates": "\(report.updates)",
                    "aurum.linked": "\(report.linked)", "aurum.put_back": "\(report.putBack)", "aurum.invalid": "\(report.invalid.count)",
                ])
            }
        } catch {
            logger.warning("importing from Odoo failed; the next round tries again", metadata: ["aurum.error": "\(error)"])
        }
    }
}

enum OdooWatching {
    /// The watcher `aurum serve` runs: when the rules set import_every and ODOO_URL is set.
    static func watcher(rules: RuleSet, odoo: OdooOptions, store: PostgresStewardshipStore, auditKey: AuditKey?, logger: Logger) throws -> OdooWatcher? {
        guard let mapping = rules.odoo, let seconds = mapping.importEvery else { return nil }
        guard let url = odoo.url ?? ProcessInfo.processInfo.environment["ODOO_URL"], !url.isEmpty else {
            logger.info("import_every is set, but this process does not watch Odoo: ODOO_URL is not set")
            return nil
        }
        return OdooWatcher(store: store, client: OdooClient(settings: try odoo.settings(), logger: logger), mapping: mapping, rules: rules,
                           every: .seconds(seconds), auditKey: auditKey, logger: logger)
    }
}

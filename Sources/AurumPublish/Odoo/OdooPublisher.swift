import AurumCore
import Foundation

/// What publishing one golden record to Odoo did.
public struct PublishOutcome: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case created, updated, unchanged, archived, reactivated, adopted, skipped, failed
    }

    public var entity: String
    public var recordID: Int64
    public var externalID: String
    public var odooModel: String
    public var odooID: Int?
    public var action: Action
    /// Odoo fields written (or that would be, in a dry run).
    public var changedFields: [String] = []
    /// What a person should know: an adopted record, a child record written.
    public var notes: [String] = []
    public var failure: String?
    /// The failure's class (`validation`, `unavailable`, ...) and whether a retry may succeed.
    public var failureKind: String?
    public var transient: Bool?

    enum CodingKeys: String, CodingKey {
        case entity, recordID = "record_id", externalID = "external_id", odooModel = "odoo_model", odooID = "odoo_id", action
        case changedFields = "changed_fields", notes, failure, failureKind = "failure_kind", transient
    }
}

/// Publishes golden records to one Odoo as idempotent upserts keyed by external id
/// (`aurum.<entity>_<id>`): create, update only what differs, archive what is no longer active,
/// re-activate, and adopt a record made by hand instead of duplicating it. Look-ups found are
/// cached for the publisher's life (a sync run, or the outbox's worker); a look-up not found is
/// asked again next time. The outbox publishes a claim's records in one call.
public actor OdooPublisher {
    public let client: OdooClient
    public let mapping: OdooMapping
    private var lookups: [String: Int?] = [:]
    private var required: [String: Set<String>] = [:]
    /// Per model, the scale Odoo keeps each float field to (`digits` in `fields_get`).
    private var scales: [String: [String: Int]] = [:]
    private var version = 0
    /// While a batch is published: its external ids (found or known absent) and its records' current
    /// values, read in one call each instead of one per record.
    private var knownIDs: [String: (model: String, id: Int)]?
    /// The external ids the batch read asked for (found or not); any other (a referenced
    /// supplier of an item) is looked up on its own.
    private var askedIDs: Set<String> = []
    private var knownValues: [String: [Int: OdooValue]] = [:]
    /// While a batch is published: Odoo records that hold an `adopt_by` value, by model and value.
    private var knownAdoptable: [String: [OdooValue: Int]] = [:]

    public init(client: OdooClient, mapping: OdooMapping) {
        self.client = client
        self.mapping = mapping
    }

    /// Publishes `record` (its current version); with `dryRun`, reads Odoo and says what it would do.
    public func publish(_ record: RecordView, dryRun: Bool = false) async -> PublishOutcome {
        await publish([record], dryRun: dryRun)[0]
    }

    /// Publishes `records` in order. Records Odoo does not have yet are created together, one
    /// `create` per model and `batchSize` records (and their external ids likewise); when Odoo
    /// refuses a batch, its records are created one by one so that each failure is its own.
    public func publish(_ records: [RecordView], dryRun: Bool = false, batchSize: Int = 100) async -> [PublishOutcome] {
        try? await prefetch(records)
        defer { forgetBatch() }
        var outcomes = [PublishOutcome]()
        var creates = [PendingCreate]()
        for record in records {
            var outcome = PublishOutcome(entity: record.entity, recordID: record.id, externalID: mapping.externalID(entity: record.entity, id: record.id),
                                         odooModel: mapping.entities[record.entity]?.model ?? "", action: .unchanged)
            do {
                if var pending = try await prepare(record, &outcome, dryRun: dryRun) {
                    pending.index = outcomes.count
                    creates.append(pending)
                }
            } catch { outcome.fail(record, error) }
            outcomes.append(outcome)
        }
        for group in Dictionary(grouping: creates, by: \.model).values.sorted(by: { $0[0].index < $1[0].index }) {
            for start in stride(from: 0, to: group.count, by: max(batchSize, 1)) {
                await create(Array(group[start..<min(start + batchSize, group.count)]), &outcomes)
            }
        }
        return outcomes
    }

    /// A record to create, with what it needs once it has an id.
    struct PendingCreate {
        var index = 0
        var record: RecordView
        var model: String
        var values: [String: OdooValue]
        var children: [(ChildMapping, [String: OdooValue])]
    }

    /// Works out what `record` needs and does it, except a create, which it returns for batching.
    func prepare(_ record: RecordView, _ outcome: inout PublishOutcome, dryRun: Bool) async throws -> PendingCreate? {
        guard let entity = mapping.entities[record.entity] else {
            outcome.action = .skipped
            outcome.notes.append("rules/consumers/odoo.yaml does not map \(record.entity)")
            return nil
        }
        let (desired, unset) = try await desiredValues(record, entity)
        let active = record.state == .active
        // Children's values are resolved first: a vendor whose supplier is not in Odoo yet stops
        // the item before anything is written.
        var children = [(ChildMapping, [String: OdooValue])]()
        for child in entity.children where active && record.attributes[child.requires].map({ $0 != .null }) ?? false {
            let values = try await resolve(try childValues(child, record), entity: record.entity, field: child.name)
            children.append((child, try await asKept(values, model: child.model)))
        }
        var existing = try await find(outcome.externalID, model: entity.model)
        if existing == nil, let adoptBy = entity.adoptBy, let key = desired[adoptBy], !key.isEmpty,
           let adopted = try await adoptable(entity.model, adoptBy, key) {
            existing = dryRun ? adopted : try await bindExternalID(outcome.externalID, model: entity.model, id: adopted, fresh: false)
            outcome.notes.append("adopted \(entity.model) \(existing ?? adopted), created in Odoo outside Aurum with the same \(adoptBy)")
            outcome.action = .adopted
        }
        guard let id = existing else {
            guard active else {
                outcome.action = .skipped
                outcome.notes.append("\(record.state.rawValue) records are not created in Odoo")
                return nil
            }
            outcome.action = .created
            outcome.changedFields = desired.keys.filter { !unset.contains($0) }.sorted()
            // Empty fields are sent too, so that Odoo's defaults do not differ from the golden record.
            let pending = PendingCreate(record: record, model: entity.model, values: desired, children: children)
            if dryRun {
                for (child, values) in children { outcome.notes += try await publishChild(child, values, of: record, parent: 0, dryRun: true) }
                return nil
            }
            return pending
        }
        outcome.odooID = id
        let changes = try await differences(entity.model, id: id, desired: desired.merging(["active": .bool(active)]) { a, _ in a })
        outcome.changedFields = changes.keys.sorted()
        if !changes.isEmpty {
            if !dryRun { _ = try await client.call(OdooCall(entity.model, "write", ids: [id], ["vals": .struct(changes)])) }
            if outcome.action != .adopted {
                outcome.action = changes["active"] == false ? .archived : changes["active"] == true ? .reactivated : .updated
            }
        }
        for (child, values) in children { outcome.notes += try await publishChild(child, values, of: record, parent: id, dryRun: dryRun) }
        return nil
    }

    /// Creates `batch` (one model) in one call, or one by one when Odoo refuses the batch; then
    /// their external ids and children.
    func create(_ batch: [PendingCreate], _ outcomes: inout [PublishOutcome]) async {
        var ids = [Int?](repeating: nil, count: batch.count)
        do {
            let created = try await client.call(OdooCall(batch[0].model, "create", ["vals_list": .array(batch.map { .struct($0.values) })]))
            let list = created.array?.compactMap(\.int) ?? created.int.map { [$0] } ?? []
            guard list.count == batch.count else { throw OdooFailure(kind: .application, message: "create answered \(created) for \(batch.count) records") }
            ids = list.map { $0 }
        } catch where batch.count > 1 {
            for (position, pending) in batch.enumerated() {
                do {
                    let created = try await client.call(OdooCall(pending.model, "create", ["vals_list": [.struct(pending.values)]]))
                    ids[position] = created.array?.first?.int ?? created.int
                } catch { outcomes[pending.index].fail(pending.record, error) }
            }
        } catch {
            outcomes[batch[0].index].fail(batch[0].record, error)
        }
        var made = zip(batch, ids).compactMap { pending, id in id.map { (pending, $0) } }
        guard !made.isEmpty else { return }
        // The children of records just created cannot exist yet: each kind is created in one call
        // for the batch, and the external ids of records and children in one more.
        var children = [(pending: PendingCreate, child: ChildMapping, values: [String: OdooValue], id: Int)]()
        var unmade = [(pending: PendingCreate, child: ChildMapping, values: [String: OdooValue])]()
        for child in Set(made.flatMap { $0.0.children.map(\.0) }).sorted(by: { $0.name < $1.name }) {
            let rows = made.compactMap { pending, id in
                pending.children.first { $0.0 == child }.map { (pending: pending, child: child, values: $0.1.merging([child.parentField: .int(id)]) { _, parent in parent }) }
            }
            do {
                let created = try await client.call(OdooCall(child.model, "create", ["vals_list": .array(rows.map { .struct($0.values.filter { !$0.value.isEmpty }) })]))
                let childIDs = created.array?.compactMap(\.int) ?? []
                guard childIDs.count == rows.count else { throw OdooFailure(kind: .application, message: "create answered \(created) for \(rows.count) records") }
                children += zip(rows, childIDs).map { ($0.pending, $0.child, $0.values, $1) }
            } catch {
                unmade += rows  // one by one below, as an update does
            }
        }
        do {
            let rows = made.map { pending, id in Self.externalIDRow(outcomes[pending.index].externalID, model: pending.model, id: id) }
                + children.map { Self.externalIDRow(mapping.externalID(entity: $0.pending.record.entity, id: $0.pending.record.id, child: $0.child.name),
                                                    model: $0.child.model, id: $0.id) }
            _ = try await client.call(OdooCall("ir.model.data", "create", ["vals_list": .array(rows)]))
            for row in children { outcomes[row.pending.index].notes.append("\(row.child.name): created \(row.child.model)") }
        } catch {
            // One by one, so that one refusal does not lose the others' links; a record another
            // publisher created under the same external id meanwhile is the one kept.
            for (position, (pending, id)) in made.enumerated() {
                do {
                    let kept = try await bindExternalID(outcomes[pending.index].externalID, model: pending.model, id: id, fresh: true)
                    guard kept != id else { continue }
                    made[position].1 = kept
                    _ = try await client.call(OdooCall(pending.model, "write", ids: [kept], ["vals": .struct(pending.values)]))
                    outcomes[pending.index].action = .adopted
                    outcomes[pending.index].notes.append("another publisher created \(pending.model) \(kept) under the same external id at the same "
                                                         + "moment; it was kept and updated, and the duplicate \(id) removed")
                } catch {
                    outcomes[pending.index].fail(pending.record, error)
                }
            }
            // Each child then by its external id, adopting the one just created under its record.
            unmade += children.map { ($0.pending, $0.child, $0.values) }
        }
        let kept = Dictionary(made.map { ($0.0.index, $0.1) }, uniquingKeysWith: { first, _ in first })
        for (pending, id) in made where outcomes[pending.index].action != .failed { outcomes[pending.index].odooID = id }
        for row in unmade where outcomes[row.pending.index].action != .failed {
            do {
                outcomes[row.pending.index].notes += try await publishChild(row.child, row.values, of: row.pending.record,
                                                                           parent: kept[row.pending.index] ?? 0, dryRun: false)
            } catch { outcomes[row.pending.index].fail(row.pending.record, error) }
        }
    }

    /// A child record (bank account, vendor line): by its own external id, or adopted when Odoo
    /// already has one with the same first field for this parent.
    func publishChild(_ child: ChildMapping, _ values: [String: OdooValue], of record: RecordView, parent: Int, dryRun: Bool) async throws -> [String] {
        let externalID = mapping.externalID(entity: record.entity, id: record.id, child: child.name)
        var desired = values
        desired[child.parentField] = .int(parent)
        if let id = try await find(externalID, model: child.model) {
            let changes = try await differences(child.model, id: id, desired: desired)
            guard !changes.isEmpty else { return [] }
            if !dryRun { _ = try await client.call(OdooCall(child.model, "write", ids: [id], ["vals": .struct(changes)])) }
            return ["\(child.name): \(dryRun ? "would be updated" : "updated") \(changes.keys.sorted().joined(separator: ", "))"]
        }
        if let key = child.fields.first?.odooField, let value = desired[key],
           let adopted = try await search(child.model, [[.string(child.parentField), "=", .int(parent)], [.string(key), "=", value]]) {
            if !dryRun { _ = try await bindExternalID(externalID, model: child.model, id: adopted, fresh: false) }
            return ["\(child.name): \(dryRun ? "would adopt" : "adopted") \(child.model) \(adopted)"]
        }
        if !dryRun {
            let created = try await client.call(OdooCall(child.model, "create", ["vals_list": [.struct(desired.filter { !$0.value.isEmpty })]]))
            if let id = created.int ?? created.array?.first?.int {
                let kept = try await bindExternalID(externalID, model: child.model, id: id, fresh: true)
                if kept != id { _ = try await client.call(OdooCall(child.model, "write", ids: [kept], ["vals": .struct(desired)])) }
            }
        }
        return ["\(child.name): \(dryRun ? "would create" : "created") \(child.model)"]
    }

    func childValues(_ child: ChildMapping, _ record: RecordView) throws(MappingProblem) -> [String: OdooFieldValue?] {
        var values = [String: OdooFieldValue?]()
        for field in child.fields where field.versions.contains(version) { values[field.odooField] = try field.value(for: record.attributes) }
        return values
    }

    // MARK: Odoo look-ups

    /// The record an external id points to, if it still exists (archived included).
    /// Reads the external ids of `records` (and their children) in one call, and the current values
    /// of the Odoo records they point to in one call per model. Without it every record is looked
    /// up on its own, which gives the same answers.
    func prefetch(_ records: [RecordView]) async throws(OdooFailure) {
        guard records.count > 1 else { return }
        version = try await client.connect().major
        var names = [String]()
        var fields = [String: Set<String>]()
        for record in records {
            guard let entity = mapping.entities[record.entity] else { continue }
            names.append(mapping.externalID(entity: record.entity, id: record.id))
            fields[entity.model, default: ["active"]].formUnion(entity.fields(for: version).map(\.odooField))
            for child in entity.children {
                names.append(mapping.externalID(entity: record.entity, id: record.id, child: child.name))
                fields[child.model, default: []].formUnion(child.fields.filter { $0.versions.contains(version) }.map(\.odooField) + [child.parentField])
            }
            // The records it refers to (an item's supplier), read with the batch.
            for field in entity.fields(for: version) + entity.children.flatMap({ $0.fields.filter { $0.versions.contains(version) } }) {
                guard case .reference(let target, let id)?? = try? field.value(for: record.attributes), let model = mapping.entities[target]?.model else { continue }
                names.append(mapping.externalID(entity: target, id: id))
                fields[model, default: ["active"]].formUnion([])
            }
        }
        let rows = try await client.call(OdooCall("ir.model.data", "search_read", ["domain": [["module", "=", .string(mapping.module)],
                                                                                               ["name", "in", .array(names.map { .string(Self.split($0).name) })]],
                                                                                    "fields": ["name", "model", "res_id"]]))
        var found = [String: (model: String, id: Int)]()
        for row in rows.array ?? [] {
            if let name = row["name"].string, let model = row["model"].string, let id = row["res_id"].int { found["\(mapping.module).\(name)"] = (model, id) }
        }
        // Records Odoo does not know by external id may exist under their adopt_by value: one search for all.
        var adoptable = [String: (field: String, values: Set<OdooValue>)]()
        for record in records {
            guard let entity = mapping.entities[record.entity], let adoptBy = entity.adoptBy,
                  found[mapping.externalID(entity: record.entity, id: record.id)] == nil,
                  case .value(let json)?? = try? entity.fields(for: version).first(where: { $0.odooField == adoptBy })?.value(for: record.attributes) else { continue }
            adoptable[entity.model, default: (adoptBy, [])].values.insert(OdooValue(json))
        }
        for (model, wanted) in adoptable {
            let rows = try await client.call(OdooCall(model, "search_read", ["domain": [[.string(wanted.field), "in", .array(Array(wanted.values))]],
                                                                             "fields": [.string(wanted.field)]], context: ["active_test": false]))
            var byValue = [OdooValue: Int]()
            for row in rows.array ?? [] { if let id = row["id"].int, byValue[row[wanted.field]] == nil { byValue[row[wanted.field]] = id } }
            knownAdoptable[model] = byValue
        }
        for (model, modelFields) in fields {
            let ids = found.values.filter { $0.model == model }.map(\.id)
            guard !ids.isEmpty else { continue }
            let read = try await client.call(OdooCall(model, "read", ids: ids, ["fields": .array(modelFields.sorted().map(OdooValue.string))],
                                                      context: ["active_test": false]))
            for row in read.array ?? [] { if let id = row["id"].int { knownValues[model, default: [:]][id] = row } }
        }
        knownIDs = found
        askedIDs = Set(names)
    }

    /// Drops what `prefetch` read: it was true for one batch only.
    func forgetBatch() {
        knownIDs = nil
        askedIDs = []
        knownValues = [:]
        knownAdoptable = [:]
    }

    func find(_ externalID: String, model: String) async throws(OdooFailure) -> Int? {
        if let knownIDs, askedIDs.contains(externalID) {  // the batch's external ids were read together
            guard let hit = knownIDs[externalID], hit.model == model, knownValues[model]?[hit.id] != nil else { return nil }
            return hit.id
        }
        let rows = try await client.call(OdooCall("ir.model.data", "search_read", ["domain": Self.externalIDDomain(externalID), "fields": ["model", "res_id"]]))
        guard let row = rows.array?.first, row["model"].string == model, let id = row["res_id"].int else { return nil }
        let exists = try await client.call(OdooCall(model, "search", ["domain": [["id", "=", .int(id)]]], context: ["active_test": false]))
        return exists.array?.isEmpty == false ? id : nil
    }

    /// The record of `model` whose `field` holds `value`, archived ones included.
    func adoptable(_ model: String, _ field: String, _ value: OdooValue) async throws(OdooFailure) -> Int? {
        if knownIDs != nil, let known = knownAdoptable[model] { return known[value] }
        return try await search(model, [[.string(field), "=", value]])
    }

    func search(_ model: String, _ domain: [OdooValue]) async throws(OdooFailure) -> Int? {
        try await client.call(OdooCall(model, "search", ["domain": .array(domain), "limit": 1], context: ["active_test": false])).array?.first?.int
    }

    /// `module.name` split at its first dot.
    static func split(_ externalID: String) -> (module: String, name: String) {
        let parts = externalID.split(separator: ".", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }

    /// The domain that finds an external id's ir.model.data row.
    static func externalIDDomain(_ externalID: String) -> OdooValue {
        let (module, name) = split(externalID)
        return [["module", "=", .string(module)], ["name", "=", .string(name)]]
    }

    /// The ir.model.data row that keys `model` record `id` by `externalID` (not updated by module upgrades).
    static func externalIDRow(_ externalID: String, model: String, id: Int) -> OdooValue {
        let (module, name) = split(externalID)
        return ["module": .string(module), "name": .string(name), "model": .string(model), "res_id": .int(id), "noupdate": true]
    }

    /// The mapped values as Odoo takes them: look-ups and references turned into ids.
    func resolve(_ values: [String: OdooFieldValue?], entity: String, field: String?) async throws -> [String: OdooValue] {
        var result = [String: OdooValue]()
        for (name, value) in values {
            switch value {
            case nil: result[name] = false
            case .value(let json)?: result[name] = OdooValue(json)
            case .lookup(let lookup, let key)?:
                let cacheKey = "\(lookup.model)|\(lookup.by)|\(key)"
                // Only what was found is kept: a value missing now may be created in Odoo, and a
                // long-running publisher (the outbox's) must find it when the delivery is replayed.
                let id: Int?
                if let cached = lookups[cacheKey] { id = cached } else {
                    id = try await search(lookup.model, [[.string(lookup.by), "=", .string(key)]])
                    if let id { lookups[cacheKey] = id }
                }
                guard let id else {
                    throw MappingProblem(field: name, message: "\(lookup.model) '\(key)' not found in Odoo (by \(lookup.by)); create it in Odoo "
                                         + "or map the value in rules/consumers/odoo.yaml")
                }
                result[name] = .int(id)
            case .reference(let target, let id)?:
                guard let targetModel = mapping.entities[target]?.model,
                      let odooID = try await find(mapping.externalID(entity: target, id: id), model: targetModel) else {
                    throw MappingProblem(field: name, message: "\(target) \(id) is not in Odoo yet; publish it first (sync \(target) before \(entity))")
                }
                result[name] = .int(odooID)
            }
        }
        return result
    }

    /// The fields Odoo requires on `model` (asked once per run, with the digits of its floats).
    func requiredFields(_ model: String) async throws(OdooFailure) -> Set<String> {
        if let known = required[model] { return known }
        try await describe(model)
        return required[model] ?? []
    }

    /// The scales Odoo keeps `model`'s float fields to (asked once per run).
    func floatScales(_ model: String) async throws(OdooFailure) -> [String: Int] {
        if let known = scales[model] { return known }
        try await describe(model)
        return scales[model] ?? [:]
    }

    /// Reads what the publisher needs of `model`'s fields: which are required, and each float's digits.
    private func describe(_ model: String) async throws(OdooFailure) {
        let fields = try await client.call(OdooCall(model, "fields_get", ["attributes": ["required", "type", "digits"]])).members ?? [:]
        required[model] = Set(fields.filter { $0.value["required"] == true }.keys)
        scales[model] = fields.compactMapValues { OdooFloat.scale($0) }
    }

    /// `values` for `model` as Odoo will keep them: floats rounded to their fields' digits, so that
    /// what is written is what is read back, and a comparison after a write finds no drift.
    func asKept(_ values: [String: OdooValue], model: String) async throws(OdooFailure) -> [String: OdooValue] {
        let scales = try await floatScales(model)
        guard !scales.isEmpty else { return values }
        return values.reduce(into: [:]) { $0[$1.key] = OdooFloat.kept($1.value, scale: scales[$1.key]) }
    }

    /// The fields whose Odoo value differs from `desired`.
    func differences(_ model: String, id: Int, desired: [String: OdooValue]) async throws(OdooFailure) -> [String: OdooValue] {
        let current = try await currentValues(model, id: id, fields: Array(desired.keys))
        return desired.filter { !Self.same(current[$0.key], $0.value) }
    }

    /// The Odoo record's values of `fields`: from the batch's read when it has them, else read now.
    func currentValues(_ model: String, id: Int, fields: [String]) async throws(OdooFailure) -> OdooValue {
        if let current = knownValues[model]?[id], let members = current.members, fields.allSatisfy({ members[$0] != nil }) { return current }
        let read = try await client.call(OdooCall(model, "read", ids: [id], ["fields": .array(fields.sorted().map(OdooValue.string))]))
        guard let current = read.array?.first else { throw OdooFailure(kind: .missingRecord, message: "\(model) \(id) disappeared while publishing") }
        return current
    }

    /// What Odoo should hold for `record`, and which mapped fields the record has no value for. A
    /// value the golden record lacks is empty in Odoo (false), unless Odoo requires the field:
    /// then Odoo's default stands on create and its value is kept on update.
    func desiredValues(_ record: RecordView, _ entity: EntityMapping) async throws -> (values: [String: OdooValue], unset: Set<String>) {
        version = try await client.connect().major
        let mapped = try entity.values(for: record.attributes, version: version)
        let unset = Set(mapped.filter { $0.value == nil }.keys)
        let required = try await requiredFields(entity.model)
        let resolved = try await resolve(mapped, entity: record.entity, field: nil).filter { !(unset.contains($0.key) && required.contains($0.key)) }
        let values = try await asKept(resolved, model: entity.model)
        return (values, unset)
    }

    /// Equality as Odoo stores values: a many2one read as `[id, name]` equals its id, numbers by value, empty equals false.
    static func same(_ odoo: OdooValue, _ desired: OdooValue) -> Bool {
        if odoo.isEmpty && desired.isEmpty { return odoo.bool == nil || desired.bool == nil || odoo == desired }
        if desired == false, case .double(let zero) = odoo, zero == 0 { return true }  // an empty number reads as 0.0
        if desired == false, case .int(0) = odoo { return true }
        if case .array(let pair) = odoo, pair.count == 2, pair[1].string != nil { return pair[0] == desired }
        switch (odoo, desired) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return abs(Double(a) - b) < 1e-9
        case (.double(let a), .double(let b)): return abs(a - b) < 1e-9
        default: return odoo == desired
        }
    }
}

extension PublishOutcome {
    /// Records why `record` could not be published: a mapping problem or a classified Odoo failure.
    mutating func fail(_ record: RecordView, _ error: any Error) {
        action = .failed
        switch error {
        case let problem as MappingProblem:
            (failure, failureKind, transient) = ("\(record.entity) \(record.id): \(problem)", "mapping", false)
        case let odoo as OdooFailure:
            (failure, failureKind, transient) = ("\(record.entity) \(record.id): \(odoo)", odoo.kind.rawValue, odoo.isTransient)
        default:
            (failure, failureKind, transient) = ("\(record.entity) \(record.id): \(error)", "application", false)
        }
    }
}

extension OdooValue {
    /// A golden-record value as Odoo takes it: whole numbers as integers.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = false
        case .bool(let b): self = .bool(b)
        case .number(let n): self = n.rounded() == n && abs(n) < 9e15 ? .int(Int(n)) : .double(n)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(OdooValue.init))
        case .object(let members): self = .struct(members.mapValues(OdooValue.init))
        }
    }
}

import AurumCore

/// One Odoo record read for `aurum odoo import`: the candidate it makes (source `odoo`, keyed by
/// its Odoo id), what it could not read back, the golden record Aurum's external id already
/// binds it to, and its children (bank account, vendor line) with their Odoo ids.
public struct OdooImportedRecord: Sendable {
    public var candidate: CandidateSubmission
    /// Fields that could not be read back (a reference to a record Aurum does not know yet).
    public var unresolved: [String]
    public var odooID: Int
    /// Its `write_date` in Odoo's form.
    public var writeDate: String?
    /// The golden record whose external id (`aurum.<entity>_<id>`) is on this record.
    public var boundTo: Int64?
    /// The Odoo id of each child read back, by the child's name (`bank`, `vendor`).
    public var children: [String: Int]
    /// Archived in Odoo (`active` false).
    public var archived: Bool
}

/// One page of an entity's Odoo records as candidates from the source `odoo`: each record read
/// back through the mapping (the same one that publishes), its look-ups by the related records'
/// keys, its references to other entities by the golden ids their external ids give, its
/// children (the first of each, by id) into their attributes.
public struct OdooImportPage: Sendable {
    public let reader: OdooReader
    public let mapping: OdooMapping
    public let version: Int

    public init(reader: OdooReader, mapping: OdooMapping, version: Int) {
        self.reader = reader
        self.mapping = mapping
        self.version = version
    }

    /// The Odoo fields to read for `entity` (`active` too where the model has it, named in `present`).
    public func fields(_ entity: EntityMapping, present: Set<String> = []) -> [String] {
        Array(Set(entity.fields(for: version).map(\.odooField) + ["write_date"] + (present.contains("active") ? ["active"] : []))).sorted()
    }

    /// The records `records` (as `search_read` answered them) make, in their order.
    public func candidates(_ records: [OdooValue], entity: EntityMapping, schema: EntitySchema, source: String = "odoo") async throws
        -> [OdooImportedRecord] {
        let fields = entity.fields(for: version)
        let ids = Set(records.compactMap { $0["id"].int })
        let related = try await resolve(fields, in: records)
        let bound = ids.isEmpty ? [:] : try await reader.goldenIDs(module: mapping.module, entity: entity.entity, model: entity.model, ids: ids)
        // Each child: the first record of its model under each parent, read back into attributes.
        var childAttributes = [Int: Attributes](), childIDs = [Int: [String: Int]](), childUnresolved = [Int: [String]]()
        for child in entity.children where !ids.isEmpty {
            let childFields = child.fields.filter { $0.versions.contains(version) }
            let wanted = Array(Set(childFields.map(\.odooField) + [child.parentField, "id"])).sorted().map(OdooValue.string)
            let found = try await reader.client.call(OdooCall(child.model, "search_read", [
                "domain": [[.string(child.parentField), "in", .array(ids.sorted().map(OdooValue.int))]], "fields": .array(wanted), "order": "id",
            ])).array ?? []
            var first = [Int: OdooValue]()
            for record in found {
                guard let parent = Self.relatedID(record[child.parentField]), first[parent] == nil else { continue }
                first[parent] = record
            }
            let rows = Array(first.values)
            let childRelated = try await resolve(childFields, in: rows)
            let childMapping = EntityMapping(entity: entity.entity, model: child.model, fields: child.fields)
            for (parent, record) in first {
                let (attributes, unresolved) = childMapping.attributes(fromOdoo: read(record, childFields, childRelated), version: version, schema: schema)
                childAttributes[parent, default: [:]].merge(attributes) { own, _ in own }
                childUnresolved[parent, default: []] += unresolved
                if let id = record["id"].int { childIDs[parent, default: [:]][child.name] = id }
            }
        }
        return records.compactMap { record in
            guard let id = record["id"].int else { return nil }
            var (attributes, unresolved) = entity.attributes(fromOdoo: read(record, fields, related), version: version, schema: schema)
            attributes.merge(childAttributes[id] ?? [:]) { own, _ in own }
            unresolved += childUnresolved[id] ?? []
            return OdooImportedRecord(candidate: CandidateSubmission(entity: entity.entity, source: source, sourceKey: String(id), attributes: attributes),
                                      unresolved: unresolved, odooID: id, writeDate: record["write_date"].string, boundTo: bound[id],
                                      children: childIDs[id] ?? [:], archived: record["active"] == false)
        }
    }

    /// The related records `fields` name in `records`, read once: each look-up's `by` value, each
    /// reference's golden id, by Odoo field and related id.
    struct Related {
        var keys = [String: [Int: String]]()
        var golden = [String: [Int: Int64]]()
    }

    func resolve(_ fields: [FieldMapping], in records: [OdooValue]) async throws -> Related {
        var related = Related()
        for field in fields {
            let ids = Set(records.compactMap { Self.relatedID($0[field.odooField]) })
            guard !ids.isEmpty else { continue }
            if let lookup = field.lookup {
                related.keys[field.odooField] = try await reader.values(of: lookup.by, in: lookup.model, ids: ids)
            } else if let target = field.reference, let model = mapping.entities[target]?.model {
                related.golden[field.odooField] = try await reader.goldenIDs(module: mapping.module, entity: target, model: model, ids: ids)
            }
        }
        return related
    }

    /// What `record` holds in each of `fields`, resolved through `related`.
    func read(_ record: OdooValue, _ fields: [FieldMapping], _ related: Related) -> [String: OdooReadValue] {
        var read = [String: OdooReadValue]()
        for field in fields {
            let value = record[field.odooField]
            if field.lookup != nil {
                read[field.odooField] = .lookedUp(Self.relatedID(value).flatMap { related.keys[field.odooField]?[$0] })
            } else if field.reference != nil {
                read[field.odooField] = Self.relatedID(value).map { .golden(related.golden[field.odooField]?[$0]) } ?? .plain(false)
            } else {
                read[field.odooField] = .plain(Self.json(value))
            }
        }
        return read
    }

    /// A many2one's id (read as `[id, name]`, or an id alone); nil when empty.
    static func relatedID(_ value: OdooValue) -> Int? {
        if let pair = value.array, let id = pair.first?.int { return id }
        return value.int
    }

    /// A plain Odoo value as JSON.
    static func json(_ value: OdooValue) -> JSONValue {
        switch value {
        case .none: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .number(Double(number))
        case .double(let number): .number(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(json))
        default: .null
        }
    }
}

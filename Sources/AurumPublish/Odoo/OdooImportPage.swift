import AurumCore

/// One page of an entity's Odoo records as candidates from the source `odoo` (for `aurum odoo
/// import`, whose command is not built yet): each record read back through the mapping, its
/// look-ups by the related records' keys, its references to other entities by the golden ids
/// their external ids give, keyed by its Odoo id.
public struct OdooImportPage: Sendable {
    public let reader: OdooReader
    public let mapping: OdooMapping
    public let version: Int

    public init(reader: OdooReader, mapping: OdooMapping, version: Int) {
        self.reader = reader
        self.mapping = mapping
        self.version = version
    }

    /// The Odoo fields to read for `entity`.
    public func fields(_ entity: EntityMapping) -> [String] {
        Array(Set(entity.fields(for: version).map(\.odooField) + ["write_date"])).sorted()
    }

    /// The candidates `records` (as `search_read` answered them) make, in their order, with the
    /// fields each could not read back (a reference to a record Aurum does not know yet).
    public func candidates(_ records: [OdooValue], entity: EntityMapping, schema: EntitySchema, source: String = "odoo") async throws
        -> [(candidate: CandidateSubmission, unresolved: [String])] {
        let fields = entity.fields(for: version)
        // The related records every page needs, read once per page.
        var keys = [String: [Int: String]](), golden = [String: [Int: Int64]]()
        for field in fields {
            let ids = Set(records.compactMap { Self.relatedID($0[field.odooField]) })
            if let lookup = field.lookup, !ids.isEmpty {
                keys[field.odooField] = try await reader.values(of: lookup.by, in: lookup.model, ids: ids)
            } else if let target = field.reference, let model = mapping.entities[target]?.model, !ids.isEmpty {
                golden[field.odooField] = try await reader.goldenIDs(module: mapping.module, entity: target, model: model, ids: ids)
            }
        }
        return records.compactMap { record in
            guard let id = record["id"].int else { return nil }
            var read = [String: OdooReadValue]()
            for field in fields {
                let value = record[field.odooField]
                if field.lookup != nil {
                    read[field.odooField] = .lookedUp(Self.relatedID(value).flatMap { keys[field.odooField]?[$0] })
                } else if field.reference != nil {
                    read[field.odooField] = Self.relatedID(value).map { .golden(golden[field.odooField]?[$0]) } ?? .plain(false)
                } else {
                    read[field.odooField] = .plain(Self.json(value))
                }
            }
            let (attributes, unresolved) = entity.attributes(fromOdoo: read, version: version, schema: schema)
            return (CandidateSubmission(entity: entity.entity, source: source, sourceKey: String(id), attributes: attributes), unresolved)
        }
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

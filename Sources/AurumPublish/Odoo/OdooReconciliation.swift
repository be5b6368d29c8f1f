import AurumCore

/// A difference between a golden record and what Odoo holds under its external id.
public struct OdooDrift: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Odoo has no record under the external id.
        case missing
        /// Odoo's record differs in these fields.
        case differs
        /// Odoo has an external id of Aurum's that no current golden record explains.
        case extra
        /// The record could not be compared (a look-up failed, Odoo refused).
        case failed
    }

    public struct Field: Sendable, Hashable, Codable {
        public var field: String
        public var aurum: OdooValue
        public var odoo: OdooValue
    }

    public var entity: String
    public var recordID: Int64?
    public var externalID: String
    public var kind: Kind
    public var fields: [Field] = []
    public var message: String?

    enum CodingKeys: String, CodingKey { case entity, recordID = "record_id", externalID = "external_id", kind, fields, message }
}

extension OdooPublisher {
    /// How Odoo's records for `records` differ from them (one entry per record that drifts),
    /// reading a page's external ids and values in one call each. Writes nothing.
    public func reconcile(_ records: [RecordView]) async -> [OdooDrift] {
        try? await prefetch(records)
        defer { forgetBatch() }
        var drift = [OdooDrift]()
        for record in records { if let found = await reconcile(record) { drift.append(found) } }
        return drift
    }

    /// How Odoo's record for `golden` differs from it; nil when it does not. Writes nothing.
    public func reconcile(_ golden: RecordView) async -> OdooDrift? {
        let externalID = mapping.externalID(entity: golden.entity, id: golden.id)
        guard let entity = mapping.entities[golden.entity] else { return nil }
        do {
            var desired = try await desiredValues(golden, entity).values
            desired["active"] = .bool(golden.state == .active)
            guard let id = try await find(externalID, model: entity.model) else {
                return golden.state == .active ? OdooDrift(entity: golden.entity, recordID: golden.id, externalID: externalID, kind: .missing) : nil
            }
            let current = try await currentValues(entity.model, id: id, fields: Array(desired.keys))
            let fields = desired.keys.sorted().compactMap { name -> OdooDrift.Field? in
                Self.same(current[name], desired[name]!) ? nil : OdooDrift.Field(field: name, aurum: desired[name]!, odoo: current[name])
            }
            return fields.isEmpty ? nil : OdooDrift(entity: golden.entity, recordID: golden.id, externalID: externalID, kind: .differs, fields: fields)
        } catch {
            return OdooDrift(entity: golden.entity, recordID: golden.id, externalID: externalID, kind: .failed, message: "\(error)")
        }
    }

    /// Aurum's external ids for `entity` in Odoo that no record in `known` accounts for.
    public func extras(entity: String, known: Set<Int64>) async throws(OdooFailure) -> [OdooDrift] {
        guard let model = mapping.entities[entity]?.model else { return [] }
        let rows = try await client.call(OdooCall("ir.model.data", "search_read", ["domain": [["module", "=", .string(mapping.module)],
                                                                                               ["model", "=", .string(model)],
                                                                                               ["name", "=like", .string(entity + "\\_%")]],
                                                                                    "fields": ["name", "res_id"]]))
        return (rows.array ?? []).compactMap { row in
            guard let name = row["name"].string, let id = Int64(name.dropFirst(entity.count + 1)), !known.contains(id) else { return nil }
            return OdooDrift(entity: entity, recordID: id, externalID: "\(mapping.module).\(name)", kind: .extra,
                             message: "\(model) \(row["res_id"].int ?? 0) is linked to \(entity) \(id), which is not a current golden record")
        }
    }
}

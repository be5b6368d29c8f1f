/// Binding a record to its external id (`ir.model.data`), the one place where two publishers
/// racing to create the same record are settled: the first binding stands, and the loser's
/// fresh record is removed, so an external id never ends with two records in Odoo.
extension OdooPublisher {
    /// Binds `externalID` to `model` record `id` and returns the record that holds it now: `id`,
    /// or the record another publisher bound first (then `id`, when `fresh` — created by this
    /// call — is deleted, or archived when Odoo refuses to delete it). A binding whose record is
    /// gone is moved to `id`.
    func bindExternalID(_ externalID: String, model: String, id: Int, fresh: Bool) async throws(OdooFailure) -> Int {
        for _ in 0..<2 {
            if let (row, bound) = try await binding(externalID) {
                if bound.model == model, bound.id == id { return id }
                if bound.model == model, try await exists(model, bound.id) {
                    if fresh { try await discard(model, id) }
                    return bound.id
                }
                // It pointed at a record that is gone.
                _ = try await client.call(OdooCall("ir.model.data", "write", ids: [row], ["vals": ["model": .string(model), "res_id": .int(id)]]))
                return id
            }
            do {
                _ = try await client.call(OdooCall("ir.model.data", "create", ["vals_list": [Self.externalIDRow(externalID, model: model, id: id)]]))
                return id
            } catch where error.isUniqueViolation {
                continue  // another publisher bound it between the look and the create: look again
            }
        }
        throw OdooFailure(kind: .application, message: "external id \(externalID) could not be bound to \(model) \(id)")
    }

    /// The `ir.model.data` row of `externalID` and the record it names.
    func binding(_ externalID: String) async throws(OdooFailure) -> (row: Int, target: (model: String, id: Int))? {
        let rows = try await client.call(OdooCall("ir.model.data", "search_read", ["domain": Self.externalIDDomain(externalID),
                                                                                   "fields": ["model", "res_id"]]))
        guard let row = rows.array?.first, let rowID = row["id"].int, let model = row["model"].string, let target = row["res_id"].int else { return nil }
        return (rowID, (model, target))
    }

    func exists(_ model: String, _ id: Int) async throws(OdooFailure) -> Bool {
        let found = try await client.call(OdooCall(model, "search", ["domain": [["id", "=", .int(id)]]], context: ["active_test": false]))
        return found.array?.isEmpty == false
    }

    /// Removes a record this publisher created a moment ago; archives it if Odoo will not delete it.
    func discard(_ model: String, _ id: Int) async throws(OdooFailure) {
        do {
            _ = try await client.call(OdooCall(model, "unlink", ids: [id]))
        } catch where !error.isTransient {
            _ = try await client.call(OdooCall(model, "write", ids: [id], ["vals": ["active": false]]))
        }
    }
}

extension OdooFailure {
    /// Odoo refused a row because a unique constraint holds its value already.
    var isUniqueViolation: Bool { message.contains("duplicate key value violates unique constraint") || message.contains("UniqueViolation") }
}

extension OdooPublisher {
    /// Binds Odoo records that already exist to the golden records they became (a first import):
    /// each `externalID` is added to its `model` record `id` where it is not bound yet, a page of
    /// rows per call. An external id already bound elsewhere is settled as `bindExternalID` settles
    /// it (the record it names stands while it exists). Returns how many were added.
    public func bindExisting(_ bindings: [(externalID: String, model: String, id: Int)]) async throws(OdooFailure) -> Int {
        var added = 0
        for start in stride(from: 0, to: bindings.count, by: 500) {
            let page = Array(bindings[start..<min(start + 500, bindings.count)])
            let names = page.map { OdooValue.string(Self.split($0.externalID).name) }
            let modules = Set(page.map { Self.split($0.externalID).module }).sorted().map(OdooValue.string)
            let rows = try await client.call(OdooCall("ir.model.data", "search_read", [
                "domain": [["module", "in", .array(modules)], ["name", "in", .array(names)]], "fields": ["module", "name"],
            ])).array ?? []
            let held = Set(rows.compactMap { row in row["name"].string.map { (row["module"].string ?? "") + "." + $0 } })
            let fresh = page.filter { !held.contains($0.externalID) }
            guard !fresh.isEmpty else { continue }
            do {
                _ = try await client.call(OdooCall("ir.model.data", "create", ["vals_list": .array(fresh.map { Self.externalIDRow($0.externalID, model: $0.model, id: $0.id) })]))
                added += fresh.count
            } catch where error.isUniqueViolation {
                // Another process bound some of them meanwhile: one at a time.
                for binding in fresh { _ = try await bindExternalID(binding.externalID, model: binding.model, id: binding.id, fresh: false) }
            }
        }
        return added
    }
}

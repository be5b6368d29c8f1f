import AurumPublish

extension OdooDatabase {
    /// `load(fields, data)`: rows of text cells imported in one go. An `id` column holds external
    /// ids (`module.name`): a known one updates its record, a new one creates the record and the
    /// `ir.model.data` row. Relational cells are matched by name (`Units`), or by external id in a
    /// `field/id` column. Any bad row rolls the whole batch back and `ids` is false.
    func load(_ spec: ModelSpec, fields: [String], rows: [OdooValue], uid: Int) throws(OdooException) -> OdooValue {
        var ids = [OdooValue]()
        var messages = [OdooValue]()
        for (index, row) in rows.enumerated() {
            let cells = row.array ?? []
            var vals = Record()
            var externalID: String?
            var rowFailed = false
            for (column, name) in fields.enumerated() {
                let cell = column < cells.count ? cells[column] : ""
                if name == "id" { externalID = cell.string.flatMap { $0.isEmpty ? nil : $0 }; continue }
                let byExternalID = name.hasSuffix("/id")
                let fieldName = byExternalID ? String(name.dropLast(3)) : name
                guard let field = spec.fields[fieldName] else {
                    messages.append(Self.loadMessage(index, field: fieldName, "Unknown field '\(fieldName)'"))
                    rowFailed = true
                    continue
                }
                switch field.kind {
                case .many2one(let relation):
                    guard let text = cell.string, !text.isEmpty else { vals[fieldName] = false; continue }
                    let found = byExternalID ? resolveExternalID(text).flatMap { $0.model == relation ? $0.id : nil }
                        : (tables[relation] ?? [:]).keys.sorted().first { displayName(relation, $0) == text || record(relation, $0)?[models[relation]?.recName ?? "name"] == cell }
                    guard let id = found else {
                        messages.append(noMatch(index, field: field, relation: relation, text))
                        rowFailed = true
                        continue
                    }
                    vals[fieldName] = .int(id)
                case .boolean:
                    vals[fieldName] = .bool(["1", "true", "yes", "True"].contains(cell.string ?? ""))
                case .integer:
                    vals[fieldName] = .int(Int(cell.string ?? "") ?? cell.int ?? 0)
                case .float, .monetary:
                    vals[fieldName] = .double(Double(cell.string ?? "") ?? Domain.number(cell) ?? 0)
                default:
                    vals[fieldName] = cell.isEmpty ? false : cell
                }
            }
            if rowFailed { continue }
            let existing = externalID.flatMap(resolveExternalID).flatMap { $0.model == spec.name && record(spec.name, $0.id) != nil ? $0.id : nil }
            if existing == nil, let field = spec.fields.values.sorted(by: { $0.name < $1.name })
                .first(where: { $0.required && $0.compute == nil && (vals[$0.name] ?? $0.defaultValue).isEmpty }) {
                messages.append(Self.loadMessage(index, field: field.name, "Missing required value for the field '\(field.label)' (\(field.name))", shortForm: true))
                continue
            }
            do {
                if let existing {
                    try write(spec, [existing], vals, uid: uid)
                    ids.append(.int(existing))
                } else {
                    let id = try create(spec, vals, uid: uid)
                    if let externalID { try createExternalID(externalID, model: spec.name, id: id, uid: uid) }
                    ids.append(.int(id))
                }
            } catch {
                messages.append(Self.loadMessage(index, field: nil, error.message))
            }
        }
        if !messages.isEmpty {
            rollbackOnly = true
            return ["ids": false, "messages": .array(messages), "nextrow": 0]
        }
        return ["ids": .array(ids), "messages": [], "nextrow": 0]
    }

    /// The record an external id (`module.name`, or `name` in module `__import__`) points to.
    func resolveExternalID(_ text: String) -> (model: String, id: Int)? {
        let (module, name) = Self.splitExternalID(text)
        guard let row = (tables["ir.model.data"] ?? [:]).values.first(where: { $0["module"] == .string(module) && $0["name"] == .string(name) }),
              let model = row["model"]?.string, let id = row["res_id"]?.int else { return nil }
        return (model, id)
    }

    func createExternalID(_ text: String, model: String, id: Int, uid: Int) throws(OdooException) {
        let (module, name) = Self.splitExternalID(text)
        _ = try create(try self.model("ir.model.data"), ["module": .string(module), "name": .string(name), "model": .string(model), "res_id": .int(id)], uid: uid)
    }

    static func splitExternalID(_ text: String) -> (String, String) {
        guard let dot = text.firstIndex(of: ".") else { return ("__import__", text) }
        return (String(text[..<dot]), String(text[text.index(after: dot)...]))
    }

    static func loadMessage(_ row: Int, field: String?, _ message: String, shortForm: Bool = false) -> OdooValue {
        var value: [String: OdooValue] = ["rows": ["from": .int(row), "to": .int(row)], "record": .int(row), "type": "error", "message": .string(message)]
        if let field { value["field"] = .string(field) }
        return .struct(value)
    }

    func noMatch(_ row: Int, field: FieldSpec, relation: String, _ text: String) -> OdooValue {
        ["rows": ["from": .int(row), "to": .int(row)], "type": "error", "record": .int(row), "field": .string(field.name),
         "message": .string("No matching record found for name '\(text)' in field '\(field.label)'"),
         "moreinfo": ["name": "Possible Values", "type": "ir.actions.act_window", "target": "new",
                      "view_mode": .string(version >= .v18 ? "list,form" : "tree,form"), "views": [[false, "list"], [false, "form"]],
                      "context": ["create": false], "help": "See all possible values", "res_model": .string(relation)],
         "field_name": .string(field.label)]
    }
}

import AurumPublish

/// A public model method: its parameters in Python's order, which are required, and whether it
/// acts on records (`ids` first) or on the model.
struct MethodSignature: Sendable {
    var parameters: [String]
    var required: Set<String> = []
    var onRecords = false
    /// Unknown keyword arguments travel on to `read` (search_read), which refuses them there.
    var passesKeywordsToRead = false

    static let table: [String: MethodSignature] = [
        "create": .init(parameters: ["vals_list"], required: ["vals_list"]),
        "write": .init(parameters: ["vals"], required: ["vals"], onRecords: true),
        "read": .init(parameters: ["fields", "load"], onRecords: true),
        "unlink": .init(parameters: [], onRecords: true),
        "search": .init(parameters: ["domain", "offset", "limit", "order"], required: ["domain"]),
        "search_read": .init(parameters: ["domain", "fields", "offset", "limit", "order"], passesKeywordsToRead: true),
        "search_count": .init(parameters: ["domain", "limit"], required: ["domain"]),
        "fields_get": .init(parameters: ["allfields", "attributes"]),
        "name_get": .init(parameters: [], onRecords: true),
        "load": .init(parameters: ["fields", "data"], required: ["fields", "data"]),
        "context_get": .init(parameters: []),
        "action_archive": .init(parameters: [], onRecords: true),
        "action_unarchive": .init(parameters: [], onRecords: true),
    ]
}

extension OdooDatabase {
    /// Calls `method` on `model` as user `uid`, with named arguments. Returns nil for a method
    /// that returns None. Runs as one transaction, which `adapt` (the dispatcher's handling of the
    /// answer) can still roll back by throwing.
    func call(uid: Int, model modelName: String, method: String, ids: [Int], arguments: [String: OdooValue],
              context: [String: OdooValue],
              adapt: (OdooValue?) throws(OdooException) -> OdooValue? = { $0 }) throws(OdooException) -> OdooValue? {
        try transaction { () throws(OdooException) -> OdooValue? in
            try adapt(try perform(uid: uid, model: modelName, method: method, ids: ids, arguments: arguments, context: context))
        }
    }

    /// The method itself, inside the caller's transaction.
    func perform(uid: Int, model modelName: String, method: String, ids: [Int], arguments: [String: OdooValue],
                 context: [String: OdooValue]) throws(OdooException) -> OdooValue? {
        let spec = try model(modelName)
        let activeTest = context["active_test"] != false
        switch method {
        case "create":
            try checkAccess(uid, spec, "create")
            let value = arguments["vals_list"] ?? .none
            if case .array(let list) = value {
                return .array(try list.map { vals throws(OdooException) in .int(try create(spec, vals.members ?? [:], uid: uid)) })
            }
            guard let vals = value.members else { throw OdooException(.value, "create() expects a dictionary of values or a list of them") }
            return .int(try create(spec, vals, uid: uid))
        case "write":
            try checkAccess(uid, spec, "write")
            try write(spec, ids, arguments["vals"]?.members ?? [:], uid: uid)
            return true
        case "unlink":
            try checkAccess(uid, spec, "unlink")
            for id in ids where record(spec.name, id) == nil { throw missing(spec.name, [id], uid) }
            for id in ids { tables[spec.name]?[id] = nil }
            return true
        case "read":
            return .array(try read(spec, ids, fields: arguments["fields"]))
        case "search":
            let found = try search(spec, arguments["domain"] ?? [], activeTest: activeTest, offset: arguments["offset"]?.int ?? 0,
                                   limit: arguments["limit"]?.int, order: arguments["order"]?.string)
            return .array(found.map(OdooValue.int))
        case "search_read":
            let found = try search(spec, arguments["domain"] ?? [], activeTest: activeTest, offset: arguments["offset"]?.int ?? 0,
                                   limit: arguments["limit"]?.int, order: arguments["order"]?.string)
            return .array(try read(spec, found, fields: arguments["fields"]))
        case "search_count":
            let found = try search(spec, arguments["domain"] ?? [], activeTest: activeTest, offset: 0, limit: arguments["limit"]?.int, order: nil)
            return .int(found.count)
        case "fields_get":
            return fieldsGet(spec, allfields: arguments["allfields"]?.array?.compactMap(\.string), attributes: arguments["attributes"]?.array?.compactMap(\.string))
        case "name_get":
            return .array(ids.filter { record(spec.name, $0) != nil }.map { [.int($0), .string(displayName(spec.name, $0))] })
        case "load":
            try checkAccess(uid, spec, "create")
            return try load(spec, fields: arguments["fields"]?.array?.compactMap(\.string) ?? [], rows: arguments["data"]?.array ?? [], uid: uid)
        case "context_get":
            return ["lang": "en_US", "tz": false, "uid": .int(uid)]
        case "action_archive", "action_unarchive":
            try checkAccess(uid, spec, "write")
            try write(spec, ids, ["active": .bool(method == "action_unarchive")], uid: uid)
            return nil
        default:
            throw OdooException(.attribute, version >= .v18 ? "The method '\(spec.name).\(method)' does not exist"
                                : "The method '\(method)' does not exist on the model '\(spec.name)'")
        }
    }

    /// Whether `method` is one the double serves on `model` (unknown ones fail as Odoo fails).
    func knows(_ method: String, on model: String) -> Bool {
        switch method {
        case "name_get": version <= .v17
        case "context_get": model == "res.users"
        case "action_archive", "action_unarchive": models[model]?.hasActive == true
        default: MethodSignature.table[method] != nil
        }
    }

    // MARK: Access

    func checkAccess(_ uid: Int, _ spec: ModelSpec, _ operation: String) throws(OdooException) {
        guard let user = users[uid], user.limited, spec.name != "res.partner" else { return }
        let verb = operation == "write" ? "modify" : operation == "unlink" ? "delete" : operation
        throw OdooException(.access, "You are not allowed to \(verb) '\(spec.description)' (\(spec.name)) records.\n\n"
                            + "This operation is allowed for the following groups:\n\t- Administration/Settings\n\n"
                            + "Contact your administrator to request access if necessary.")
    }

    func missing(_ model: String, _ ids: [Int], _ uid: Int) -> OdooException {
        OdooException(.missing, "Record does not exist or has been deleted.\n(Record: \(model)(\(ids.map(String.init).joined(separator: ", ")),), User: \(uid))")
    }

    func invalidField(_ model: String, _ field: String) -> OdooException {
        OdooException(.value, version >= .v18 ? "Invalid field '\(field)' in '\(model)'" : "Invalid field '\(field)' on model '\(model)'")
    }

    func invalidLeaf(_ model: String, _ field: String, _ leaf: OdooValue) -> OdooException {
        let text = leaf.array.map { items in "(" + items.map(Self.python).joined(separator: ", ") + ")" } ?? "\(leaf)"
        return OdooException(.value, "Invalid field \(model).\(field) in \(version >= .v18 ? "condition" : "leaf") \(text)")
    }

    /// A value as Python's repr writes it, for messages.
    static func python(_ value: OdooValue) -> String {
        switch value {
        case .string(let s): "'\(s)'"
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        case .array(let items): "[" + items.map(python).joined(separator: ", ") + "]"
        default: "\(value)"
        }
    }

    // MARK: Create and write

    /// Creates one record: values checked and converted first (no id used), then an id taken,
    /// defaults, required fields and constraints checked (the id is spent if they fail).
    func create(_ spec: ModelSpec, _ vals: Record, uid: Int) throws(OdooException) -> Int {
        var values = try convert(spec, vals)
        let id = nextID(spec.name)
        var record: Record = ["id": .int(id), "create_date": .string(now), "write_date": .string(now)]
        for (name, field) in spec.fields where field.compute == nil && name != "id" && record[name] == nil {
            if case .one2many = field.kind { continue }
            record[name] = field.defaultValue
        }
        let children = values.filter { if case .one2many = spec.fields[$0.key]!.kind { true } else { false } }
        for name in children.keys { values[name] = nil }
        for (name, value) in values { record[name] = value }
        spec.normalize?(&record)
        try checkRequired(spec, record)
        for constraint in spec.constraints { if let error = constraint(record, self) { throw error } }
        tables[spec.name, default: [:]][id] = record
        spec.afterCreate?(id, self)
        for (name, commands) in children { try applyChildren(spec, id, name, commands, uid: uid) }
        return id
    }

    func write(_ spec: ModelSpec, _ ids: [Int], _ vals: Record, uid: Int) throws(OdooException) {
        let missingIDs = ids.filter { record(spec.name, $0) == nil }
        guard missingIDs.isEmpty else { throw missing(spec.name, missingIDs, uid) }
        var values = try convert(spec, vals)
        let children = values.filter { if case .one2many = spec.fields[$0.key]!.kind { true } else { false } }
        for name in children.keys { values[name] = nil }
        for id in ids {
            var record = tables[spec.name]![id]!
            for (name, value) in values { record[name] = value }
            record["write_date"] = .string(now)
            spec.normalize?(&record)
            try checkRequired(spec, record)
            for constraint in spec.constraints { if let error = constraint(record, self) { throw error } }
            tables[spec.name]![id] = record
            for (name, commands) in children { try applyChildren(spec, id, name, commands, uid: uid) }
        }
        if let active = values["active"], spec.name == "product.template" {
            for (variant, product) in tables["product.product"] ?? [:] where ids.contains(product["product_tmpl_id"]?.int ?? 0) {
                tables["product.product"]![variant]!["active"] = active
            }
        }
    }

    func checkRequired(_ spec: ModelSpec, _ record: Record) throws(OdooException) {
        for field in spec.fields.values.sorted(by: { $0.name < $1.name }) where field.required && field.compute == nil {
            if (record[field.name] ?? .none).isEmpty {
                throw OdooException(.validation, "The operation cannot be completed: Missing required value for the field '\(field.label)' (\(field.name)).\n"
                                    + "Model: \(spec.description) (\(spec.name))\nField: \(field.label) (\(field.name))")
            }
        }
    }

    /// Checks names and types and turns x2many commands into stored id lists.
    func convert(_ spec: ModelSpec, _ vals: Record) throws(OdooException) -> Record {
        var result = Record()
        for (name, value) in vals {
            guard let field = spec.fields[name] else { throw invalidField(spec.name, name) }
            if field.compute != nil || name == "id" || name == "display_name" { continue }
            switch field.kind {
            case .selection(let options):
                if !value.isEmpty, !options.contains(where: { .string($0.0) == value }) {
                    throw OdooException(.value, "Wrong value for \(spec.name).\(name): \(Self.python(value))")
                }
                result[name] = value.isEmpty ? false : value
            case .many2one(let relation):
                if value.isEmpty { result[name] = false; continue }
                guard let id = value.int else { throw OdooException(.value, "Wrong value for \(spec.name).\(name): \(Self.python(value))") }
                guard record(relation, id) != nil else {
                    throw OdooException(.validation, "The operation cannot be completed: another model requires the record being deleted. "
                                        + "If possible, archive it instead.\n\nModel: \(spec.description) (\(spec.name))\nConstraint: \(spec.name.replacingOccurrences(of: ".", with: "_"))_\(name)_fkey")
                }
                result[name] = .int(id)
            case .many2many:
                result[name] = .array(try manyToMany(value, current: []).map(OdooValue.int))
            case .one2many:
                result[name] = value
            case .integer:
                result[name] = value.isEmpty ? .int(0) : .int(value.int ?? 0)
            case .float, .monetary:
                let number = value.isEmpty ? 0 : Domain.number(value) ?? 0
                result[name] = .double(field.digits.map { OdooFloat.round(number, scale: $0.scale) } ?? number)
            case .boolean:
                result[name] = .bool(!value.isEmpty)
            default:
                result[name] = value.isEmpty ? false : value
            }
        }
        return result
    }

    /// Applies many2many commands: (6, 0, ids) replace, (4, id) link, (3, id) unlink, (5,) clear; a plain id list replaces.
    func manyToMany(_ value: OdooValue, current: [Int]) throws(OdooException) -> [Int] {
        var ids = current
        for command in value.array ?? [] {
            if let id = command.int { if !ids.contains(id) { ids.append(id) }; continue }
            let parts = command.array ?? []
            switch parts.first?.int {
            case 6: ids = parts.count > 2 ? Domain.ids(parts[2]) : []
            case 4: if let id = parts.dropFirst().first?.int, !ids.contains(id) { ids.append(id) }
            case 3: ids.removeAll { $0 == parts.dropFirst().first?.int }
            case 5: ids = []
            default: throw OdooException(.value, "Invalid command \(Self.python(command)) for a many2many field")
            }
        }
        return ids
    }

    /// Applies one2many commands on the child model: (0, 0, vals) create, (1, id, vals) write, (2, id) delete, (4, id) link.
    func applyChildren(_ spec: ModelSpec, _ id: Int, _ field: String, _ commands: OdooValue, uid: Int) throws(OdooException) {
        guard case .one2many(let relation, let inverse) = spec.fields[field]!.kind, let child = models[relation] else { return }
        for command in commands.array ?? [] {
            let parts = command.array ?? []
            switch parts.first?.int {
            case 0:
                var vals = parts.count > 2 ? parts[2].members ?? [:] : [:]
                vals[inverse] = .int(id)
                _ = try create(child, vals, uid: uid)
            case 1:
                if let childID = parts.dropFirst().first?.int { try write(child, [childID], parts.count > 2 ? parts[2].members ?? [:] : [:], uid: uid) }
            case 2:
                if let childID = parts.dropFirst().first?.int { tables[relation]?[childID] = nil }
            case 4:
                if let childID = parts.dropFirst().first?.int { try write(child, [childID], [inverse: .int(id)], uid: uid) }
            default:
                throw OdooException(.value, "Invalid command \(Self.python(command)) for a one2many field")
            }
        }
    }

    // MARK: Read and search

    func read(_ spec: ModelSpec, _ ids: [Int], fields: OdooValue?) throws(OdooException) -> [OdooValue] {
        let names: [String]
        if let requested = fields?.array?.compactMap(\.string), !requested.isEmpty {
            for name in requested where spec.fields[name] == nil { throw invalidField(spec.name, name) }
            names = requested.filter { $0 != "id" }
        } else {
            names = spec.fields.keys.filter { $0 != "id" && $0 != "password" }.sorted()
        }
        return ids.compactMap { id in
            guard let record = record(spec.name, id) else { return nil }
            var row: [String: OdooValue] = ["id": .int(id)]
            for name in names { row[name] = readValue(spec, spec.fields[name]!, record) }
            return .struct(row)
        }
    }

    func search(_ spec: ModelSpec, _ domainValue: OdooValue, activeTest: Bool, offset: Int, limit: Int?, order: String?) throws(OdooException) -> [Int] {
        let domain = try Domain.parse(domainValue)
        try domain.validate(spec, self)
        let hideArchived = activeTest && spec.hasActive && !domain.mentions("active")
        var found = (tables[spec.name] ?? [:]).values.filter { record in
            (!hideArchived || record["active"] != false) && domain.matches(record, spec, self)
        }
        let keys = (order ?? spec.order).split(separator: ",").map { part -> (String, Bool) in
            let words = part.split(separator: " ")
            return (String(words.first ?? "id"), words.dropFirst().first?.lowercased() == "desc")
        }
        found.sort { a, b in
            for (name, descending) in keys {
                guard let field = spec.fields[name] else { continue }
                var x = readValue(spec, field, a), y = readValue(spec, field, b)
                if case .array(let pair) = x, pair.count == 2 { x = pair[1] }
                if case .array(let pair) = y, pair.count == 2 { y = pair[1] }
                if let order = Domain.order(x, y), order != 0 { return descending ? order > 0 : order < 0 }
                if x.isEmpty != y.isEmpty { return y.isEmpty != descending }
            }
            return (a["id"]?.int ?? 0) < (b["id"]?.int ?? 0)
        }
        let ids = found.compactMap { $0["id"]?.int }.dropFirst(offset)
        return Array(limit.map { ids.prefix($0) } ?? ids)
    }

    func fieldsGet(_ spec: ModelSpec, allfields: [String]?, attributes: [String]?) -> OdooValue {
        var result = [String: OdooValue]()
        for name in allfields ?? spec.fields.keys.sorted() {
            guard let field = spec.fields[name] else { continue }
            var description: [String: OdooValue] = ["type": .string(field.kind.typeName), "required": .bool(field.required),
                                                    "readonly": .bool(field.readonly), "string": .string(field.label)]
            if case .selection(let options) = field.kind { description["selection"] = .array(options.map { [.string($0.0), .string($0.1)] }) }
            if field.kind == .float { description["digits"] = field.digits.map { [.int($0.precision), .int($0.scale)] } ?? false }
            if let size = field.size { description["size"] = .int(size) }
            if let relation = field.kind.relation { description["relation"] = .string(relation) }
            if let attributes { description = description.filter { attributes.contains($0.key) } }
            result[name] = .struct(description)
        }
        return .struct(result)
    }
}

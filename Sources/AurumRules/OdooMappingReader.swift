import AurumCore
import Yams

/// Reads `consumers/odoo.yaml` into an `OdooMapping`, checking every entity, attribute, version
/// range and option against the rules, each problem with its `file:line`.
struct OdooMappingReader {
    let doc: YAMLDocument
    let schemas: [String: EntitySchema]
    let declared: Set<String>

    static let fieldKeys = ["from", "value", "cases", "versions", "map", "default", "lookup", "reference", "max_length"]

    func read(_ root: Node) -> OdooMapping? {
        guard let entries = doc.mapping(root, allowed: ["module", "order", "entities", "import_every", "description"], what: "odoo.yaml") else { return nil }
        var mapping = OdooMapping()
        for (key, _, value) in entries {
            switch key {
            case "module":
                if let module = doc.string(value, "module"), module.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { mapping.module = module }
                else { doc.report(value, "module must be a word of letters, digits and _ (it starts every external id)") }
            case "order":
                mapping.order = (doc.strings(value, "order") ?? []).filter { name in
                    guard declared.contains(name) else {
                        doc.report(value, "order names unknown entity \"\(name)\"\(Suggestion.didYouMean(name, in: declared))")
                        return false
                    }
                    return true
                }
            case "import_every":
                if let text = scalarText(value), let seconds = DurationText.seconds(text) { mapping.importEvery = seconds }
                else { doc.report(value, "import_every must be \(DurationText.allowed)") }
            case "entities":
                for (entity, keyNode, body) in doc.mapping(value, what: "entities") ?? [] {
                    guard let schema = schemas[entity] else {
                        if !declared.contains(entity) {
                            doc.report(keyNode, "unknown entity \"\(entity)\"\(Suggestion.didYouMean(entity, in: declared)); the rules define \(declared.sorted().joined(separator: ", "))")
                        }
                        continue
                    }
                    if let read = readEntity(schema, body, line: keyNode.mark?.line ?? 1) { mapping.entities[entity] = read }
                }
            default: break
            }
        }
        for entity in mapping.entities.keys.sorted() where !mapping.order.contains(entity) { mapping.order.append(entity) }
        return mapping
    }

    func readEntity(_ schema: EntitySchema, _ node: Node, line: Int) -> EntityMapping? {
        guard let entries = doc.mapping(node, allowed: ["model", "adopt_by", "fields", "children", "import_domain", "description"], what: "entity \(schema.name)") else { return nil }
        var entity = EntityMapping(entity: schema.name, model: "", line: line)
        for (key, _, value) in entries {
            switch key {
            case "model": entity.model = doc.string(value, "model") ?? ""
            case "adopt_by": entity.adoptBy = doc.string(value, "adopt_by")
            case "fields": entity.fields = readFields(schema, value)
            case "import_domain": entity.importDomain = readDomain(value, entity: schema.name)
            case "children":
                for (name, keyNode, body) in doc.mapping(value, what: "children of \(schema.name)") ?? [] {
                    if let child = readChild(schema, name, body, line: keyNode.mark?.line ?? 1) { entity.children.append(child) }
                }
            default: break
            }
        }
        if entity.model.isEmpty { doc.report(node, "entity \(schema.name) needs model: (the Odoo model, e.g. res.partner)") ; return nil }
        if let adopt = entity.adoptBy, !entity.fields.contains(where: { $0.odooField == adopt }) {
            doc.report(node, "adopt_by: \(adopt) is not one of the mapped fields of \(schema.name); map it under fields:")
        }
        return entity
    }

    /// An Odoo domain: a list of [field, operator, value] conditions and the prefix operators
    /// "|", "&" and "!".
    func readDomain(_ node: Node, entity: String) -> [JSONValue] {
        guard let items = node.sequence else {
            doc.report(node, "import_domain of \(entity) must be a list of conditions, e.g. [[supplier_rank, \">\", 0]]")
            return []
        }
        var domain = [JSONValue]()
        for item in items {
            let json = Self.json(item)
            if case .string(let logic) = json, ["|", "&", "!"].contains(logic) { domain.append(json); continue }
            guard case .array(let parts) = json, parts.count == 3, case .string(let field) = parts[0], !field.isEmpty, case .string = parts[1] else {
                doc.report(item, "each condition of import_domain is [field, operator, value] (or \"|\", \"&\", \"!\"), e.g. [customer_rank, \">\", 0]")
                continue
            }
            domain.append(json)
        }
        return domain
    }

    func readChild(_ schema: EntitySchema, _ name: String, _ node: Node, line: Int) -> ChildMapping? {
        guard let entries = doc.mapping(node, allowed: ["model", "parent_field", "requires", "fields"], what: "child \(name)") else { return nil }
        var model = "", parent = "", requires = ""
        var fields = [FieldMapping]()
        for (key, _, value) in entries {
            switch key {
            case "model": model = doc.string(value, "model") ?? ""
            case "parent_field": parent = doc.string(value, "parent_field") ?? ""
            case "requires":
                requires = doc.string(value, "requires") ?? ""
                checkAttribute(schema, requires, value)
            case "fields": fields = readFields(schema, value)
            default: break
            }
        }
        guard !model.isEmpty, !parent.isEmpty, !requires.isEmpty else {
            doc.report(node, "child \(name) needs model:, parent_field: and requires:")
            return nil
        }
        return ChildMapping(name: name, model: model, parentField: parent, requires: requires, fields: fields, line: line)
    }

    func readFields(_ schema: EntitySchema, _ node: Node) -> [FieldMapping] {
        var fields = [FieldMapping]()
        for (odooField, keyNode, value) in doc.mapping(node, what: "fields of \(schema.name)") ?? [] {
            let line = keyNode.mark?.line ?? 1
            if case .scalar = value {
                guard let attribute = doc.string(value, "field \(odooField)") else { continue }
                checkAttribute(schema, attribute, value)
                fields.append(FieldMapping(odooField: odooField, source: .attributes([attribute]), line: line))
                continue
            }
            guard let entries = doc.mapping(value, allowed: Self.fieldKeys, what: "field \(odooField)") else { continue }
            var field = FieldMapping(odooField: odooField, source: .attributes([]), line: line)
            var sources = 0
            for (key, _, option) in entries {
                switch key {
                case "from":
                    let names = option.sequence != nil ? doc.strings(option, "from") ?? [] : [doc.string(option, "from")].compactMap { $0 }
                    names.forEach { checkAttribute(schema, $0, option) }
                    field.source = .attributes(names)
                    sources += 1
                case "value":
                    field.source = .constant(Self.json(option))
                    sources += 1
                case "cases":
                    field.source = .cases(readCases(schema, option))
                    sources += 1
                case "versions":
                    if let text = scalarText(option), let range = VersionRange(text) { field.versions = range }
                    else { doc.report(option, "versions must be an Odoo major or a range: 17, 16-18, 18- or -17") }
                case "map":
                    for (from, _, to) in doc.mapping(option, what: "map of \(odooField)") ?? [] { field.map[from] = Self.json(to) }
                case "default": field.defaultValue = Self.json(option)
                case "lookup":
                    guard let parts = doc.mapping(option, allowed: ["model", "by"], what: "lookup of \(odooField)"),
                          let model = parts.first(where: { $0.key == "model" }).flatMap({ doc.string($0.value, "lookup model") }),
                          let by = parts.first(where: { $0.key == "by" }).flatMap({ doc.string($0.value, "lookup by") }) else {
                        doc.report(option, "lookup needs model: and by: (e.g. {model: uom.uom, by: name})")
                        continue
                    }
                    field.lookup = .init(model: model, by: by)
                case "reference":
                    if let entity = doc.string(option, "reference") {
                        if declared.contains(entity) { field.reference = entity }
                        else { doc.report(option, "reference names unknown entity \"\(entity)\"\(Suggestion.didYouMean(entity, in: declared))") }
                    }
                case "max_length":
                    if let limit = doc.int(option, "max_length"), limit > 0 { field.maxLength = limit }
                default: break
                }
            }
            if sources != 1 { doc.report(value, "field \(odooField) needs exactly one of from:, value: or cases:") ; continue }
            fields.append(field)
        }
        return fields
    }

    func readCases(_ schema: EntitySchema, _ node: Node) -> [FieldMapping.Case] {
        guard let items = node.sequence else {
            doc.report(node, "cases must be a list of {when: {...}, value: ...} or {when: {...}, from: ...}")
            return []
        }
        return items.compactMap { item in
            guard let entries = doc.mapping(item, allowed: ["when", "value", "from"], what: "a case") else { return nil }
            var when = [String: JSONValue]()
            var source: FieldMapping.Source?
            for (key, _, value) in entries {
                switch key {
                case "when":
                    for (attribute, _, expected) in doc.mapping(value, what: "when") ?? [] {
                        checkAttribute(schema, attribute, value)
                        when[attribute] = Self.json(expected)
                    }
                case "value": source = .constant(Self.json(value))
                case "from": if let name = doc.string(value, "from") { checkAttribute(schema, name, value); source = .attributes([name]) }
                default: break
                }
            }
            guard let source else { doc.report(item, "a case needs value: or from:"); return nil }
            return FieldMapping.Case(when: when, source: source)
        }
    }

    func checkAttribute(_ schema: EntitySchema, _ name: String, _ node: Node) {
        guard schema.attribute(name) == nil else { return }
        let names = schema.attributes.map(\.name)
        doc.report(node, "\(schema.name) has no attribute \"\(name)\"\(Suggestion.didYouMean(name, in: names)); see rules/\(schema.name).yaml")
    }

    func scalarText(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node else { return nil }
        return scalar.string
    }

    /// A YAML scalar as JSON: booleans, integers and decimals by YAML's own rules, else text.
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if let bool = node.bool { return .bool(bool) }
            if let int = node.int { return .number(Double(int)) }
            if let float = node.float, scalar.style == .plain { return .number(float) }
            return .string(scalar.string)
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let mapping): return .object(Dictionary(mapping.map { ($0.key.string ?? "", json($0.value)) }, uniquingKeysWith: { a, _ in a }))
        case .alias: return .null
        }
    }
}

import AurumCore
import Yams

/// Reads one entity file (`rules/item.yaml`) into an `EntitySchema`, reporting every problem.
struct EntityRulesReader {
    let doc: YAMLDocument

    static let topKeys = ["entity", "description", "attributes", "rules", "match", "survive", "approve"]
    static let attributeKeys = ["type", "required", "recommended", "normalize", "pattern", "values", "length",
                                "range", "check", "entity", "unique", "sensitive", "description"]
    static let ruleKeys = ["name", "when", "require", "forbid", "severity", "message"]

    func read(_ root: Node, expectedName: String) -> EntitySchema? {
        guard let entries = doc.mapping(root, allowed: Self.topKeys, what: "an entity file") else { return nil }
        var schema = EntitySchema(name: expectedName, attributes: [])
        var ruleNodes: Node?
        var matchNode: Node?
        var surviveNode: Node?
        var approveNode: Node?
        for (key, keyNode, value) in entries {
            switch key {
            case "entity":
                if let name = doc.string(value, "entity"), name != expectedName {
                    doc.report(value, "entity \"\(name)\" does not match the file name; call it \"\(expectedName)\" or rename the file")
                }
            case "description": schema.description = doc.string(value, "description")
            case "attributes": schema.attributes = attributes(value)
            case "rules": ruleNodes = value
            case "match": matchNode = value
            case "survive": surviveNode = value
            case "approve": approveNode = value
            default: doc.report(keyNode, "unexpected key \(key)")
            }
        }
        if !entries.contains(where: { $0.key == "attributes" }) {
            doc.report(root, "an entity file needs an attributes: section")
        }
        if let ruleNodes { schema.rules = rules(ruleNodes, attributes: Set(schema.attributes.map(\.name))) }
        if let surviveNode { schema.survive = survive(surviveNode, attributes: Set(schema.attributes.map(\.name))) }
        if let approveNode { schema.gates = ApprovalRulesReader(doc: doc, attributes: Set(schema.attributes.map(\.name))).read(approveNode) }
        if let matchNode { schema.match = MatchRulesReader(doc: doc, attributes: Set(schema.attributes.map(\.name))).read(matchNode) }
        return schema
    }

    /// `survive:` — `default:` a strategy, `attributes:` a strategy per attribute; a strategy is
    /// a name (`trust`, `most_recent`, `most_complete`, `longest`) or `{source_order: [a, b]}`.
    func survive(_ node: Node, attributes: Set<String>) -> SurvivorshipRules {
        var rules = SurvivorshipRules()
        guard let entries = doc.mapping(node, allowed: ["default", "attributes"], what: "survive") else { return rules }
        for (key, _, value) in entries {
            if key == "default" {
                if let strategy = strategy(value, "survive.default") { rules.defaultStrategy = strategy }
                continue
            }
            for (name, keyNode, strategyNode) in doc.mapping(value, what: "survive.attributes") ?? [] {
                guard attributes.contains(name) else {
                    doc.report(keyNode, "survive names unknown attribute \"\(name)\"\(Suggestion.didYouMean(name, in: attributes))")
                    continue
                }
                if let strategy = strategy(strategyNode, "survive.attributes.\(name)") { rules.attributes[name] = strategy }
            }
        }
        return rules
    }

    func strategy(_ node: Node, _ what: String) -> SurvivalStrategy? {
        let names = SurvivalStrategy.named.keys.sorted() + ["{source_order: [...]}"]
        if case .mapping = node {
            guard let entries = doc.mapping(node, allowed: ["source_order"], what: what),
                  let order = entries.first.flatMap({ doc.strings($0.value, "\(what).source_order") }) else { return nil }
            guard !order.isEmpty else {
                doc.report(node, "\(what).source_order needs at least one source")
                return nil
            }
            return .sourceOrder(order)
        }
        guard let name = doc.string(node, what) else { return nil }
        guard let strategy = SurvivalStrategy.named[name] else {
            doc.report(node, "\(what): unknown strategy \"\(name)\"\(Suggestion.didYouMean(name, in: SurvivalStrategy.named.keys)); one of: \(names.joined(separator: ", "))")
            return nil
        }
        return strategy
    }

    func attributes(_ node: Node) -> [AttributeSpec] {
        guard let entries = doc.mapping(node, what: "attributes") else { return [] }
        return entries.compactMap { name, keyNode, value in
            guard Self.isIdentifier(name) else {
                doc.report(keyNode, "attribute name \"\(name)\" must be lower_snake_case (letters, digits, _)")
                return nil
            }
            return attribute(name, value)
        }
    }

    /// An attribute whose definition has a problem is reported once and kept, as text, so that
    /// the rules naming it (match keys, gates, the Odoo mapping) are not reported as well: the
    /// cause is said, not its consequences. Rules with a problem are never served.
    func attribute(_ name: String, _ node: Node) -> AttributeSpec? {
        guard let entries = doc.mapping(node, allowed: Self.attributeKeys, what: "attribute \(name)") else {
            return AttributeSpec(name: name, type: .string)
        }
        guard let typeEntry = entries.first(where: { $0.key == "type" }) else {
            doc.report(node, "attribute \(name) needs a type: one of \(AttributeType.allCases.map(\.rawValue).joined(separator: ", "))")
            return AttributeSpec(name: name, type: .string)
        }
        let type = doc.choice(typeEntry.value, "type", as: AttributeType.self) ?? .string
        var spec = AttributeSpec(name: name, type: type)
        for (key, _, value) in entries {
            read(key, value, into: &spec)
        }
        checkConsistency(spec, node)
        return spec
    }

    func read(_ key: String, _ value: Node, into spec: inout AttributeSpec) {
        let what = "\(spec.name).\(key)"
        switch key {
        case "required": spec.required = doc.bool(value, what) ?? false
        case "recommended": spec.recommended = doc.bool(value, what) ?? false
        case "unique": spec.unique = doc.bool(value, what) ?? false
        case "description": spec.description = doc.string(value, what)
        case "normalize":
            spec.normalize = (doc.strings(value, what) ?? []).compactMap { step in
                if let n = Normalization(rawValue: step) { return n }
                let names = Normalization.allCases.map(\.rawValue)
                doc.report(value, "unknown normalization \"\(step)\"\(Suggestion.didYouMean(step, in: names)); one of: \(names.joined(separator: ", "))")
                return nil
            }
        case "pattern":
            guard let pattern = doc.string(value, what) else { return }
            do { _ = try Regex(pattern); spec.pattern = pattern } catch {
                doc.report(value, "\(what) is not a valid regular expression: \(error)")
            }
        case "values": spec.values = doc.strings(value, what) ?? []
        case "length": spec.length = range(value, what)
        case "range": spec.range = range(value, what)
        case "check": spec.check = doc.choice(value, "check", as: CheckDigitScheme.self)
        case "entity": spec.referencedEntity = doc.string(value, what)
        case "sensitive": spec.sensitive = sensitivity(value, what)
        default: break
        }
    }

    /// `sensitive: true` (in clear for admins only, the last 4 characters shown to others), or
    /// `sensitive: {clear_for: {roles: [admin], groups: [finance]}, show_last: 4}`.
    func sensitivity(_ node: Node, _ what: String) -> Sensitivity? {
        if case .scalar = node {
            return doc.bool(node, what) == true ? Sensitivity() : nil
        }
        guard let entries = doc.mapping(node, allowed: ["clear_for", "show_last"], what: what) else { return nil }
        var sensitivity = Sensitivity(clearForRoles: [])
        for (key, _, value) in entries {
            switch key {
            case "show_last":
                guard let count = doc.int(value, "\(what).show_last") else { continue }
                guard (0...8).contains(count) else { doc.report(value, "\(what).show_last must be between 0 and 8"); continue }
                sensitivity.showLast = count
            default:
                guard let clear = doc.mapping(value, allowed: ["roles", "groups"], what: "\(what).clear_for") else { continue }
                for (kind, _, names) in clear {
                    let listed = doc.strings(names, "\(what).clear_for.\(kind)") ?? []
                    if kind == "groups" { sensitivity.clearForGroups.formUnion(listed); continue }
                    for role in listed {
                        guard let known = Role(rawValue: role) else {
                            let roles = Role.allCases.map(\.rawValue)
                            doc.report(names, "\(what).clear_for.roles: unknown role \"\(role)\"\(Suggestion.didYouMean(role, in: roles)); one of: \(roles.joined(separator: ", "))")
                            continue
                        }
                        sensitivity.clearForRoles.insert(known)
                    }
                }
            }
        }
        return sensitivity
    }

    func range(_ node: Node, _ what: String) -> NumericRange? {
        guard let entries = doc.mapping(node, allowed: ["min", "max"], what: what) else { return nil }
        var result = NumericRange()
        for (key, _, value) in entries {
            if key == "min" { result.min = doc.number(value, "\(what).min") } else { result.max = doc.number(value, "\(what).max") }
        }
        if let min = result.min, let max = result.max, min > max { doc.report(node, "\(what): min is greater than max") }
        return result
    }

    func checkConsistency(_ spec: AttributeSpec, _ node: Node) {
        if spec.type == .enum, spec.values.isEmpty { doc.report(node, "attribute \(spec.name) is an enum and needs values: [...]") }
        if spec.type != .enum, !spec.values.isEmpty { doc.report(node, "attribute \(spec.name) has values: but its type is \(spec.type.rawValue); use type: enum") }
        if spec.type == .reference, spec.referencedEntity == nil { doc.report(node, "attribute \(spec.name) is a reference and needs entity: (the entity it points to)") }
        if spec.type != .reference, spec.referencedEntity != nil { doc.report(node, "attribute \(spec.name) has entity: but its type is \(spec.type.rawValue); use type: reference") }
        if spec.required, spec.recommended { doc.report(node, "attribute \(spec.name) cannot be both required and recommended") }
    }

    func rules(_ node: Node, attributes: Set<String>) -> [CrossFieldRule] {
        guard case .sequence(let items) = node else {
            doc.report(node, "rules must be a list of cross-field rules")
            return []
        }
        return items.compactMap { rule($0, attributes: attributes) }
    }

    func rule(_ node: Node, attributes: Set<String>) -> CrossFieldRule? {
        guard let entries = doc.mapping(node, allowed: Self.ruleKeys, what: "a rule") else { return nil }
        let field = { (key: String) in entries.first { $0.key == key }?.value }
        guard let nameNode = field("name"), let name = doc.string(nameNode, "rule name") else {
            doc.report(node, "a rule needs a name:")
            return nil
        }
        guard let whenNode = field("when") else {
            doc.report(node, "rule \(name) needs when: (the conditions under which it applies)")
            return nil
        }
        var rule = CrossFieldRule(name: name, when: conditions(whenNode, rule: name, attributes: attributes))
        rule.require = field("require").flatMap { names($0, "rule \(name) require", attributes) } ?? []
        rule.forbid = field("forbid").flatMap { names($0, "rule \(name) forbid", attributes) } ?? []
        rule.severity = field("severity").flatMap { doc.choice($0, "severity", as: Severity.self) } ?? .error
        rule.message = field("message").flatMap { doc.string($0, "rule \(name) message") }
        if rule.require.isEmpty, rule.forbid.isEmpty { doc.report(node, "rule \(name) needs require: or forbid:") }
        return rule
    }

    func conditions(_ node: Node, rule: String, attributes: Set<String>) -> [String: AttributeCondition] {
        guard let entries = doc.mapping(node, what: "rule \(rule) when") else { return [:] }
        var result = [String: AttributeCondition]()
        for (name, keyNode, value) in entries {
            guard attributes.contains(name) else {
                doc.report(keyNode, "rule \(rule) names unknown attribute \"\(name)\"\(Suggestion.didYouMean(name, in: attributes))")
                continue
            }
            result[name] = condition(value, rule: rule)
        }
        return result
    }

    func condition(_ node: Node, rule: String) -> AttributeCondition? {
        switch node {
        case .scalar: return .oneOf([Self.value(node)])
        case .sequence(let items): return .oneOf(items.map(Self.value))
        case .mapping:
            guard let entries = doc.mapping(node, allowed: ["present"], what: "a condition of rule \(rule)"),
                  let present = entries.first.flatMap({ doc.bool($0.value, "present") }) else { return nil }
            return .present(present)
        case .alias:
            doc.report(node, "aliases are not supported in rules")
            return nil
        }
    }

    func names(_ node: Node, _ what: String, _ attributes: Set<String>) -> [String] {
        (doc.strings(node, what) ?? []).filter { name in
            if attributes.contains(name) { return true }
            doc.report(node, "\(what) names unknown attribute \"\(name)\"\(Suggestion.didYouMean(name, in: attributes))")
            return false
        }
    }

    /// A YAML scalar as the JSON value a record would hold (true, 12, 0.5 or text).
    static func value(_ node: Node) -> JSONValue {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            if let b = node.bool { return .bool(b) }
            if let i = node.int { return .number(Double(i)) }
            if let f = node.float { return .number(f) }
        }
        return .string(node.string ?? "")
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isLowercase, first.isASCII else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}

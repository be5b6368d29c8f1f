import AurumCore
import Yams

/// Reads an entity's `approve:` list into approval gates, reporting every problem at its line.
///
/// ```yaml
/// approve:
///   - gate: bank_account
///     when: {changed: [bank_account, iban]}
///     approvers: {group: finance}
///     needs: 2
///   - gate: trusted_description
///     when: {only_changed: [description], source_trust_at_least: 90}
///     auto_approve: true
/// ```
struct ApprovalRulesReader {
    let doc: YAMLDocument
    let attributes: Set<String>

    static let gateKeys = ["gate", "when", "approvers", "needs", "after", "auto_approve"]
    static let conditionKeys = ["kind", "changed", "only_changed", "source", "source_trust_at_least", "values"]
    static let valueTests = ["above", "at_least", "below", "at_most", "in"]
    /// The kinds a steward's or a source's change can be (`supersede` is the store's own).
    static let kinds = ChangeKind.allCases.filter { $0 != .supersede }

    func read(_ node: Node) -> [ApprovalGate] {
        guard case .sequence(let items) = node else {
            doc.report(node, "approve must be a list of gates, each with gate: and approvers: (or auto_approve: true)")
            return []
        }
        var gates = [ApprovalGate]()
        for item in items {
            guard let gate = gate(item, earlier: gates.map(\.name)) else { continue }
            if gates.contains(where: { $0.name == gate.name }) {
                doc.report(item, "gate \(gate.name) appears twice in approve; give each gate its own name")
                continue
            }
            gates.append(gate)
        }
        return gates
    }

    func gate(_ node: Node, earlier: [String]) -> ApprovalGate? {
        guard let entries = doc.mapping(node, allowed: Self.gateKeys, what: "a gate") else { return nil }
        guard let nameNode = entries.first(where: { $0.key == "gate" })?.value else {
            doc.report(node, "a gate needs a name (gate: NAME)")
            return nil
        }
        guard let name = doc.string(nameNode, "gate") else { return nil }
        var when: GateCondition?
        var approvers: GateApprovers?
        var needs = 1
        var after = [String]()
        var auto = false
        for (key, _, value) in entries {
            switch key {
            case "when": when = condition(value, gate: name)
            case "approvers": approvers = self.approvers(value, gate: name)
            case "needs":
                needs = doc.int(value, "gate \(name): needs") ?? 1
                if needs < 1 { doc.report(value, "gate \(name): needs must be at least 1 (distinct approvers)") }
            case "after":
                after = doc.strings(value, "gate \(name): after") ?? []
                for other in after where !earlier.contains(other) {
                    doc.report(value, "gate \(name) comes after \"\(other)\", which is not a gate listed before it"
                               + "\(Suggestion.didYouMean(other, in: earlier)); list the gate it waits for first")
                }
            case "auto_approve": auto = doc.bool(value, "gate \(name): auto_approve") ?? false
            default: break
            }
        }
        switch (auto, approvers) {
        case (true, .some):
            doc.report(node, "gate \(name) both auto-approves and names approvers; keep one of auto_approve: true and approvers:")
            return nil
        case (true, nil):
            guard when != nil else {
                doc.report(node, "gate \(name) auto-approves every change; give it a when: (e.g. only_changed: [description]) so that it releases only low-risk changes")
                return nil
            }
            return ApprovalGate(name: name, when: when, approvers: nil, after: after)
        case (false, nil):
            if !entries.contains(where: { $0.key == "approvers" }) {
                doc.report(node, "gate \(name) needs approvers: {group: NAME} or {role: steward}, or auto_approve: true")
            }
            return nil
        case (false, .some(let approvers)):
            return ApprovalGate(name: name, when: when, approvers: approvers, needs: needs, after: after)
        }
    }

    func approvers(_ node: Node, gate: String) -> GateApprovers? {
        guard let entries = doc.mapping(node, allowed: ["group", "role"], what: "gate \(gate): approvers") else { return nil }
        guard entries.count == 1, let (key, _, value) = entries.first else {
            doc.report(node, "gate \(gate): approvers names one group or one role, e.g. {group: finance}")
            return nil
        }
        if key == "group" { return doc.string(value, "gate \(gate): approvers.group").map(GateApprovers.group) }
        guard let role = doc.choice(value, "gate \(gate): approvers.role", as: Role.self) else { return nil }
        guard role == .steward || role == .admin else {
            doc.report(value, "gate \(gate): only stewards and admins approve; role \(role.rawValue) cannot")
            return nil
        }
        return .role(role)
    }

    func condition(_ node: Node, gate: String) -> GateCondition? {
        let what = "gate \(gate): when"
        guard let entries = doc.mapping(node, allowed: Self.conditionKeys, what: what) else { return nil }
        if entries.isEmpty { doc.report(node, "\(what) is empty; leave when: out for a gate that applies when no other does") }
        var condition = GateCondition()
        for (key, _, value) in entries {
            switch key {
            case "kind":
                for item in list(value) {
                    guard let kind = doc.choice(item, "\(what).kind", as: ChangeKind.self) else { continue }
                    if kind == .supersede { doc.report(item, "\(what).kind supersede is the store's own; one of: \(Self.kinds.map(\.rawValue).joined(separator: ", "))") }
                    condition.kinds.insert(kind)
                }
            case "changed": condition.changed = attributeNames(value, "\(what).changed")
            case "only_changed": condition.onlyChanged = attributeNames(value, "\(what).only_changed")
            case "source": condition.sources = Set(doc.strings(value, "\(what).source") ?? [])
            case "source_trust_at_least":
                condition.minimumTrust = doc.int(value, "\(what).source_trust_at_least")
                if let trust = condition.minimumTrust, !(0...100).contains(trust) {
                    doc.report(value, "\(what).source_trust_at_least must be between 0 and 100, as trust is in aurum.yaml")
                }
            case "values":
                condition.values = list(value).compactMap { valueCondition($0, what: "\(what).values") }
            default: break
            }
        }
        return condition
    }

    func valueCondition(_ node: Node, what: String) -> ValueCondition? {
        guard let entries = doc.mapping(node, allowed: ["attribute"] + Self.valueTests, what: "each entry of \(what)") else { return nil }
        guard let attributeNode = entries.first(where: { $0.key == "attribute" })?.value,
              let attribute = attributeNames(attributeNode, "\(what).attribute").first else {
            if !entries.contains(where: { $0.key == "attribute" }) { doc.report(node, "each entry of \(what) names its attribute: and one test (\(Self.valueTests.joined(separator: ", ")))") }
            return nil
        }
        let tests = entries.filter { $0.key != "attribute" }
        guard tests.count == 1, let (test, _, value) = tests.first else {
            doc.report(node, "\(what) for \(attribute) needs exactly one test: \(Self.valueTests.joined(separator: ", "))")
            return nil
        }
        if test == "in" {
            guard case .sequence(let items) = value else { doc.report(value, "\(what) for \(attribute): in must be a list"); return nil }
            return ValueCondition(attribute: attribute, test: .oneOf(items.map(Self.json)))
        }
        guard let limit = doc.number(value, "\(what) for \(attribute): \(test)") else { return nil }
        let kind: ValueCondition.Test = switch test {
        case "above": .above(limit)
        case "at_least": .atLeast(limit)
        case "below": .below(limit)
        default: .atMost(limit)
        }
        return ValueCondition(attribute: attribute, test: kind)
    }

    /// Attribute names of this entity; an unknown one is reported with the closest known.
    func attributeNames(_ node: Node, _ what: String) -> Set<String> {
        var names = Set<String>()
        for name in doc.strings(node, what) ?? [] {
            guard attributes.contains(name) else {
                doc.report(node, "\(what) names unknown attribute \"\(name)\"\(Suggestion.didYouMean(name, in: attributes))")
                continue
            }
            names.insert(name)
        }
        return names
    }

    /// A node's items, a single value being a list of one.
    func list(_ node: Node) -> [Node] {
        if case .sequence(let items) = node { return Array(items) }
        return [node]
    }

    /// A scalar as the JSON value a proposal would hold: a number, true or false, else text.
    static func json(_ node: Node) -> JSONValue {
        if let int = node.int { return .number(Double(int)) }
        if let float = node.float { return .number(float) }
        if let bool = node.bool { return .bool(bool) }
        return .string(node.string ?? "")
    }
}

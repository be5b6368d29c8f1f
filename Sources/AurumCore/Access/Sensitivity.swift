import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who may see an attribute's values in clear (`sensitive:` in the rules), and how everyone else
/// sees them: the last few characters, the rest starred.
public struct Sensitivity: Sendable, Hashable {
    /// Roles that see the value in clear (the shipped rules: admin).
    public var clearForRoles: Set<Role>
    /// Groups whose members see the value in clear (the shipped rules: finance).
    public var clearForGroups: Set<String>
    /// How many characters at the end stay readable (0: none).
    public var showLast: Int

    public init(clearForRoles: Set<Role> = [.admin], clearForGroups: Set<String> = [], showLast: Int = 4) {
        self.clearForRoles = clearForRoles
        self.clearForGroups = clearForGroups
        self.showLast = showLast
    }

    public func isClear(for viewer: Entitlement) -> Bool {
        viewer.role.map(clearForRoles.contains) == true || !viewer.groups.isDisjoint(with: clearForGroups)
    }

    /// `text` as the unentitled see it: `****5678` (at most `showLast` characters, and never more
    /// than a third of the value, so a short value is not given away).
    public func mask(_ text: String) -> String {
        let shown = min(showLast, text.count / 3)
        return "****" + text.suffix(shown)
    }
}

/// What a viewer holds that entitles it: a token's role and groups, or a webhook endpoint's groups.
public struct Entitlement: Sendable, Hashable {
    public var role: Role?
    public var groups: Set<String>

    public init(role: Role?, groups: Set<String> = []) {
        self.role = role
        self.groups = groups
    }

    /// Entitled to everything: Odoo, and Aurum's own work.
    public static let everything = Entitlement(role: .admin, groups: ["*"])
}

extension Principal {
    public var entitlement: Entitlement { Entitlement(role: role, groups: Set(groups)) }
}

/// The sensitive names of a rule set per entity: the attributes, and the match comparisons over
/// them (whose explanations carry their values).
public struct SensitiveNames: Sendable {
    /// entity → name → its sensitivity.
    public let byEntity: [String: [String: Sensitivity]]

    public init(rules: RuleSet) {
        var byEntity = [String: [String: Sensitivity]]()
        for (entity, schema) in rules.entities {
            var names = [String: Sensitivity]()
            for attribute in schema.attributes { if let sensitive = attribute.sensitive { names[attribute.name] = sensitive } }
            for comparison in schema.match?.comparisons ?? [] {
                if let sensitive = names[comparison.attribute] { names[comparison.name] = sensitive }
            }
            if !names.isEmpty { byEntity[entity] = names }
        }
        self.byEntity = byEntity
    }

    public var isEmpty: Bool { byEntity.isEmpty }

    /// The names `viewer` may not see in clear, per entity.
    public func hidden(from viewer: Entitlement) -> [String: Set<String>] {
        byEntity.mapValues { names in Set(names.filter { !$0.value.isClear(for: viewer) }.keys) }.filter { !$0.value.isEmpty }
    }
}

/// Rewrites the sensitive values inside a JSON document: every member named after a sensitive
/// attribute of the entity the enclosing object names (`"entity": …`; any entity's when none
/// does), and the values of an object about one (`"attribute": …`: a change's before and after,
/// a match explanation's compared values and its line in words). Keys that say where a value came
/// from (source, source_key, strategy, times) stay as they are.
public struct SensitiveRewrite: Sendable {
    let hidden: [String: Set<String>]
    /// Every entity of the rules, those without sensitive names too.
    let entities: Set<String>
    let anyEntity: Set<String>
    let leaf: @Sendable (_ value: String, _ entity: String?, _ name: String) -> String

    /// Nothing to rewrite when `hidden` is empty.
    public init(hidden: [String: Set<String>], entities: some Sequence<String>,
                leaf: @escaping @Sendable (_ value: String, _ entity: String?, _ name: String) -> String) {
        self.hidden = hidden
        self.entities = Set(entities)
        self.anyEntity = hidden.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        self.leaf = leaf
    }

    public var isEmpty: Bool { hidden.isEmpty }

    /// The members that hold an attribute's values in an object about one attribute (`"attribute":
    /// …`): a match explanation's comparison, a change's before and after.
    static let compared: Set<String> = ["a", "b", "left", "right", "before", "after", "from", "to", "value", "old", "new"]

    /// A match explanation's line in words with the values of hidden comparisons concealed, as
    /// `MatchExplanation.line` quotes them.
    func concealed(_ text: String, comparisons: [JSONValue], names: Set<String>, entity: String?) -> String {
        var text = text
        for comparison in comparisons {
            guard let fields = comparison.objectValue, let attribute = fields["attribute"]?.stringValue, names.contains(attribute) else { continue }
            for side in ["a", "b"] {
                guard let value = fields[side]?.stringValue, !value.isEmpty else { continue }
                text = text.replacingOccurrences(of: MatchExplanation.quoted(value), with: MatchExplanation.quoted(leaf(value, entity, attribute)))
            }
        }
        return text
    }

    /// Members that describe where a value came from, never the value.
    static let provenance: Set<String> = ["source", "source_key", "steward", "strategy", "changed_at", "at", "by", "rule", "attribute",
                                          "method", "level", "message"]

    public func apply(_ value: JSONValue, entity: String? = nil) -> JSONValue {
        guard !isEmpty else { return value }
        switch value {
        case .array(let elements): return .array(elements.map { apply($0, entity: entity) })
        case .object(let members):
            let entity = members["entity"]?.stringValue.flatMap { entities.contains($0) ? $0 : nil } ?? entity
            let names = entity.map { hidden[$0] ?? [] } ?? anyEntity
            let explained = members["attribute"]?.stringValue.map(names.contains) == true
            var out = [String: JSONValue]()
            for (name, member) in members {
                if names.contains(name) || (explained && Self.compared.contains(name)) {
                    out[name] = conceal(member, entity: entity, name: (explained ? members["attribute"]?.stringValue : nil) ?? name)
                } else {
                    out[name] = apply(member, entity: entity)
                }
            }
            if case .string(let text)? = members["text"], case .array(let comparisons)? = members["comparisons"] {
                out["text"] = .string(concealed(text, comparisons: comparisons, names: names, entity: entity))
            }
            return .object(out)
        default: return value
        }
    }

    func conceal(_ value: JSONValue, entity: String?, name: String) -> JSONValue {
        switch value {
        case .string(let text): return .string(leaf(text, entity, name))
        case .number: return .string(leaf(CanonicalJSON.rfc8785(value), entity, name))
        case .array(let elements): return .array(elements.map { conceal($0, entity: entity, name: name) })
        case .object(let members):
            var out = [String: JSONValue]()
            for (key, member) in members { out[key] = Self.provenance.contains(key) ? member : conceal(member, entity: entity, name: name) }
            return .object(out)
        case .null, .bool: return value
        }
    }
}

/// The masks a viewer sees: built once per request (or per webhook endpoint).
public struct Masking: Sendable {
    public let rewrite: SensitiveRewrite

    public init(rules: RuleSet, names: SensitiveNames? = nil, viewer: Entitlement) {
        let names = names ?? SensitiveNames(rules: rules)
        rewrite = SensitiveRewrite(hidden: names.hidden(from: viewer), entities: rules.entities.keys) { value, entity, name in
            let sensitivity = entity.flatMap { names.byEntity[$0]?[name] }
                ?? names.byEntity.values.lazy.compactMap { $0[name] }.first ?? Sensitivity()
            return sensitivity.mask(value)
        }
        quotedNames = rewrite.anyEntity.map { Array("\"\($0)\"".utf8) }
    }

    /// The hidden names as they appear in JSON text ("bank_account"), for a quick look first.
    let quotedNames: [[UInt8]]

    public var isEmpty: Bool { rewrite.isEmpty }
    public func apply(_ value: JSONValue) -> JSONValue { rewrite.apply(value) }

    /// Whether JSON text `bytes` names a hidden attribute at all (else there is nothing to mask).
    public func mentions(in bytes: [UInt8]) -> Bool {
        quotedNames.contains { bytes.firstRange(of: $0) != nil }
    }
}

/// The secret the audit trail's keyed hashes of sensitive values are made with (HMAC-SHA256):
/// the same value always gives the same hash, so a change stays provable, and without the key
/// nobody can test guesses against it. `AURUM_AUDIT_KEY_FILE` names it; every process of one
/// database must have the same.
public struct AuditKey: Sendable {
    let key: SymmetricKey
    /// The first eight hex digits of the key's SHA-256: which key made a hash.
    public let id: String

    public init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
        id = String(SHA256Hex.of(bytes).prefix(8))
    }

    /// A key of this process alone, for a store given none (tests): values stay hidden, their
    /// hashes are comparable only within the process.
    public static func ephemeral() -> AuditKey {
        AuditKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    /// `hmac-sha256:<key id>:<hex>` of the value's UTF-8 text.
    public func seal(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)
        return "hmac-sha256:\(id):" + SHA256Hex.hex(Array(mac))
    }

    /// The rewrite that replaces every sensitive value of `rules` by its seal.
    public func rewrite(for rules: RuleSet) -> SensitiveRewrite {
        SensitiveRewrite(hidden: SensitiveNames(rules: rules).byEntity.mapValues { Set($0.keys) }, entities: rules.entities.keys) { value, _, _ in
            seal(value)
        }
    }
}

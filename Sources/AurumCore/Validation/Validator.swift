/// Validates records of one entity against its schema.
///
/// Validation runs in two pure steps so that the store can answer what only it knows:
/// `prepare` normalizes and type-checks, `lookups` lists the facts to fetch, and `verdict`
/// applies every rule given the answers.
public struct Validator: Sendable {
    public let schema: EntitySchema
    /// The attributes boxed once: iterating boxes retains one reference per attribute, where
    /// iterating the structs would retain every string and array inside each, for every record.
    private let specs: [SpecBox]

    public init(schema: EntitySchema) {
        self.schema = schema
        self.specs = schema.attributes.map(SpecBox.init)
    }

    final class SpecBox: Sendable {
        let spec: AttributeSpec
        init(_ spec: AttributeSpec) { self.spec = spec }
    }

    /// The attributes normalized and coerced to their types, with the type errors found doing so.
    public struct Prepared: Sendable, Hashable {
        public var attributes: Attributes
        public var errors: [Finding]
    }

    /// Names in `attributes` that the schema does not declare.
    public func unknownAttributes(in attributes: Attributes) -> [String] {
        attributes.keys.filter { schema.attribute($0) == nil }.sorted()
    }

    /// Normalizes every declared attribute and coerces it to its type; empty strings become absent.
    public func prepare(_ attributes: Attributes) -> Prepared {
        var result = Attributes(minimumCapacity: attributes.count)
        var errors = [Finding]()
        for box in specs {
            guard let raw = attributes[box.spec.name], !raw.isNull else { continue }
            switch ValueCoercion.coerce(raw, to: box.spec) {
            case .success(nil): continue
            case .success(let value?): result[box.spec.name] = value
            case .failure(let finding): errors.append(finding)
            }
        }
        return Prepared(attributes: result, errors: errors)
    }

    /// The store facts the rules need for these (prepared) attributes.
    public func lookups(for attributes: Attributes) -> [Lookup] {
        attributeLookups(attributes).map(\.lookup)
    }

    func attributeLookups(_ attributes: Attributes) -> [(attribute: String, lookup: Lookup)] {
        specs.compactMap { box in
            guard let value = attributes[box.spec.name] else { return nil }
            if box.spec.type == .reference, let entity = box.spec.referencedEntity, let id = value.integerValue {
                return (box.spec.name, .reference(entity: entity, recordID: id))
            }
            if box.spec.unique { return (box.spec.name, .unique(entity: schema.name, attribute: box.spec.name, value: value)) }
            return nil
        }
    }

    /// Applies every rule to prepared attributes, given the store's answers to `lookups`.
    /// `recordID` is the golden record being changed, which may keep its own unique values.
    public func verdict(for prepared: Prepared, answers: [Lookup: LookupAnswer] = [:], recordID: Int64? = nil) -> Verdict {
        verdict(for: prepared, answers: answers, recordID: recordID, withoutStore: false)
    }

    /// `withoutStore`: an unanswered lookup is taken as satisfied (unique, or an active reference).
    private func verdict(for prepared: Prepared, answers: [Lookup: LookupAnswer], recordID: Int64?, withoutStore: Bool) -> Verdict {
        var verdict = Verdict(attributes: prepared.attributes, errors: prepared.errors)
        let failedTypes = Set(prepared.errors.map(\.attribute))
        for box in specs where !failedTypes.contains(box.spec.name) {
            let findings = AttributeRules.check(box.spec, value: prepared.attributes[box.spec.name])
            verdict.errors += findings.errors
            verdict.warnings += findings.warnings
        }
        // Without a store and with nothing answered, every lookup is taken as satisfied.
        for (attribute, lookup) in withoutStore && answers.isEmpty ? [] : attributeLookups(prepared.attributes) {
            let answer = answers[lookup] ?? (withoutStore ? lookup.satisfied : nil)
            if let problem = Self.check(lookup, answer: answer, recordID: recordID, spec: schema.attribute(attribute)) {
                verdict.errors.append(Finding(attribute: attribute, rule: problem.rule, message: problem.message))
            }
        }
        for rule in schema.rules where rule.applies(to: prepared.attributes) {
            for finding in Self.check(rule, attributes: prepared.attributes) {
                if rule.severity == .error { verdict.errors.append(finding) } else { verdict.warnings.append(finding) }
            }
        }
        return verdict
    }

    /// Validates without a store, as for a file checked before onboarding: uniqueness among golden
    /// records is taken as satisfied and references as active. `answers` may settle some lookups.
    public func validateWithoutStore(_ attributes: Attributes, recordID: Int64? = nil, answers: [Lookup: LookupAnswer] = [:]) -> Verdict {
        verdict(for: prepare(attributes), answers: answers, recordID: recordID, withoutStore: true)
    }

    /// Prepares and judges in one step, for records whose lookups are already answered.
    public func validate(_ attributes: Attributes, answers: [Lookup: LookupAnswer] = [:], recordID: Int64? = nil) -> Verdict {
        verdict(for: prepare(attributes), answers: answers, recordID: recordID)
    }

    static func check(_ lookup: Lookup, answer: LookupAnswer?, recordID: Int64?, spec: AttributeSpec? = nil) -> (rule: String, message: String)? {
        switch (lookup, answer) {
        case (.reference(let entity, let id), .record(let state)):
            guard let state else {
                return ("reference", "no \(entity) golden record \(id) exists; give the id of an existing \(entity)")
            }
            guard state == "active" else {
                return ("reference", "\(entity) \(id) is \(state); only an active \(entity) may be referenced")
            }
            return nil
        case (.unique(let entity, _, let value), .holders(let holders)):
            let others = holders.filter { $0 != recordID }
            guard let first = others.first else { return nil }
            let shown = spec?.sensitive.map { $0.mask(value.displayText) } ?? value.displayText
            return ("unique", "\(shown) is already used by \(entity) \(first); each \(entity) needs its own value")
        case (.reference, _), (.unique, _):
            return ("lookup", "could not be checked against the golden records")
        }
    }

    static func check(_ rule: CrossFieldRule, attributes: Attributes) -> [Finding] {
        let missing = rule.require.filter { attributes[$0] == nil }
        let present = rule.forbid.filter { attributes[$0] != nil }
        return missing.map { name in
            Finding(attribute: name, rule: rule.name, message: rule.message ?? "\(name) is required when \(conditionText(rule))")
        } + present.map { name in
            Finding(attribute: name, rule: rule.name, message: rule.message ?? "\(name) must be empty when \(conditionText(rule))")
        }
    }

    static func conditionText(_ rule: CrossFieldRule) -> String {
        rule.when.keys.sorted().map { name in
            switch rule.when[name]! {
            case .present(true): "\(name) is given"
            case .present(false): "\(name) is empty"
            case .oneOf(let values): "\(name) is " + values.map(\.displayText).joined(separator: " or ")
            }
        }.joined(separator: " and ")
    }
}

extension Lookup {
    /// The answer that satisfies the lookup: no other holder of a unique value, an active record.
    var satisfied: LookupAnswer {
        if case .unique = self { .holders([]) } else { .record(state: "active") }
    }
}

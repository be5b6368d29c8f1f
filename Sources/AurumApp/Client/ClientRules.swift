import ArgumentParser
import AurumCore
import AurumRules
import Foundation

/// The rules as the steward commands find them beside them ($AURUM_RULES, else `rules`), to
/// catch a misspelt entity, source or column before anything is sent. Without a readable rules
/// directory the server alone judges.
enum ClientRules {
    static func load() -> RuleSet? {
        let directory = ProcessInfo.processInfo.environment["AURUM_RULES"].flatMap { $0.isEmpty ? nil : $0 } ?? "rules"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return RulesLoader.check(directory: directory).0
    }

    /// A usage error when the rules here do not define `entity`.
    static func check(entity: String, in rules: RuleSet? = load()) throws {
        guard let rules, rules.entities[entity] == nil else { return }
        throw ValidationError("unknown entity \"\(entity)\"\(Suggestion.didYouMean(entity, in: rules.entities.keys)); "
                              + "the rules define \(rules.entities.keys.sorted().joined(separator: ", "))")
    }

    /// A usage error when the rules here do not name `source`, or do not let it submit `entity`.
    static func check(source: String, entity: String?, in rules: RuleSet? = load()) throws {
        guard let rules else { return }
        guard let system = rules.sources[source] else {
            throw ValidationError("unknown source \"\(source)\"\(Suggestion.didYouMean(source, in: rules.sources.keys)); "
                                  + "rules/aurum.yaml names \(rules.sources.keys.sorted().joined(separator: ", "))")
        }
        if let entity, !system.entities.isEmpty, !system.entities.contains(entity) {
            throw ValidationError("source \(source) may not submit \(entity) candidates; rules/aurum.yaml lets it submit "
                                  + system.entities.sorted().joined(separator: ", "))
        }
    }

    /// A usage error when the rules here name no gate `gate`.
    static func check(gate: String, in rules: RuleSet? = load()) throws {
        guard let rules, !rules.gateNames.contains(gate) else { return }
        throw ValidationError("unknown gate \"\(gate)\"\(Suggestion.didYouMean(gate, in: rules.gateNames)); "
                              + "the rules name \(rules.gateNames.sorted().joined(separator: ", "))")
    }

    /// A record id given on the command line: a positive whole number.
    static func check(id: Int64, _ what: String = "record id") throws {
        guard id > 0 else { throw ValidationError("\(id) is not a \(what); ids are positive whole numbers") }
    }
}

/// The change request id most steward commands take, checked before anything is sent.
struct ChangeRequestArgument: ParsableArguments {
    @Argument(help: "The change request id.") var id: Int64

    func validate() throws { try ClientRules.check(id: id, "change request id") }
}

/// The golden record most record commands take (`ENTITY ID`), checked before anything is sent.
struct RecordArguments: ParsableArguments {
    @Argument(help: "item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
    @Argument(help: "The golden record id.") var id: Int64

    func validate() throws {
        try ClientRules.check(entity: entity)
        try ClientRules.check(id: id)
    }
}

/// Shell completions drawn from the rules here, so that they name what the rules define.
enum Completions {
    static let entities = CompletionKind.custom { _, _, _ in ClientRules.load()?.entities.keys.sorted() ?? ["customer", "item", "supplier", "warehouse"] }
    static let sources = CompletionKind.custom { _, _, _ in ClientRules.load()?.sources.keys.sorted() ?? [] }
    static let gates = CompletionKind.custom { _, _, _ in ClientRules.load()?.gateNames.sorted() ?? [] }
    static let groups = CompletionKind.custom { _, _, _ in
        Array(Set(ClientRules.load()?.entities.values.flatMap { $0.gates.compactMap { gate -> String? in
            if case .group(let group)? = gate.approvers { return group } else { return nil }
        } } ?? [])).sorted()
    }
    static let statuses = CompletionKind.list(["all"] + ChangeRequestStatus.allCases.map(\.rawValue))
    static let filters = CompletionKind.list(["entity=", "source=", "gate=", "older_than=", "kind="])
}

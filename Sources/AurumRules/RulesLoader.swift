import AurumCore
import Foundation
import Yams

/// Loads a rules directory (`aurum.yaml` plus one `<entity>.yaml` per entity) into a `RuleSet`.
public enum RulesLoader {
    /// Loads and checks `directory`; throws every problem found, each with `file:line`.
    public static func load(directory: String) throws(RulesError) -> RuleSet {
        let (rules, diagnostics) = check(directory: directory)
        guard let rules, diagnostics.isEmpty else { throw RulesError(diagnostics) }
        return rules
    }

    /// Checks `directory`, returning what could be loaded and every problem found.
    public static func check(directory: String) -> (RuleSet?, [RulesDiagnostic]) {
        let files: [RulesFile]
        do { files = try RulesFile.list(in: directory) } catch {
            let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
            let missing = !FileManager.default.fileExists(atPath: directory)
            let message = missing
                ? "no rules directory here (looked for \(absolute)); give the directory (--rules DIR, or as the argument of rules check) or set AURUM_RULES"
                : "cannot read the rules directory \(absolute): \(error.localizedDescription)"
            return (nil, [RulesDiagnostic(file: directory, line: 0, message: message)])
        }
        var diagnostics = [RulesDiagnostic]()
        var entities = [String: (EntitySchema, YAMLDocument, Node)]()
        var settings: (YAMLDocument, Node)?
        for file in files where file.isTopLevel {
            let doc = YAMLDocument(file: file.displayPath)
            defer { diagnostics += doc.diagnostics }
            guard let root = doc.parse(file.text) else { continue }
            if file.name == "aurum.yaml" {
                settings = (doc, root)
            } else if let schema = EntityRulesReader(doc: doc).read(root, expectedName: file.stem) {
                entities[schema.name] = (schema, doc, root)
            }
        }
        guard let (settingsDoc, settingsRoot) = settings else {
            diagnostics.append(RulesDiagnostic(file: "\(directory)/aurum.yaml", line: 0, message: "missing: the rules directory needs aurum.yaml (sources and their trust)"))
            return (nil, diagnostics)
        }
        // Entities are declared by their files, so a file that fails to parse does not also make
        // every reference to its entity an error.
        let declared = Set(files.filter { $0.isTopLevel && $0.name != "aurum.yaml" }.map(\.stem))
        let sources = SettingsReader(doc: settingsDoc).read(settingsRoot, entities: declared)
        diagnostics += settingsDoc.diagnostics
        diagnostics += crossReferences(entities, declared: declared)
        diagnostics += survivorSources(entities, sources: Set(sources.keys))
        diagnostics += gateSources(entities, sources: Set(sources.keys))
        if declared.isEmpty {
            diagnostics.append(RulesDiagnostic(file: directory, line: 0, message: "no entity files: add one <entity>.yaml per entity"))
        }
        var odoo: OdooMapping?
        if let file = files.first(where: { $0.relativePath == "consumers/odoo.yaml" }) {
            let doc = YAMLDocument(file: file.displayPath)
            if let root = doc.parse(file.text) { odoo = OdooMappingReader(doc: doc, schemas: entities.mapValues(\.0), declared: declared).read(root) }
            diagnostics += doc.diagnostics
        }
        var webhooks = [WebhookEndpoint]()
        if let file = files.first(where: { $0.relativePath == "consumers/webhooks.yaml" }) {
            let doc = YAMLDocument(file: file.displayPath)
            if let root = doc.parse(file.text) { webhooks = WebhookRulesReader(doc: doc, declared: declared).read(root) }
            diagnostics += doc.diagnostics
        }
        var rules = RuleSet(entities: entities.mapValues(\.0), sources: sources, version: RulesFile.version(of: files), odoo: odoo)
        rules.webhooks = webhooks
        return (rules, diagnostics.sorted { ($0.file, $0.line) < ($1.file, $1.line) })
    }

    /// Every reference attribute must name an entity the rules define.
    static func crossReferences(_ entities: [String: (EntitySchema, YAMLDocument, Node)], declared: Set<String>) -> [RulesDiagnostic] {
        var result = [RulesDiagnostic]()
        for (schema, doc, root) in entities.values {
            for spec in schema.attributes {
                guard let target = spec.referencedEntity, !declared.contains(target) else { continue }
                let line = Self.line(ofAttribute: spec.name, in: root)
                result.append(RulesDiagnostic(file: doc.file, line: line,
                    message: "attribute \(spec.name) references unknown entity \"\(target)\"\(Suggestion.didYouMean(target, in: declared)); the rules define \(declared.sorted().joined(separator: ", "))"))
            }
        }
        return result
    }

    /// Every source a `source_order` names must be one aurum.yaml declares.
    static func survivorSources(_ entities: [String: (EntitySchema, YAMLDocument, Node)], sources: Set<String>) -> [RulesDiagnostic] {
        var result = [RulesDiagnostic]()
        for (schema, doc, root) in entities.values {
            for (attribute, strategy) in schema.survive.attributes.sorted(by: { $0.key < $1.key }) + [("default", schema.survive.defaultStrategy)] {
                guard case .sourceOrder(let order) = strategy else { continue }
                let survive = root.mapping?["survive"]
                let node = attribute == "default" ? survive?.mapping?["default"] : survive?.mapping?["attributes"]?.mapping?[attribute]
                for name in order where !sources.contains(name) {
                    result.append(RulesDiagnostic(file: doc.file, line: node?.mark?.line ?? 1,
                        message: "\(attribute == "default" ? "survive.default" : "survive.attributes.\(attribute)").source_order names unknown source \"\(name)\"\(Suggestion.didYouMean(name, in: sources)); aurum.yaml declares \(sources.sorted().joined(separator: ", "))"))
                }
            }
        }
        return result
    }

    /// Every source a gate's `when.source` names must be one aurum.yaml declares.
    static func gateSources(_ entities: [String: (EntitySchema, YAMLDocument, Node)], sources: Set<String>) -> [RulesDiagnostic] {
        var result = [RulesDiagnostic]()
        for (schema, doc, root) in entities.values {
            let nodes = root.mapping?["approve"]?.sequence.map(Array.init) ?? []
            for gate in schema.gates {
                let node = nodes.first { $0.mapping?["gate"]?.string == gate.name }?.mapping?["when"]?.mapping?["source"]
                for name in (gate.when?.sources ?? []).sorted() where !sources.contains(name) {
                    result.append(RulesDiagnostic(file: doc.file, line: node?.mark?.line ?? 1,
                        message: "gate \(gate.name): when.source names unknown source \"\(name)\"\(Suggestion.didYouMean(name, in: sources)); aurum.yaml declares \(sources.sorted().joined(separator: ", "))"))
                }
            }
        }
        return result
    }

    static func line(ofAttribute name: String, in root: Node) -> Int {
        guard let attributes = root.mapping?["attributes"]?.mapping else { return 1 }
        return attributes.first { $0.key.string == name }?.key.mark?.line ?? 1
    }
}

/// Reads `aurum.yaml`: the sources and which entities each may submit.
struct SettingsReader {
    let doc: YAMLDocument

    func read(_ root: Node, entities: Set<String>) -> [String: SourceSystem] {
        guard let entries = doc.mapping(root, allowed: ["sources", "description"], what: "aurum.yaml") else { return [:] }
        guard let sourcesNode = entries.first(where: { $0.key == "sources" })?.value else {
            doc.report(root, "aurum.yaml needs sources: (the systems that submit candidates)")
            return [:]
        }
        var sources = [String: SourceSystem]()
        for (name, _, value) in doc.mapping(sourcesNode, what: "sources") ?? [] {
            if let source = source(name, value, entities: entities) { sources[name] = source }
        }
        return sources
    }

    func source(_ name: String, _ node: Node, entities: Set<String>) -> SourceSystem? {
        guard let entries = doc.mapping(node, allowed: ["trust", "entities", "description"], what: "source \(name)") else { return nil }
        var source = SourceSystem(name: name, trust: 50)
        for (key, _, value) in entries {
            switch key {
            case "trust":
                source.trust = doc.int(value, "\(name).trust") ?? 50
                if !(0...100).contains(source.trust) { doc.report(value, "\(name).trust must be between 0 and 100") }
            case "entities":
                source.entities = (doc.strings(value, "\(name).entities") ?? []).filter { entity in
                    if entities.contains(entity) { return true }
                    doc.report(value, "source \(name) names unknown entity \"\(entity)\"\(Suggestion.didYouMean(entity, in: entities))")
                    return false
                }
            default: source.description = doc.string(value, "\(name).description")
            }
        }
        return source
    }
}

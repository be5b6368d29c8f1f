import AurumCore
import Foundation
import Yams

/// Reads `consumers/webhooks.yaml`: the endpoints released versions are posted to.
///
/// ```yaml
/// endpoints:
///   - name: erp
///     url: https://erp.example.com/hooks/aurum
///     entities: [item, supplier]      # optional: every entity
///     secret_env: AURUM_WEBHOOK_ERP   # the variable holding its whsec_ secret
///     timeout: 15                     # seconds, optional
///     groups: [finance]               # optional: sensitive attributes in clear where the rules allow these groups
/// ```
struct WebhookRulesReader {
    let doc: YAMLDocument
    let declared: Set<String>

    func read(_ root: Node) -> [WebhookEndpoint] {
        guard let entries = doc.mapping(root, allowed: ["endpoints", "description"], what: "webhooks.yaml") else { return [] }
        guard let list = entries.first(where: { $0.key == "endpoints" })?.value else { return [] }
        guard case .sequence(let items) = list else {
            doc.report(list, "endpoints must be a list of endpoints, each with name, url and secret_env")
            return []
        }
        var names = Set<String>()
        return items.compactMap { item in
            guard let endpoint = endpoint(item) else { return nil }
            guard names.insert(endpoint.name).inserted else {
                doc.report(item, "endpoint \(endpoint.name) is listed twice; give each endpoint its own name")
                return nil
            }
            return endpoint
        }
    }

    func endpoint(_ node: Node) -> WebhookEndpoint? {
        guard let entries = doc.mapping(node, allowed: ["name", "url", "entities", "secret_env", "timeout", "groups", "description"], what: "an endpoint")
        else { return nil }
        func field(_ key: String) -> Node? { entries.first { $0.key == key }?.value }
        guard let name = field("name").flatMap({ doc.string($0, "endpoint name") }) else {
            doc.report(node, "an endpoint needs name: (a word; the consumer is called webhook:<name>)")
            return nil
        }
        guard let urlNode = field("url"), let url = doc.string(urlNode, "endpoint \(name) url") else {
            doc.report(node, "endpoint \(name) needs url:")
            return nil
        }
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              components.host?.isEmpty == false else {
            doc.report(urlNode, "endpoint \(name) url \(url) is not an http:// or https:// URL")
            return nil
        }
        guard let secretNode = field("secret_env"), let secret = doc.string(secretNode, "endpoint \(name) secret_env") else {
            doc.report(node, "endpoint \(name) needs secret_env: the environment variable that holds its whsec_ secret (the secret is never in the rules)")
            return nil
        }
        var endpoint = WebhookEndpoint(name: name, url: url, secretVariable: secret)
        if let node = field("entities") {
            endpoint.entities = (doc.strings(node, "endpoint \(name) entities") ?? []).filter { entity in
                guard declared.contains(entity) else {
                    doc.report(node, "endpoint \(name) names unknown entity \"\(entity)\"\(Suggestion.didYouMean(entity, in: declared))")
                    return false
                }
                return true
            }
        }
        if let node = field("groups") { endpoint.groups = doc.strings(node, "endpoint \(name) groups") ?? [] }
        if let node = field("timeout"), let seconds = doc.number(node, "endpoint \(name) timeout") {
            if seconds > 0 && seconds <= 300 { endpoint.timeout = seconds } else { doc.report(node, "endpoint \(name) timeout must be 1 to 300 seconds") }
        }
        return endpoint
    }
}

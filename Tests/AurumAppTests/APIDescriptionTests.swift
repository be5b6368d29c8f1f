@testable import AurumApp
import AurumCore
import AurumRules
import AurumServer
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// docs/openapi.yaml and the router cannot drift: every route is described, every described
/// path is a route, method for method; the server answers the description as YAML and JSON.
@Suite struct APIDescriptionTests {
    static var path: String { URL(fileURLWithPath: ProjectPaths.rules).deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml").path }

    @Test func everyRouteIsDescribedAndEveryDescribedPathIsARoute() async throws {
        let loaded = try #require(try APIDescriptionFile.load(path: Self.path), "docs/openapi.yaml")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(loaded.json)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var described = Set<String>()
        for (path, item) in paths {
            for method in ((item as? [String: Any]) ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                described.insert("\(method.uppercased()) \(path)")
            }
        }
        let documented = described
        try await TestStore.with { t in
            let described = documented
            let router = AurumHTTPServer.router(store: t.store, rules: t.rules)
            let routed = Set(router.routes.map { route in
                let path = "/" + route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                return "\(route.method.rawValue) \(path)"
            })
            #expect(routed.subtracting(described).isEmpty, "routes without a description: \(routed.subtracting(described).sorted())")
            #expect(described.subtracting(routed).isEmpty, "described paths the router lacks: \(described.subtracting(routed).sorted())")
            #expect(routed.count > 30)
        }
    }

    @Test func theServerAnswersItsDescription() async throws {
        let loaded = try #require(try APIDescriptionFile.load(path: Self.path))
        try await TestStore.with { t in
            let router = AurumHTTPServer.router(store: t.store, rules: t.rules, description: APIDescription(yaml: loaded.yaml, json: loaded.json))
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok && response.headers[.contentType] == "application/json")
                    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    #expect(object?["openapi"] as? String == "3.1.0")
                }
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                    #expect(response.status == .ok && String(buffer: response.body).hasPrefix("openapi: 3.1.0"))
                }
            }
            try await Application(router: AurumHTTPServer.router(store: t.store, rules: t.rules)).test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in #expect(response.status == .notFound) }
            }
        }
    }
}

import AurumCore
import AurumServer
import AurumStore
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /metrics` after a scripted flow: the counters and gauges hold the values the flow made.
@Suite struct MetricsTests {
    /// The value of the sample `name{labels}` in Prometheus text, when present.
    static func value(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let series = String(parts[0])
            let base = series.split(separator: "{").first.map(String.init) ?? series
            guard base == name else { continue }
            let body = series.contains("{") ? String(series.drop { $0 != "{" }.dropFirst().dropLast()) : ""
            var found = [String: String]()
            for pair in body.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { found[kv[0]] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            if labels.allSatisfy({ found[$0.key] == $0.value }) && found.count == labels.count { return Double(parts[1]) }
        }
        return nil
    }

    @Test func theScrapeCountsWhatTheFlowDid() async throws {
        try await TestStore.with { t in
            let metrics = AurumMetrics()
            let steward = try await t.actor("alice", .steward).token
            let approver = try await t.actor("bob", .steward).token
            let plm = try await t.actor("plm-sync", .source).token
            try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare([ConsumerRegistration(name: "odoo", kind: .odoo)])
            let app = Application(router: AurumHTTPServer.router(store: t.store, rules: t.rules, metrics: metrics))
            try await app.test(.router) { client in
                let batch = #"[{"entity":"item","source":"plm","source_key":"P-1","attributes":{"code":"B-1","name":"Bolt","uom":"Units"}},"#
                    + #"{"entity":"item","source":"plm","source_key":"P-2","attributes":{"code":"B-2","name":"Nut","uom":"Units"}},"#
                    + #"{"entity":"item","source":"plm","source_key":"P-3","attributes":{"name":"No code"}}]"#
                let ingested = try await client.call(.post, "/v1/candidates", token: plm, body: batch)
                #expect(ingested.status == .ok)
                let first = try #require(ingested.json["results"]?[0]?["change_request_id"]?.integerValue)
                #expect(try await client.call(.post, "/v1/change-requests/\(first)/approve", token: approver, body: "{}").status == .ok)
                #expect(try await client.call(.get, "/v1/change-requests/999999", token: steward).status == .notFound)
                let scrape = try await client.execute(uri: "/metrics", method: .get) { response in
                    (response.status, response.headers[.contentType], String(buffer: response.body))
                }
                #expect(scrape.0 == .ok && scrape.1?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = scrape.2
                #expect(Self.value(text, "aurum_candidates_total", ["entity": "item", "source": "plm", "outcome": "proposed"]) == 2, "\(text)")
                #expect(Self.value(text, "aurum_candidates_total", ["entity": "item", "source": "plm", "outcome": "rejected"]) == 1)
                #expect(Self.value(text, "aurum_releases_total", ["entity": "item"]) == 1)
                #expect(Self.value(text, "aurum_http_requests_total", ["route": "/v1/candidates", "method": "POST", "status": "200"]) == 1)
                #expect(Self.value(text, "aurum_http_requests_total", ["route": "/v1/change-requests/{id}", "method": "GET", "status": "404"]) == 1,
                        "the route's template, never the id: \(text.split(separator: "\n").filter { $0.contains("http_requests") })")
                #expect(Self.value(text, "aurum_change_requests_open", ["entity": "item", "age": "under_1d"]) == 1, "one still open")
                #expect(Self.value(text, "aurum_deliveries_waiting", ["consumer": "odoo"]) == 1, "the release waits for Odoo")
                #expect((Self.value(text, "aurum_delivery_oldest_waiting_seconds", ["consumer": "odoo"]) ?? -1) >= 0)
                #expect(Self.value(text, "aurum_deliveries_dead", ["consumer": "odoo"]) == 0)
                #expect(Self.value(text, "aurum_feed_position") == 1)
                // Pool use: this process's connections by state (the scrape's own query is active) against the pool's size.
                #expect((Self.value(text, "aurum_db_connections", ["state": "active"]) ?? 0) >= 1, "\(text.split(separator: "\n").filter { $0.contains("aurum_db") })")
                #expect(Self.value(text, "aurum_db_connections", ["state": "hidden"]) == nil, "PostgreSQL shows the states to the login user")
                #expect(Self.value(text, "aurum_db_connections", ["state": "idle_in_transaction"]) != nil)
                #expect(Self.value(text, "aurum_db_pool_max_connections") == 20)
                #expect(text.contains("aurum_http_request_duration_seconds_bucket"))
                #expect(!text.contains("B-1") && !text.contains(plm), "no record data, no token")
            }
        }
    }
}

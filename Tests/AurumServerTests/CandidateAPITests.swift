import AurumCore
import AurumServer
import AurumTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite struct CandidateAPITests {
    @Test func oneObjectInOneResultOut() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let reply = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: hexBolt)
            #expect(reply.status == .ok)
            #expect(reply.json["status"] == "proposed")
            #expect(reply.json["candidate_id"]?.integerValue != nil && reply.json["change_request_id"]?.integerValue != nil)
            #expect(reply.json["errors"] == [] && reply.json["warnings"] == [])
            #expect(reply.headers[.init("X-Request-Id")!] != nil)
        }
    }

    @Test func arrayInResultsOutInOrder() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let batch = """
                [\(hexBolt),
                 {"entity":"item","source":"plm","source_key":"PLM-2","attributes":{"code":"B-2","uom":"Units"}}]
                """
            let reply = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: batch)
            #expect(reply.status == .ok)
            #expect(reply.json["results"]?[0]?["status"] == "proposed")
            #expect(reply.json["results"]?[1]?["status"] == "rejected")
            #expect(reply.json["results"]?[1]?["errors"] == [["attribute": "name", "rule": "required", "message": "name is required; give it a value"]])
            #expect(reply.json["results"]?[1]?["change_request_id"] == .null)
        }
    }

    @Test func ndjsonIsABatch() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let body = hexBolt + "\n" + hexBolt.replacingOccurrences(of: "PLM-4711", with: "PLM-4712").replacingOccurrences(of: "B-1001", with: "B-1002") + "\n"
            let reply = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body, contentType: "application/x-ndjson")
            #expect(reply.json["results"]?[0]?["status"] == "proposed" && reply.json["results"]?[1]?["status"] == "proposed")
        }
    }

    @Test func malformedJSONIsA400Problem() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let reply = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: #"{"entity": "item", "#)
            #expect(reply.status == .badRequest)
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect(reply.json["type"] == "/problems/malformed-request" && reply.json["status"] == 400)
            #expect(reply.json["detail"]?.stringValue?.hasPrefix("the body is not valid JSON") == true)
        }
    }

    @Test func unknownAndSystemOwnedFieldsAre422NamingThemAndNothingIsStored() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let batch = """
                [\(hexBolt),
                 {"entity":"item","source":"plm","source_key":"PLM-9","status":"released","attributes":{"code":"X","name":"Nut"}},
                 {"entity":"item","source":"plm","source_key":"PLM-8","attributes":{"code":"X","name":"Nut","colour":"red"}},
                 {"entity":"item","source":"plm","source_key":"PLM-7","attributes":{"weight":"heavy","name":true}}]
                """
            let reply = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: batch)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.json["errors"] == [
                ["path": "candidates[1]", "message": "status may not be set by a source; Aurum assigns it. Remove it"],
                ["path": "candidates[2].attributes", "message": "unknown attribute \"colour\" for item; remove it or declare it in rules/item.yaml"],
            ])
            #expect(try await t.store.changeRequests(status: nil, entities: t.allEntities, limit: 10).isEmpty)
        }
    }

    @Test func wrongAttributeTypesAreRejectedCandidatesNamingTheAttribute() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let body = #"{"entity":"item","source":"plm","source_key":"P","attributes":{"code":"B-1","name":"Nut","weight":"heavy","sale_ok":"maybe"}}"#
            let reply = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body)
            #expect(reply.json["status"] == "rejected")
            #expect(reply.json["errors"]?[0]?["attribute"] == "weight" && reply.json["errors"]?[0]?["rule"] == "type")
            #expect(reply.json["errors"]?[1]?["attribute"] == "sale_ok")
        }
    }

    @Test func oversizedBodyAndBatchAre413() async throws {
        var limits = ServerLimits()
        limits.maxBodyBytes = 2_000
        limits.maxBatch = 3
        try await withAPI(limits: limits) { (client, tokens, _) async throws in
            let big = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: "[" + Array(repeating: hexBolt, count: 20).joined(separator: ",") + "]")
            #expect(big.status == .contentTooLarge && big.json["type"] == "/problems/too-large")
            let many = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: "[" + Array(repeating: "{}", count: 4).joined(separator: ",") + "]")
            #expect(many.status == .contentTooLarge)
        }
    }

    @Test func deepNestingAndWrongShapesAre4xx() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.plm, body: deep).status.code / 100 == 4)
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.plm, body: "42").status == .unprocessableContent)
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.plm, body: "[]").status == .unprocessableContent)
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.plm, body: "").status == .badRequest)
        }
    }

    @Test func tokensAreRequiredAndScoped() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let anonymous = try await client.call(.post, "/v1/candidates", token: nil, body: hexBolt)
            #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] == "Bearer realm=\"aurum\"")
            #expect(try await client.call(.post, "/v1/candidates", token: "aurum_forged", body: hexBolt).status == .unauthorized)
            let supplier = #"{"entity":"supplier","source":"procurement","source_key":"S1","attributes":{"name":"Acme","country":"DE"}}"#
            let outside = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: supplier)
            #expect(outside.status == .forbidden)
            #expect(outside.json["detail"] == "plm-sync (a source token for source plm) may not submit supplier candidates as source procurement; nothing was accepted")
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.steward, body: hexBolt).status == .forbidden)
        }
    }

    @Test func aSourceTokenSpeaksOnlyForItsOwnSources() async throws {
        try await withAPI { (client, tokens, t) async throws in
            let asProcurement = hexBolt.replacingOccurrences(of: #""source":"plm""#, with: #""source":"procurement""#)
            let refused = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: asProcurement)
            #expect(refused.status == .forbidden && refused.headers[.contentType] == "application/problem+json")
            #expect(refused.json["detail"]?.stringValue?.contains("as source procurement") == true)
            let batch = "[" + hexBolt + "," + asProcurement.replacingOccurrences(of: "PLM-4711", with: "P-2") + "]"
            let mixed = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: batch)
            #expect(mixed.status == .forbidden && mixed.json["detail"]?.stringValue?.contains("(candidates[1])") == true)
            let stored = try await t.client.query("SELECT count(*)::int FROM candidate", logger: TestLogger.quiet).decode(Int.self).rows()
            #expect(stored == [0], "a refused request stores nothing, not even its allowed candidates")
            #expect(try await client.call(.post, "/v1/candidates", token: tokens.admin, body: asProcurement).status == .ok, "an admin may load for any source")
            await #expect(throws: StoreError.invalid("a source token names the source system it speaks for (--source plm); it may submit candidates for that source only")) {
                _ = try await t.actor("unbound", .source, sources: [])
            }
        }
    }

    @Test func unknownRoutesAreProblemJSON() async throws {
        try await withAPI { (client, tokens, _) async throws in
            let reply = try await client.call(.get, "/v1/nothing-here", token: tokens.admin)
            #expect(reply.status == .notFound && reply.headers[.contentType] == "application/problem+json")
            #expect(try await client.call(.get, "/livez", token: nil).status == .ok)
            #expect(try await client.call(.get, "/readyz", token: nil).json["status"] == "ready")
        }
    }
}

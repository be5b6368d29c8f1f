import AurumPublish
import Foundation
import OdooDouble
import Testing

/// The connector against the double over the real protocols: XML-RPC for 16 to 18, JSON-2 for 19.
@Suite struct OdooClientTests {
    @Test(arguments: [(OdooVersion.v16, OdooProtocol.xmlrpc), (.v17, .xmlrpc), (.v18, .xmlrpc), (.v19, .json2)])
    func connectsWithTheProtocolOfTheVersion(_ version: OdooVersion, _ expected: OdooProtocol) async throws {
        try await DoubleHarness.with(version) { _, settings in
            let info = try await OdooClient(settings: settings).connect()
            #expect(info.major == version.rawValue && info.protocolName == expected && info.uid == 2)
        }
    }

    /// JSON-RPC on demand (it works from 8 to 19; 19 deprecates it): the same calls and failures.
    @Test(arguments: [OdooVersion.v17, .v19])
    func jsonRPCWhenConfigured(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version, protocolChoice: .jsonrpc) { _, settings in
            let client = OdooClient(settings: settings)
            let info = try await client.connect()
            #expect(info.protocolName == .jsonrpc && info.uid == 2)
            let created = try await client.call(OdooCall("res.partner", "create", ["vals_list": [["name": "Over JSON-RPC"]]]))
            let id = try #require(created.array?.first?.int)
            let read = try await client.call(OdooCall("res.partner", "read", ids: [id], ["fields": ["name"]]))
            #expect(read == [["id": .int(id), "name": "Over JSON-RPC"]])
            let archived = try await client.call(OdooCall("res.partner", "action_archive", ids: [id]))
            #expect(archived == .none, "a method returning None has no result")
            let missing = await Self.failure { _ = try await client.call(OdooCall("res.partner", "write", ids: [999], ["vals": ["name": "x"]])) }
            #expect(missing?.kind == .missingRecord && missing?.exception == "odoo.exceptions.MissingError")
        }
    }

    @Test(arguments: [OdooVersion.v17, .v19])
    func createsReadsUpdatesArchivesAndRestores(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { server, settings in
            let client = OdooClient(settings: settings)
            let typeField: [String: OdooValue] = version >= .v18 ? ["type": "consu", "is_storable": true] : ["detailed_type": "product"]
            let created = try await client.call(OdooCall("product.template", "create", ["vals_list": [.struct(["name": "Bolt", "default_code": "B-1"].merging(typeField) { a, _ in a })]]))
            let id = try #require(created.array?.first?.int)
            _ = try await client.call(OdooCall("product.template", "write", ids: [id], ["vals": ["name": "Bolt zinc"]]))
            let read = try await client.call(OdooCall("product.template", "read", ids: [id], ["fields": ["name", "display_name", "uom_id"]]))
            #expect(read.array?.first?["display_name"] == "[B-1] Bolt zinc")
            #expect(read.array?.first?["uom_id"] == [1, "Units"])
            _ = try await client.call(OdooCall("product.template", "write", ids: [id], ["vals": ["active": false]]))
            let hidden = try await client.call(OdooCall("product.template", "search", ["domain": [["default_code", "=", "B-1"]]]))
            #expect(hidden == [])
            let archived = try await client.call(OdooCall("product.template", "search", ["domain": [["default_code", "=", "B-1"]]], context: ["active_test": false]))
            #expect(archived == [.int(id)])
            _ = try await client.call(OdooCall("product.template", "write", ids: [id], ["vals": ["active": true]]))
            #expect(server.database.records("product.template", activeOnly: true).count == 1)
        }
    }

    @Test(arguments: [OdooVersion.v18, .v19])
    func everyErrorClassArrivesClassified(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { server, settings in
            let client = OdooClient(settings: settings)
            func failure(_ call: OdooCall) async -> OdooFailure? { await OdooClientTests.failure { _ = try await client.call(call) } }
            _ = try await client.call(OdooCall("product.template", "create", ["vals_list": [["name": "A", "barcode": "4006381333931"]]]))
            #expect(await failure(OdooCall("product.template", "create", ["vals_list": [["name": "B", "barcode": "4006381333931"]]]))?.kind == .validation)
            #expect(await failure(OdooCall("product.template", "write", ids: [999], ["vals": ["name": "x"]]))?.kind == .missingRecord)
            #expect(await failure(OdooCall("aurum.nothing", "search", ["domain": []]))?.kind == .unknownModel)
            #expect(await failure(OdooCall("res.partner", "no_such_method"))?.kind == .unknownMethod)
            #expect(await failure(OdooCall("res.partner", "create", ["vals_list": [["name": "X", "no_field": 1]]]))?.kind == .unknownField)
            #expect(await failure(OdooCall("product.template", "create", ["vals_list": [["name": "X", "type": "bogus"]]]))?.kind == .badRequest)
            server.addUser(login: "reader", apiKey: "reader-key", limited: true)
            var limited = settings
            limited.login = "reader"
            limited.secret = "reader-key"
            let refused = await Self.failure { _ = try await OdooClient(settings: limited).call(OdooCall("product.template", "create", ["vals_list": [["name": "no"]]])) }
            #expect(refused?.kind == .accessError, "an internal user may not create products")
            var wrong = settings
            wrong.secret = "wrong"
            #expect(await Self.failure { try await OdooClient(settings: wrong).connect() }?.kind == .authentication)
        }
    }

    @Test(arguments: [FaultInjector.Kind.rateLimited(retryAfter: 0), .unavailable, .serializationFailure, .connectionReset])
    func transientFaultsAreRetried(_ fault: FaultInjector.Kind) async throws {
        for version in [OdooVersion.v17, .v19] {
            try await DoubleHarness.with(version) { server, settings in
                let client = OdooClient(settings: settings)
                try await client.connect()
                server.faults.inject(fault, times: 2)
                let count = try await client.call(OdooCall("res.partner", "search_count", ["domain": []]))
                #expect(count.int == server.database.records("res.partner", activeOnly: true).count, "the call succeeds on the third attempt")
                #expect(server.faults.servedCount == 2)
            }
        }
    }

    /// The version probe and the sign-in are retried like model calls: two 429s before the first
    /// call cost two waits, not the connection.
    @Test(arguments: [OdooVersion.v17, .v19])
    func transientFaultsDuringConnectAreRetried(_ version: OdooVersion) async throws {
        try await DoubleHarness.with(version) { server, settings in
            for fault in [FaultInjector.Kind.rateLimited(retryAfter: 0), .unavailable] {
                server.faults.clear()
                let before = server.faults.servedCount
                server.faults.inject(fault, times: 2)
                let info = try await OdooClient(settings: settings).connect()
                #expect(info.major == version.rawValue && info.uid == 2)
                #expect(server.faults.servedCount == before + 2)
            }
            server.faults.clear()
            server.faults.inject(.rateLimited(retryAfter: 0), times: 10)
            let limited = await Self.failure { try await OdooClient(settings: settings).connect() }
            #expect(limited?.kind == .rateLimited, "after the retries a rate limit is reported as one: \(String(describing: limited))")
        }
    }

    @Test func permanentFailuresAreNotRetriedAndRetriesEnd() async throws {
        try await DoubleHarness.with(.v19) { server, settings in
            let client = OdooClient(settings: settings)
            try await client.connect()
            server.faults.inject(.internalError, times: 3)
            let crashed = await Self.failure { _ = try await client.call(OdooCall("res.partner", "search_count", ["domain": []])) }
            #expect(crashed != nil && crashed?.isTransient == false)
            #expect(server.faults.servedCount == 1, "a permanent failure is not retried")
            server.faults.clear()
            server.faults.inject(.unavailable, times: 10)
            let unavailable = await Self.failure { _ = try await client.call(OdooCall("res.partner", "search_count", ["domain": []])) }
            #expect(unavailable?.kind == .unavailable)
            #expect(server.faults.servedCount == 1 + settings.retry.attempts)
        }
    }

    @Test func aSlowServerIsATimeout() async throws {
        try await DoubleHarness.with(.v17) { server, settings in
            var quick = settings
            quick.timeout = .milliseconds(500)
            quick.retry = RetryPolicy(attempts: 1)
            let client = OdooClient(settings: quick)
            // On a loaded machine the first connection can itself take longer than the limit.
            for _ in 0..<10 where (try? await client.connect()) == nil {}
            try await client.connect()
            server.faults.inject(.delay(milliseconds: 2000))
            let slow = await Self.failure { _ = try await client.call(OdooCall("res.partner", "search_count", ["domain": []])) }
            #expect(slow?.kind == .timeout && slow?.isTransient == true)
        }
    }

    /// The failure `body` ends with, or nil when it succeeds.
    static func failure(_ body: () async throws -> Void) async -> OdooFailure? {
        do { try await body(); return nil } catch let failure as OdooFailure { return failure } catch {
            Issue.record("not an OdooFailure: \(error)")
            return nil
        }
    }
}

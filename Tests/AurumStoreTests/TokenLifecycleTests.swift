import AurumCore
import AurumStore
import AurumTestSupport
import Testing

@Suite struct TokenLifecycleTests {
    @Test func aRevokedTokenFailsAtOnceAndCannotBeRevokedTwice() async throws {
        try await TestStore.with { t in
            let alice = try await t.actor("alice", .steward, groups: ["finance"])
            #expect(try await t.store.principal(forToken: alice.token)?.groups == ["finance"])
            try await Tokens.revoke(name: "alice", actor: "test", client: t.client, logger: TestLogger.quiet)
            #expect(try await t.store.principal(forToken: alice.token) == nil)
            await #expect(throws: StoreError.conflict("the token named alice is revoked already")) {
                try await Tokens.revoke(name: "alice", actor: "test", client: t.client, logger: TestLogger.quiet)
            }
            await #expect(throws: StoreError.notFound("no token is named alicia; aurum token list shows them")) {
                try await Tokens.revoke(name: "alicia", actor: "test", client: t.client, logger: TestLogger.quiet)
            }
            #expect(try await t.auditActions(subject: "token:\(alice.principal.tokenID)") == ["token.created", "token.revoked"])
        }
    }

    @Test func aTokenFailsOnceItsTimeHasPassed() async throws {
        try await TestStore.with { t in
            let token = try await Tokens.create(name: "temp", role: .steward, entities: [], expiresIn: 3600, actor: "test",
                                                client: t.client, logger: TestLogger.quiet)
            #expect(try await t.store.principal(forToken: token)?.name == "temp")
            let listed = try #require(try await Tokens.list(client: t.client, logger: TestLogger.quiet).first { $0.name == "temp" })
            #expect(listed.active && listed.expiresAt != nil && listed.revokedAt == nil)
            // An hour later, as far as the token is concerned.
            try await t.client.query("UPDATE token SET expires_at = now() - interval '1 second' WHERE name = 'temp'", logger: TestLogger.quiet)
            #expect(try await t.store.principal(forToken: token) == nil)
            #expect(try await Tokens.list(client: t.client, logger: TestLogger.quiet).first { $0.name == "temp" }?.active == false)
        }
    }

    @Test func onlyStewardsAndAdminsHaveGroups() async throws {
        try await TestStore.with { t in
            await #expect(throws: StoreError.self) {
                _ = try await Tokens.create(name: "plm", role: .source, entities: [], sources: ["plm"], groups: ["finance"], actor: "test",
                                            client: t.client, logger: TestLogger.quiet)
            }
        }
    }
}

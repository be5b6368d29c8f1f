import AurumCore
import AurumServer
import AurumTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// PostgreSQL's refusals as the API answers them: a deadlock or serialization failure is run
/// again, a unique violation is a 409 naming the conflict, and a batch the database refuses is stored
/// not at all (one transaction) and says so. Triggers make PostgreSQL refuse on cue.
@Suite struct DatabaseFailureTests {
    static func candidate(_ key: String) -> String {
        #"{"entity":"item","source":"plm","source_key":"\#(key)","attributes":{"code":"C-\#(key)","name":"Part \#(key)","uom":"Units"}}"#
    }

    static func refuse(_ t: TestStore, key: String, errcode: String, onlyOnce: Bool) async throws {
        try await t.asOwner { owner in
            try await owner.query("CREATE SEQUENCE IF NOT EXISTS refusals", logger: TestLogger.quiet)
            try await owner.query("GRANT USAGE ON SEQUENCE refusals TO aurum_app", logger: TestLogger.quiet)
            try await owner.query(PostgresQuery(unsafeSQL: """
                CREATE FUNCTION refuse_candidate() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.source_key = '\(key)' AND (\(!onlyOnce) OR nextval('refusals') = 1) THEN
                        RAISE EXCEPTION 'refused on cue' USING ERRCODE = '\(errcode)';
                    END IF;
                    RETURN NEW;
                END $$
                """), logger: TestLogger.quiet)
            try await owner.query("""
                CREATE TRIGGER refuse_candidate BEFORE INSERT ON candidate FOR EACH ROW EXECUTE FUNCTION refuse_candidate()
                """, logger: TestLogger.quiet)
        }
    }

    @Test func aBatchTheDatabaseRefusesStoresNothingAndSaysSo() async throws {
        try await withAPI { (client, tokens, t) async throws in
            try await Self.refuse(t, key: "K-2", errcode: "unique_violation", onlyOnce: false)
            let body = "[" + ["K-1", "K-2", "K-3"].map(Self.candidate).joined(separator: ",") + "]"
            let answer = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body)
            #expect(answer.status == .conflict)
            #expect(answer.headers[.contentType] == "application/problem+json")
            let detail = answer.json["detail"]?.stringValue ?? ""
            #expect(detail.contains("nothing was written, send the request again"), "\(detail)")
            let keys = try await t.client.query("SELECT source_key FROM candidate ORDER BY id", logger: TestLogger.quiet).decode(String.self).rows()
            #expect(keys == [], "the batch is one transaction: none of it is kept")
            // Sent again once the database accepts it, the whole batch is stored.
            try await t.asOwner { try await $0.query("DROP TRIGGER refuse_candidate ON candidate", logger: TestLogger.quiet) }
            let again = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body)
            #expect(again.status == .ok)
            let stored = try await t.client.query("SELECT source_key FROM candidate ORDER BY id", logger: TestLogger.quiet).decode(String.self).rows()
            #expect(stored == ["K-1", "K-2", "K-3"])
        }
    }

    @Test func aSerializationFailureIsRunAgainAndSucceeds() async throws {
        try await withAPI { (client, tokens, t) async throws in
            try await Self.refuse(t, key: "K-1", errcode: "serialization_failure", onlyOnce: true)
            let answer = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-1"))
            #expect(answer.status == .ok && answer.json["status"] == "proposed", "\(answer.json)")
            let count = try await t.client.query("SELECT count(*)::int FROM candidate", logger: TestLogger.quiet).decode(Int.self).rows()
            #expect(count == [1])
        }
    }

    @Test func aDeadlockThatPersistsIsA503WithRetryAfter() async throws {
        try await withAPI { (client, tokens, t) async throws in
            try await Self.refuse(t, key: "K-1", errcode: "deadlock_detected", onlyOnce: false)
            let answer = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: Self.candidate("K-1"))
            #expect(answer.status == .serviceUnavailable && answer.headers[.retryAfter] != nil)
            #expect(answer.headers[.contentType] == "application/problem+json")
        }
    }
}

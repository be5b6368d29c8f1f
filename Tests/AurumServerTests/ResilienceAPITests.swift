import AurumCore
import AurumServer
import AurumTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The reproductions of what took Aurum down or leaked data, each now answered as it should be.
@Suite struct ResilienceAPITests {
    @Test func anAgeNoClockCanHoldIsA422NamingTheParameterAndTheServerGoesOn() async throws {
        try await withAPI { client, tokens, _ in
            for age in ["999999999999999d", "99999999d", "9223372036854775807m", "0d", "-1d", "2x"] {
                let answer = try await client.call(.get, "/v1/change-requests?older_than=\(age)", token: tokens.steward)
                #expect(answer.status == .unprocessableContent, "\(age): \(answer.status)")
                #expect(answer.json["detail"]?.stringValue?.contains("older_than") == true)
                #expect(answer.json["detail"]?.stringValue?.contains("36600d") == true, "the allowed range is named")
            }
            #expect(try await client.call(.get, "/v1/change-requests?older_than=36600d", token: tokens.steward).status == .ok)
        }
    }

    @Test func aWaitThatIsNotANumberIsRefusedAndOneTooLongIsClamped() async throws {
        try await withAPI { client, tokens, t in
            _ = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)])
            for wait in ["nan", "inf", "-inf", "x"] {
                let answer = try await client.call(.get, "/v1/changes?after=0&wait=\(wait)", token: tokens.reader)
                #expect(answer.status == .unprocessableContent, "wait=\(wait): \(answer.status)")
            }
            let clamped = try await client.call(.get, "/v1/changes?after=0&wait=1e308&limit=99999999999999999999", token: tokens.reader)
            #expect(clamped.status == .ok && clamped.json["items"]?.arrayValue?.count == 1)
        }
    }

    @Test func anInstantOutsideTheYearsOneTo9999IsA422() async throws {
        try await withAPI { client, tokens, t in
            let id = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
            for instant in ["-292277026596-12-04T15:30:07Z", "0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z"] {
                let answer = try await client.call(.get, "/v1/records/item/\(id)?as_of=\(instant)", token: tokens.reader)
                #expect(answer.status == .unprocessableContent, "\(instant): \(answer.status)")
            }
            #expect(try await client.call(.get, "/v1/records/item/\(id)?as_of=9999-12-31T23:59:59Z", token: tokens.reader).status == .ok)
        }
    }

    @Test func aMegabyteNameIsRefusedBeforeAnythingNormalizesOrMatchesIt() async throws {
        try await withAPI { client, tokens, t in
            let name = String(repeating: "€", count: 333_000)
            let body = #"{"entity":"item","source":"plm","source_key":"K-1","attributes":{"code":"A-1","name":"\#(name)","uom":"Units"}}"#
            let answer = try await client.call(.post, "/v1/candidates", token: tokens.plm, body: body)
            #expect(answer.status == .unprocessableContent)
            let detail = answer.json["detail"]?.stringValue ?? ""
            #expect(detail.contains("candidate.attributes.name") && detail.contains("1000 characters"), "\(detail)")
            #expect(try await t.store.changeRequests(status: nil, entities: t.allEntities, limit: 10).isEmpty, "nothing stored")
        }
    }

    @Test func aSourceTokenLooksUpOnlyItsOwnSourcesKeysInItsOwnEntities() async throws {
        try await withAPI { client, tokens, t in
            let supplier = try #require(try await t.release([CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "S-1", attributes: ["name": "Acme GmbH", "country": "DE", "street": "Hauptstr. 1", "city": "Stuttgart", "zip": "70173", "is_company": true])]).first)
            let item = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
            // plm-sync may submit items as plm: it finds its item, and nothing of procurement's suppliers.
            let own = try await client.call(.get, "/v1/xref/plm/PLM-1", token: tokens.plm)
            #expect(own.status == .ok && own.json["record_id"]?.integerValue == item)
            let other = try await client.call(.get, "/v1/xref/procurement/S-1", token: tokens.plm)
            #expect(other.status == .notFound, "another source's key: \(other.status)")
            #expect(other.json["record_id"] == nil, "no record id is given away")
            #expect(try await client.call(.get, "/v1/xref/procurement/S-1?entity=supplier", token: tokens.plm).status == .notFound)
            // A consumer of items does not see suppliers either; an admin sees both.
            #expect(try await client.call(.get, "/v1/xref/procurement/S-1", token: tokens.reader).status == .notFound)
            #expect(try await client.call(.get, "/v1/xref/procurement/S-1", token: tokens.admin).json["record_id"]?.integerValue == supplier)
        }
    }
}

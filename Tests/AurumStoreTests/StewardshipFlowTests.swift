import AurumCore
import AurumStore
import AurumTestSupport
import PostgresNIO
import Testing

@Suite struct StewardshipFlowTests {
    @Test func validCandidateIsProposedAndApprovalReleasesVersionOne() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source, entities: ["item"])
            let alice = try await t.actor("alice", .steward)
            let result = try await t.store.ingest([SampleRules.item("PLM-4711", SampleRules.hexBolt)], by: plm.principal, requestID: "r1")[0]
            #expect(result.status == .proposed)
            let id = try #require(result.changeRequestID)
            let request = try #require(try await t.store.changeRequest(id: id))
            #expect(request.kind == .create && request.status == .open && request.recordID == nil)
            #expect(request.diff.map(\.attribute) == ["code", "name", "uom"])
            let decision = try await t.store.approve(changeRequest: id, by: alice.principal, comment: "looks right", revision: nil, requestID: "r2")
            #expect(decision.status == .released && decision.version == 1)
            let recordID = try #require(decision.recordID)
            let record = try #require(try await t.store.record(entity: "item", id: recordID))
            #expect(record.version == 1 && record.state == .active)
            #expect(record.attributes == SampleRules.hexBolt)
            #expect(record.sources == [SourceKey(source: "plm", sourceKey: "PLM-4711")])
            #expect(try await t.store.changeRequest(id: id)?.status == .released)
        }
    }

    @Test func secondCandidateForTheSameKeyProposesVersionTwoWithADiff() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let first = try await t.store.ingest([SampleRules.item("PLM-4711", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            let released = try await t.store.approve(changeRequest: first.changeRequestID!, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            let second = try await t.store.ingest([SampleRules.item("PLM-4711", ["name": "Hex bolt M8x40 zinc", "weight": 0.021])],
                                                  by: plm.principal, requestID: "r")[0]
            #expect(second.status == .proposed)
            let update = try #require(try await t.store.changeRequest(id: second.changeRequestID!))
            #expect(update.kind == .update && update.recordID == released.recordID && update.baseVersion == 1)
            #expect(update.diff == [AttributeChange(attribute: "name", before: "Hex bolt M8x40", after: "Hex bolt M8x40 zinc"),
                                    AttributeChange(attribute: "weight", before: nil, after: 0.021)])
            let decision = try await t.store.approve(changeRequest: update.id, by: alice.principal, comment: nil, revision: 1, requestID: "r")
            #expect(decision.version == 2)
            let versions = try #require(try await t.store.versions(entity: "item", id: released.recordID!))
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions[0].attributes["name"] == "Hex bolt M8x40")
            #expect(versions[1].attributes["weight"] == 0.021)
        }
    }

    @Test func resendingTheSameCandidateIsUnchanged() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let first = try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            let again = try await t.store.ingest([SampleRules.item("PLM-1", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            #expect(again == IngestResult(candidateID: first.candidateID, status: .unchanged, changeRequestID: first.changeRequestID,
                                          match: first.match))
            _ = try await t.store.approve(changeRequest: first.changeRequestID!, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            let afterRelease = try await t.store.ingest([SampleRules.item("PLM-1", ["name": " Hex bolt  M8x40 "])], by: plm.principal, requestID: "r")[0]
            #expect(afterRelease.status == .unchanged)
            #expect(afterRelease.changeRequestID == first.changeRequestID)
            #expect(try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10).isEmpty)
        }
    }

    @Test func invalidCandidateIsRejectedWithItsErrorsAndNoChangeRequest() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let result = try await t.store.ingest([SampleRules.item("PLM-2", ["code": "B-1002", "barcode": "4006381333932"])],
                                                  by: plm.principal, requestID: "r")[0]
            #expect(result.status == .rejected)
            #expect(result.changeRequestID == nil && result.candidateID != nil)
            #expect(result.errors.map { "\($0.attribute):\($0.rule)" } == ["name:required", "barcode:gtin"])
            #expect(try await t.store.changeRequests(status: nil, entities: t.allEntities, limit: 10).isEmpty)
            #expect(try await t.auditActions(subject: "candidate:\(result.candidateID!)") == ["candidate.rejected"])
        }
    }

    @Test func rejectedChangeRequestNeverBecomesARecord() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let result = try await t.store.ingest([SampleRules.item("PLM-3", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            let id = try #require(result.changeRequestID)
            await #expect(throws: StoreError.invalid("a rejection needs a reason, so that the source can correct its data")) {
                try await t.store.reject(changeRequest: id, by: alice.principal, reason: " ", requestID: "r")
            }
            let decision = try await t.store.reject(changeRequest: id, by: alice.principal, reason: "duplicate of B-1000", requestID: "r")
            #expect(decision.status == .rejected && decision.recordID == nil)
            #expect(try await t.store.changeRequest(id: id)?.reason == "duplicate of B-1000")
            await #expect(throws: StoreError.conflict("the change request is rejected, not open; nothing can be decided on it any more")) {
                try await t.store.approve(changeRequest: id, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            }
            let count = try await t.client.query("SELECT count(*)::int FROM golden_record", logger: TestLogger.quiet).decode(Int.self).first { _ in true }
            #expect(count == 0)
        }
    }

    @Test func submitterCannotApproveItsOwnChangeEvenAsAdmin() async throws {
        try await TestStore.with { t in
            let root = try await t.actor("root", .admin)
            let result = try await t.store.ingest([SampleRules.item("PLM-4", SampleRules.hexBolt)], by: root.principal, requestID: "r")[0]
            await #expect(throws: StoreError.forbidden("root submitted this change and cannot approve it (four-eyes); another steward must approve")) {
                try await t.store.approve(changeRequest: result.changeRequestID!, by: root.principal, comment: nil, revision: nil, requestID: "r")
            }
            #expect(try await t.store.changeRequest(id: result.changeRequestID!)?.approvals.isEmpty == true)
        }
    }

    @Test func stewardOutsideTheEntityCannotDecide() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let finance = try await t.actor("fin", .steward, entities: ["supplier"])
            let result = try await t.store.ingest([SampleRules.item("PLM-5", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            await #expect(throws: StoreError.notFound("change request \(result.changeRequestID!) does not exist")) {
                try await t.store.approve(changeRequest: result.changeRequestID!, by: finance.principal, comment: nil, revision: nil, requestID: "r")
            }
        }
    }

    @Test func newerCandidateSupersedesTheOpenProposal() async throws {
        try await TestStore.with { t in
            let plm = try await t.actor("plm-sync", .source)
            let first = try await t.store.ingest([SampleRules.item("PLM-6", SampleRules.hexBolt)], by: plm.principal, requestID: "r")[0]
            let second = try await t.store.ingest([SampleRules.item("PLM-6", ["weight": 0.02])], by: plm.principal, requestID: "r")[0]
            #expect(second.status == .proposed && second.changeRequestID != first.changeRequestID)
            let old = try #require(try await t.store.changeRequest(id: first.changeRequestID!))
            #expect(old.status == .superseded && old.supersededBy == second.changeRequestID)
            let new = try #require(try await t.store.changeRequest(id: second.changeRequestID!))
            #expect(new.proposed == SampleRules.hexBolt.merging(["weight": 0.02]) { $1 })
            #expect(try await t.store.changeRequests(status: .open, entities: t.allEntities, limit: 10).map(\.id) == [new.id])
        }
    }

    @Test func referencesAndUniquenessAreCheckedAgainstGoldenRecords() async throws {
        try await TestStore.with { t in
            let procurement = try await t.actor("proc", .source, sources: ["procurement"])
            let plm = try await t.actor("plm-sync", .source)
            let alice = try await t.actor("alice", .steward)
            let dangling = CandidateSubmission(entity: "item", source: "procurement", sourceKey: "P-1",
                                               attributes: SampleRules.hexBolt.merging(["supplier": 999]) { $1 })
            let refused = try await t.store.ingest([dangling], by: procurement.principal, requestID: "r")[0]
            #expect(refused.errors.map { "\($0.attribute):\($0.rule)" } == ["supplier:reference"])

            let supplier = CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "S-1",
                                               attributes: ["name": "Würth GmbH", "country": "DE", "is_company": true, "vat": "DE 129 273 398"])
            let proposed = try await t.store.ingest([supplier], by: procurement.principal, requestID: "r")[0]
            #expect(proposed.warnings.map(\.rule).isEmpty)
            let released = try await t.store.approve(changeRequest: proposed.changeRequestID!, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            let linked = CandidateSubmission(entity: "item", source: "procurement", sourceKey: "P-1",
                                             attributes: SampleRules.hexBolt.merging(["supplier": .number(Double(released.recordID!))]) { $1 })
            let item = try await t.store.ingest([linked], by: procurement.principal, requestID: "r")[0]
            #expect(item.status == .proposed)
            _ = try await t.store.approve(changeRequest: item.changeRequestID!, by: alice.principal, comment: nil, revision: nil, requestID: "r")

            // The same item from another source is linked to it by matching: an update, not a second record.
            let sameItem = CandidateSubmission(entity: "item", source: "plm", sourceKey: "PLM-9", attributes: SampleRules.hexBolt)
            let linkedByMatch = try await t.store.ingest([sameItem], by: plm.principal, requestID: "r")[0]
            #expect(linkedByMatch.status == .proposed && linkedByMatch.match?.band == .autoLink)
            #expect(try await t.store.changeRequest(id: linkedByMatch.changeRequestID!)?.kind == .update)
            // Another item under a code already taken is only a possible duplicate, and its code is refused.
            let sameCode = CandidateSubmission(entity: "item", source: "plm", sourceKey: "PLM-10",
                                               attributes: ["code": "B-1001", "name": "Wing nut M6", "uom": "Units"])
            let duplicate = try await t.store.ingest([sameCode], by: plm.principal, requestID: "r")[0]
            #expect(duplicate.errors.map { "\($0.attribute):\($0.rule)" } == ["code:unique"])
            await #expect(throws: BatchInterrupted.self, "the store, too, refuses a source token speaking for another source") {
                _ = try await t.store.ingest([sameCode], by: procurement.principal, requestID: "r")
            }
        }
    }
}

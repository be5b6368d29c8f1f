import AurumCore
import AurumStore
import AurumTestSupport
import Testing

/// Merge and unmerge of golden records: through approval, audited, ids kept, and an unmerge that
/// restores both records exactly.
@Suite struct MergeTests {
    static func supplier(_ source: String, _ key: String, _ attributes: Attributes) -> CandidateSubmission {
        CandidateSubmission(entity: "supplier", source: source, sourceKey: key, attributes: attributes)
    }

    static let acme: Attributes = ["name": "ACME Industrial Supplies GmbH", "street": "Hauptstr. 5", "zip": "70173", "city": "Stuttgart",
                                   "country": "DE", "is_company": true, "vat": "DE129273398", "email": "info@acme-industrial.de"]
    static let acmeTwice: Attributes = ["name": "Acme Industrial Supply", "street": "Königstr. 12", "zip": "70173", "city": "Stuttgart",
                                        "country": "DE", "is_company": true, "phone": "+49 711 123456", "email": "sales@acme-supply.de"]

    @Test func mergeThenUnmergeRestoresBothRecordsExactlyAndXrefFollows() async throws {
        try await TestStore.with { t in
            let sources = try await t.actor("sync", .source, sources: ["procurement", "portal"])
            let alice = try await t.actor("alice", .steward)
            let bob = try await t.actor("bob", .steward)
            var ids = [Int64]()
            for candidate in [Self.supplier("procurement", "V-1001", Self.acme), Self.supplier("portal", "acme-42", Self.acmeTwice)] {
                let result = try await t.store.ingest([candidate], by: sources.principal, requestID: "r")[0]
                let id = try #require(result.changeRequestID)
                if candidate.source == "portal" {
                    // A steward's typed value on the second record, which must travel with it.
                    _ = try await t.store.edit(changeRequest: id, by: bob.principal, set: ["payment_terms": "net_30"], revision: nil,
                                               comment: "agreed", requestID: "r")
                }
                ids.append(try #require(try await t.store.approve(changeRequest: id, by: alice.principal, comment: nil, revision: nil,
                                                                  requestID: "r").recordID))
            }
            let (survivor, absorbed) = (ids[0], ids[1])
            let before = (try #require(try await t.store.record(entity: "supplier", id: survivor)),
                          try #require(try await t.store.record(entity: "supplier", id: absorbed)))
            #expect(before.1.attributes["payment_terms"] == "net_30" && before.1.lineage["payment_terms"]?.steward == "bob")

            let merge = try await t.store.merge(entity: "supplier", record: absorbed, into: survivor, by: alice.principal,
                                                reason: "one company registered twice", requestID: "r")
            #expect(merge.kind == .merge && merge.recordID == survivor && merge.mergeRecordID == absorbed && merge.status == .open)
            await #expect(throws: StoreError.self, "who proposed the merge may not approve it") {
                _ = try await t.store.approve(changeRequest: merge.id, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            }
            let merged = try await t.store.approve(changeRequest: merge.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            #expect(merged.recordID == survivor && merged.version == 2)

            let gone = try #require(try await t.store.record(entity: "supplier", id: absorbed))
            #expect(gone.state == .superseded && gone.supersededBy == survivor && gone.sources.isEmpty)
            let kept = try #require(try await t.store.record(entity: "supplier", id: survivor))
            #expect(kept.sources.map(\.sourceKey) == ["acme-42", "V-1001"])
            #expect(kept.attributes["name"] == "ACME Industrial Supplies GmbH", "procurement (trust 80) over the portal (60)")
            #expect(kept.attributes["phone"] != nil && kept.attributes["payment_terms"] == "net_30")
            #expect(kept.lineage["phone"]?.source == "portal" && kept.lineage["payment_terms"]?.steward == "bob")
            #expect(try await t.store.crossReference(source: "portal", sourceKey: "acme-42", entities: t.allEntities)
                    == [CrossReference(entity: "supplier", recordID: survivor, state: .active)])
            await #expect(throws: StoreError.self, "a merged record cannot be merged again") {
                _ = try await t.store.merge(entity: "supplier", record: absorbed, into: survivor, by: alice.principal, reason: "again", requestID: "r")
            }

            // A later candidate of the moved key updates the survivor.
            let later = try await t.store.ingest([Self.supplier("portal", "acme-42", ["phone": "+49 711 999999"])], by: sources.principal, requestID: "r")[0]
            #expect(try await t.store.changeRequest(id: try #require(later.changeRequestID))?.recordID == survivor)
            _ = try await t.store.reject(changeRequest: later.changeRequestID!, by: alice.principal, reason: "not now", requestID: "r")

            let unmerge = try await t.store.unmerge(entity: "supplier", record: absorbed, by: alice.principal, reason: "two companies after all",
                                                    requestID: "r")
            #expect(unmerge.kind == .unmerge && unmerge.recordID == survivor && unmerge.mergeRecordID == absorbed)
            #expect(unmerge.proposed == before.0.attributes)
            _ = try await t.store.approve(changeRequest: unmerge.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")

            let restored = try #require(try await t.store.record(entity: "supplier", id: absorbed))
            let survived = try #require(try await t.store.record(entity: "supplier", id: survivor))
            #expect(restored.state == .active && restored.supersededBy == nil)
            #expect(restored.attributes == before.1.attributes && restored.sources == before.1.sources && restored.lineage == before.1.lineage)
            #expect(survived.attributes == before.0.attributes && survived.sources == before.0.sources)
            #expect(restored.version == 3 && survived.version == 3, "every step is a version of its own; ids never change")
            #expect(try await t.store.crossReference(source: "portal", sourceKey: "acme-42", entities: t.allEntities)
                    == [CrossReference(entity: "supplier", recordID: absorbed, state: .active)])
            let actions = try await t.auditActions()
            #expect(actions.contains("record.merged") && actions.contains("record.unmerged"))
            await #expect(throws: StoreError.self, "nothing left to unmerge") {
                _ = try await t.store.unmerge(entity: "supplier", record: absorbed, by: alice.principal, reason: "again", requestID: "r")
            }
        }
    }
}

extension MergeTests {
    @Test func aBlockedSupplierMergedByMistakeIsStillBlockedOnceUnmerged() async throws {
        try await TestStore.with { t in
            let alice = try await t.actor("alice", .steward)
            let bob = try await t.actor("bob", .steward)
            let ids = try await t.release([Self.supplier("procurement", "V-1001", Self.acme), Self.supplier("portal", "acme-42", Self.acmeTwice)])
            let (survivor, blocked) = (ids[0], ids[1])
            let block = try await t.store.changeState(.block, entity: "supplier", record: blocked, by: alice.principal, reason: "bank details unverified",
                                                      requestID: "r")
            _ = try await t.store.approve(changeRequest: block.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            let merge = try await t.store.merge(entity: "supplier", record: blocked, into: survivor, by: alice.principal, reason: "looked the same",
                                                requestID: "r")
            _ = try await t.store.approve(changeRequest: merge.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            #expect(try await t.store.record(entity: "supplier", id: blocked)?.state == .superseded)
            let unmerge = try await t.store.unmerge(entity: "supplier", record: blocked, by: alice.principal, reason: "two companies", requestID: "r")
            _ = try await t.store.approve(changeRequest: unmerge.id, by: bob.principal, comment: nil, revision: nil, requestID: "r")
            let restored = try #require(try await t.store.record(entity: "supplier", id: blocked))
            #expect(restored.state == .blocked, "an unmerge never unblocks: \(restored.state)")
            #expect(try await t.store.record(entity: "supplier", id: survivor)?.state == .active)
        }
    }
}

/// Survivorship in the flow: a less trusted source's value is kept as its own and does not
/// change the golden record; a more trusted source's does.
@Suite struct SurvivorshipFlowTests {
    @Test func aLessTrustedSourcesNameIsKeptButDoesNotWin() async throws {
        try await TestStore.with { t in
            let sources = try await t.actor("sync", .source, sources: ["plm", "wms"])
            let alice = try await t.actor("alice", .steward)
            let record = try #require(try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt)]).first)
            let wms = CandidateSubmission(entity: "item", source: "wms", sourceKey: "W-77", attributes: SampleRules.hexBolt)
            let linked = try await t.store.ingest([wms], by: sources.principal, requestID: "r")[0]
            #expect(linked.match?.band == .autoLink && linked.match?.recordID == record)
            let linkedID = try #require(linked.changeRequestID)
            _ = try await t.store.approve(changeRequest: linkedID, by: alice.principal, comment: nil, revision: nil, requestID: "r")
            let renamed = CandidateSubmission(entity: "item", source: "wms", sourceKey: "W-77", attributes: ["name": "HEX BOLT M8X40 WMS"])
            let kept = try await t.store.ingest([renamed], by: sources.principal, requestID: "r")[0]
            #expect(kept.status == .unchanged, "PLM (trust 90) keeps its name over the warehouse's (70)")
            let golden = try #require(try await t.store.record(entity: "item", id: record))
            #expect(golden.attributes["name"] == "Hex bolt M8x40" && golden.version == 2)
            #expect(try await t.auditActions(subject: "record:\(record)").contains("source.values_kept"))
            // PLM itself renames it: that wins.
            let plm = CandidateSubmission(entity: "item", source: "plm", sourceKey: "PLM-1", attributes: ["name": "Hex bolt ISO 4017 M8x40"])
            let proposed = try await t.store.ingest([plm], by: sources.principal, requestID: "r")[0]
            let proposedID = try #require(proposed.changeRequestID)
            let request = try #require(try await t.store.changeRequest(id: proposedID))
            #expect(request.diff == [AttributeChange(attribute: "name", before: "Hex bolt M8x40", after: "Hex bolt ISO 4017 M8x40")])
            #expect(request.lineage["name"] == Lineage(source: "plm", sourceKey: "PLM-1", strategy: "trust"))
        }
    }
}

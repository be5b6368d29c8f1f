import AurumCore
import Testing

@Suite struct CandidateSubmissionTests {
    let rules = RuleSet(entities: ["item": Fixtures.item], sources: ["plm": SourceSystem(name: "plm", trust: 90, entities: ["item"]),
                                                                    "crm": SourceSystem(name: "crm", trust: 70, entities: ["customer"])],
                        version: "sha256:test")

    func parse(_ json: JSONValue) -> Result<CandidateSubmission, SubmissionError> {
        Result { () throws(SubmissionError) in try CandidateSubmission.parse(json, path: "candidate", rules: rules) }
    }

    func failure(_ json: JSONValue) -> String? {
        if case .failure(let error) = parse(json) { return error.description }
        return nil
    }

    @Test func readsAWellFormedCandidate() throws {
        let submission = try parse(["entity": "item", "source": "plm", "source_key": "PLM-4711", "attributes": ["code": "B-1001"]]).get()
        #expect(submission == CandidateSubmission(entity: "item", source: "plm", sourceKey: "PLM-4711", attributes: ["code": "B-1001"]))
    }

    @Test func refusesUnknownAndSystemOwnedFields() {
        #expect(failure(["entity": "item", "source": "plm", "source_key": "1", "attributes": [:], "colour": "red"])
                == "candidate: unknown field colour; a candidate has entity, source, source_key and attributes")
        #expect(failure(["entity": "item", "source": "plm", "source_key": "1", "attributes": [:], "status": "released"])?
                .hasPrefix("candidate: status may not be set by a source") == true)
        #expect(failure(["entity": "item", "source": "plm", "source_key": "1", "attributes": ["version": 3]])?
                .hasPrefix("candidate.attributes: version may not be set by a source") == true)
        #expect(failure(["entity": "item", "source": "plm", "source_key": "1", "attributes": ["colour": "red"]])
                == "candidate.attributes: unknown attribute \"colour\" for item; remove it or declare it in rules/item.yaml")
    }

    @Test func namesMissingAndMistypedMembers() {
        #expect(failure(["entity": "item", "source": "plm", "attributes": [:]]) == "candidate.source_key: is missing")
        #expect(failure(["entity": "item", "source": "plm", "source_key": 12, "attributes": [:]])
                == "candidate.source_key: must be a non-empty string, got number")
        #expect(failure(["entity": "item", "source": "plm", "source_key": "1", "attributes": ["code": ["a"]]])
                == "candidate.attributes.code: must be a single value (string, number, boolean or null), not a list or object")
        #expect(failure("just text") == "candidate: expected a JSON object, got string")
    }

    @Test func checksEntityAndSourceAgainstTheRules() {
        #expect(failure(["entity": "itme", "source": "plm", "source_key": "1", "attributes": [:]])
                == "candidate.entity: unknown entity \"itme\"; the rules define item")
        #expect(failure(["entity": "item", "source": "erp", "source_key": "1", "attributes": [:]])?
                .hasPrefix("candidate.source: unknown source \"erp\"") == true)
        #expect(failure(["entity": "item", "source": "crm", "source_key": "1", "attributes": [:]])
                == "candidate.source: source \"crm\" may not submit item records (rules/aurum.yaml)")
    }

    @Test func principalsAreScopedByRoleEntityAndSource() {
        let plm = Principal(tokenID: 1, name: "plm-sync", role: .source, entities: ["item"], sources: ["plm"])
        #expect(plm.may(.submit(entity: "item", source: "plm")))
        #expect(!plm.may(.submit(entity: "item", source: "procurement")), "a source token speaks only for its own sources")
        #expect(!plm.may(.submit(entity: "supplier", source: "plm")))
        #expect(!plm.may(.decide(entity: "item")))
        let unbound = Principal(tokenID: 4, name: "legacy", role: .source)
        #expect(!unbound.may(.submit(entity: "item", source: "plm")), "a source token that names no source speaks for none")
        let alice = Principal(tokenID: 2, name: "alice", role: .steward)
        #expect(alice.may(.decide(entity: "supplier")))
        #expect(!alice.may(.submit(entity: "item", source: "plm")))
        let root = Principal(tokenID: 5, name: "root", role: .admin)
        #expect(root.may(.submit(entity: "item", source: "crm")), "an admin may load for any source")
        let reader = Principal(tokenID: 3, name: "odoo", role: .consumer, entities: ["item"])
        #expect(reader.may(.read(entity: "item")) && !reader.may(.read(entity: "customer")))
    }
}

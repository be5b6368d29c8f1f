@testable import AurumCore
import Testing

/// Masks, the rewrite of sensitive members in any document, and the audit key's seals.
@Suite struct SensitivityTests {
    static let bank = Sensitivity(clearForRoles: [.admin], clearForGroups: ["finance"], showLast: 4)

    static func rules() throws -> RuleSet {
        var rules = RuleSet(entities: [:], sources: [:], version: "test")
        var supplier = EntitySchema(name: "supplier", attributes: [AttributeSpec(name: "name", type: .string), AttributeSpec(name: "bank_account", type: .string)])
        supplier.attributes[1].sensitive = bank
        rules.entities["supplier"] = supplier
        rules.entities["item"] = EntitySchema(name: "item", attributes: [AttributeSpec(name: "bank_account", type: .string)])
        return rules
    }

    @Test func masksShowAtMostTheLastFewAndNeverAThird() {
        #expect(Self.bank.mask("DE89370400440532013000") == "****3000")
        #expect(Self.bank.mask("AB12") == "****2", "a short value shows a third at most")
        #expect(Self.bank.mask("") == "****")
        #expect(Sensitivity(showLast: 0).mask("DE89370400440532013000") == "****")
        #expect(Self.bank.isClear(for: Entitlement(role: .steward, groups: ["finance"])) && Self.bank.isClear(for: Entitlement(role: .admin)))
        #expect(!Self.bank.isClear(for: Entitlement(role: .steward, groups: ["engineering"])) && !Self.bank.isClear(for: Entitlement(role: .consumer)))
    }

    @Test func theRewriteFollowsTheEntityNamedAndKeepsProvenance() throws {
        let masking = Masking(rules: try Self.rules(), viewer: Entitlement(role: .steward))
        let document: JSONValue = [
            "items": [
                ["entity": "supplier", "attributes": ["name": "Acme", "bank_account": "DE89370400440532013000"],
                 "lineage": ["bank_account": ["source": "procurement", "source_key": "V-1", "strategy": "source_order"]],
                 "diff": [["attribute": "bank_account", "before": "DE02120300000000202051", "after": "DE89370400440532013000"]],
                 "errors": [["attribute": "bank_account", "rule": "iban", "message": "\"****3001\" is not a valid IBAN"]]],
                ["entity": "item", "attributes": ["bank_account": "not sensitive for items"]],
            ],
        ]
        let masked = masking.apply(document)
        let supplier = masked["items"]?[0], item = masked["items"]?[1]
        #expect(supplier?["attributes"]?["bank_account"] == "****3000" && supplier?["attributes"]?["name"] == "Acme")
        #expect(supplier?["lineage"]?["bank_account"] == ["source": "procurement", "source_key": "V-1", "strategy": "source_order"])
        #expect(supplier?["diff"]?[0] == ["attribute": "bank_account", "before": "****2051", "after": "****3000"])
        #expect(supplier?["errors"]?[0]?["message"] == "\"****3001\" is not a valid IBAN", "a message is not a value")
        #expect(item?["attributes"]?["bank_account"] == "not sensitive for items", "another entity's attribute of the same name")
        #expect(Masking(rules: try Self.rules(), viewer: Entitlement(role: .steward, groups: ["finance"])).isEmpty)
    }

    @Test func anExplanationsValuesAndItsLineAreMasked() throws {
        let masking = Masking(rules: try Self.rules(), viewer: Entitlement(role: .consumer))
        let explanation: JSONValue = ["entity": "supplier", "explanation": [
            "text": "prior -16.6 · bank_account \"DE89370400440532013000\" = exact +19.9 · name \"acme\" = exact +12.1",
            "comparisons": [["attribute": "bank_account", "a": "DE89370400440532013000", "b": "DE89370400440532013000", "weight": 19.9],
                            ["attribute": "name", "a": "acme", "b": "acme", "weight": 12.1]]]]
        let masked = masking.apply(explanation)["explanation"]
        #expect(masked?["text"] == "prior -16.6 · bank_account \"****3000\" = exact +19.9 · name \"acme\" = exact +12.1")
        #expect(masked?["comparisons"]?[0]?["a"] == "****3000" && masked?["comparisons"]?[0]?["weight"] == 19.9)
        #expect(masked?["comparisons"]?[1]?["a"] == "acme")
    }

    @Test func sealsAreKeyedAndTheSameForTheSameValue() throws {
        let key = AuditKey(bytes: Array(repeating: 1, count: 32)), other = AuditKey(bytes: Array(repeating: 2, count: 32))
        let seal = key.seal("DE89370400440532013000")
        #expect(seal == key.seal("DE89370400440532013000") && seal != key.seal("DE89370400440532013001"))
        #expect(seal.hasPrefix("hmac-sha256:\(key.id):") && seal.count == "hmac-sha256:".count + 8 + 1 + 64)
        #expect(other.seal("DE89370400440532013000") != seal, "another key, another hash")
        let sealed = key.rewrite(for: try Self.rules()).apply(["bank_account": "DE89370400440532013000", "name": "Acme"], entity: "supplier")
        #expect(sealed == ["bank_account": .string(seal), "name": "Acme"])
    }

    @Test func aConsumersAnswerIsScrubbedOfTheValuesItWasSent() throws {
        let names = SensitiveNames(rules: try Self.rules())
        let event = ChangeEvent(ChangeEvent.Payload(entity: "supplier", id: 7, version: 2, state: .active,
                                                    attributes: ["name": "Acme", "bank_account": "DE89370400440532013000"], position: 9),
                                releasedAt: "2026-12-06T00:00:00Z")
        #expect(names.scrub("422: IBAN DE89370400440532013000 refused for Acme", of: event) == "422: IBAN ****3000 refused for Acme")
        #expect(DeliveryOutcome.failed(error: "x DE89370400440532013000").text { names.scrub($0, of: event) } == .failed(error: "x ****3000"))
    }
}

private extension JSONValue {
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
    subscript(_ index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

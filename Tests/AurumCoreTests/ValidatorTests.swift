import AurumCore
import Testing

@Suite struct ValidatorTests {
    @Test func acceptsTheContractItemAndNormalizesIt() {
        let verdict = Fixtures.validate(["code": "  b-1001 ", "name": "Hex   bolt M8x40", "uom": "Units"])
        #expect(verdict.isValid)
        #expect(verdict.attributes == ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units"])
    }

    @Test func requiredAttributeMissingIsAnError() {
        #expect(Fixtures.errors(["code": "B-1"]) == ["name:required"])
        #expect(Fixtures.errors(["code": "B-1", "name": "   "]) == ["name:required"])
        #expect(Fixtures.errors(["code": "B-1", "name": .null]) == ["name:required"])
    }

    @Test func recommendedAttributeMissingIsOnlyAWarning() {
        let verdict = Fixtures.validate(["code": "B-1", "name": "Bolt"])
        #expect(verdict.isValid)
        #expect(verdict.warnings.map(\.rule) == ["recommended"])
        #expect(verdict.warnings.first?.attribute == "uom")
    }

    @Test func typeMismatchNamesTheAttributeAndWhatWasExpected() {
        let verdict = Fixtures.validate(Fixtures.validItem.merging(["weight": "heavy", "is_storable": 3, "pieces": 2.5]) { $1 })
        #expect(verdict.errors.map { "\($0.attribute):\($0.rule)" }.sorted() == ["is_storable:type", "pieces:type", "weight:type"])
        #expect(verdict.errors.first { $0.attribute == "weight" }?.message == "expected a number, got string \"heavy\"")
    }

    @Test func numbersAndBooleansMayArriveAsText() {
        let verdict = Fixtures.validate(Fixtures.validItem.merging(["weight": "0.25", "is_storable": "true", "pieces": "12"]) { $1 })
        #expect(verdict.errors.isEmpty)
        #expect(verdict.attributes["weight"] == .number(0.25))
        #expect(verdict.attributes["is_storable"] == .bool(true))
        #expect(verdict.attributes["pieces"] == .number(12))
    }

    @Test func patternIsMatchedAgainstTheWholeValue() {
        #expect(Fixtures.errors(["code": "B 1001", "name": "Bolt"]) == ["code:pattern"])
        #expect(Fixtures.errors(["code": "B-1001!", "name": "Bolt"]) == ["code:pattern"])
    }

    @Test func enumAcceptsOnlyListedValues() {
        #expect(Fixtures.errors(Fixtures.validItem.merging(["type": "consu"]) { $1 }).isEmpty)
        let verdict = Fixtures.validate(Fixtures.validItem.merging(["type": "product"]) { $1 })
        #expect(verdict.errors.map(\.rule) == ["enum"])
        #expect(verdict.errors[0].message == "\"product\" is not one of consu, service")
    }

    @Test func lengthCountsCharacters() {
        #expect(Fixtures.errors(["code": "B-1", "name": "X"]) == ["name:length"])
        #expect(Fixtures.errors(["code": "B-1", "name": .string(String(repeating: "ü", count: 21))]) == ["name:length"])
        #expect(Fixtures.errors(["code": "B-1", "name": .string(String(repeating: "ü", count: 20))]).isEmpty)
    }

    @Test func rangeIsInclusive() {
        #expect(Fixtures.errors(Fixtures.validItem.merging(["weight": 0]) { $1 }).isEmpty)
        #expect(Fixtures.errors(Fixtures.validItem.merging(["weight": 1000]) { $1 }).isEmpty)
        #expect(Fixtures.errors(Fixtures.validItem.merging(["weight": -0.5]) { $1 }) == ["weight:range"])
        #expect(Fixtures.errors(Fixtures.validItem.merging(["weight": 1000.01]) { $1 }) == ["weight:range"])
    }

    @Test func gtinCheckDigitIsVerified() {
        #expect(Fixtures.errors(Fixtures.validItem.merging(["barcode": "4006381333931"]) { $1 }).isEmpty)
        #expect(Fixtures.errors(Fixtures.validItem.merging(["barcode": "4006381333932"]) { $1 }) == ["barcode:gtin"])
    }

    @Test func ibanIsNormalizedThenVerified() {
        let verdict = Fixtures.validate(Fixtures.validItem.merging(["bank_account": "de89 3704 0044 0532 0130 00"]) { $1 })
        #expect(verdict.isValid)
        #expect(verdict.attributes["bank_account"] == "DE89370400440532013000")
        #expect(Fixtures.errors(Fixtures.validItem.merging(["bank_account": "DE89370400440532013001"]) { $1 }) == ["bank_account:iban"])
    }

    @Test func emailCountryAndDateFormatsAreChecked() {
        #expect(Fixtures.errors(Fixtures.validItem.merging(["email": " Sales@Example.COM ", "country": "de", "since": "2024-02-29"]) { $1 }).isEmpty)
        #expect(Fixtures.errors(Fixtures.validItem.merging(["email": "sales@example"]) { $1 }) == ["email:email"])
        #expect(Fixtures.errors(Fixtures.validItem.merging(["country": "XY"]) { $1 }) == ["country:country"])
        #expect(Fixtures.errors(Fixtures.validItem.merging(["since": "2023-02-29"]) { $1 }) == ["since:date"])
    }

    @Test func referenceMustNameAnActiveRecordOfTheEntity() {
        let lookup = Lookup.reference(entity: "supplier", recordID: 7)
        let attributes = Fixtures.validItem.merging(["supplier": 7]) { $1 }
        #expect(Fixtures.validate(attributes, answers: [lookup: .record(state: "active")]).isValid)
        let missing = Fixtures.validate(attributes, answers: [lookup: .record(state: nil)])
        #expect(missing.errors.map { "\($0.attribute):\($0.rule)" } == ["supplier:reference"])
        #expect(missing.errors[0].message == "no supplier golden record 7 exists; give the id of an existing supplier")
        let blocked = Fixtures.validate(attributes, answers: [lookup: .record(state: "blocked")])
        #expect(blocked.errors[0].message == "supplier 7 is blocked; only an active supplier may be referenced")
    }

    @Test func uniqueValueHeldByAnotherRecordIsAnError() {
        let lookup = Lookup.unique(entity: "item", attribute: "code", value: "B-1001")
        #expect(Fixtures.validate(Fixtures.validItem, answers: [lookup: .holders([3])]).errors.map(\.rule) == ["unique"])
        #expect(Fixtures.validate(Fixtures.validItem, answers: [lookup: .holders([3])], recordID: 3).isValid)
    }

    @Test func crossFieldRuleForbidsAndRequires() {
        let service = Fixtures.validate(Fixtures.validItem.merging(["type": "service", "weight": 1]) { $1 })
        #expect(service.errors.map { "\($0.attribute):\($0.rule)" } == ["weight:services_have_no_weight"])
        let storable = Fixtures.validate(Fixtures.validItem.merging(["is_storable": true]) { $1 })
        #expect(storable.isValid)
        #expect(storable.warnings.map { "\($0.attribute):\($0.rule)" } == ["weight:storable_needs_weight"])
        #expect(storable.warnings[0].message == "weight is required when is_storable is true")
        #expect(Fixtures.validate(Fixtures.validItem.merging(["is_storable": false]) { $1 }).warnings.isEmpty)
    }

    @Test func listsUnknownAttributes() {
        #expect(Validator(schema: Fixtures.item).unknownAttributes(in: ["code": "x", "colour": "red", "Name": "y"]) == ["Name", "colour"])
    }
}

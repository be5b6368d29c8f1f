import AurumCore
import AurumRules
import AurumTestSupport
import Foundation
import Testing

@Suite struct RulesLoaderTests {
    /// Writes `files` into a fresh directory named `rules`, runs `body`, removes it.
    func withRules(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-rules-\(UUID().uuidString)")
        let directory = root.appendingPathComponent("rules").path
        defer { try? FileManager.default.removeItem(at: root) }
        for (name, text) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try body(directory)
    }

    func problems(_ files: [String: String]) throws -> [String] {
        var result = [String]()
        try withRules(files) { directory in
            result = RulesLoader.check(directory: directory).1.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line): \($0.message)" }
        }
        return result
    }

    let settings = "sources:\n  plm:\n    trust: 90\n    entities: [item]\n"
    let item = """
        entity: item
        attributes:
          code:
            type: string
            required: true
          name:
            type: string
        """

    @Test func aTypoInAnAttributesTypeIsOneProblemAtItsLineNotACascade() throws {
        // The shipped rules with one typo: the match keys, comparisons, gates and Odoo mapping
        // that name the attribute are not reported as well.
        var files = [String: String]()
        let root = ProjectPaths.rules
        for name in try FileManager.default.subpathsOfDirectory(atPath: root) where name.hasSuffix(".yaml") {
            files[name] = try String(contentsOfFile: root + "/" + name, encoding: .utf8)
        }
        let item = try #require(files["item.yaml"])
        let range = try #require(item.range(of: "  code:\n    type: string"))
        files["item.yaml"] = item.replacingCharacters(in: range, with: "  code:\n    type: strng")
        let found = try problems(files)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix("item.yaml:") == true && found.first?.contains("unknown type \"strng\" (did you mean \"string\"?)") == true)
    }

    @Test func aMissingRulesDirectorySaysWhereItLooked() {
        let (rules, problems) = RulesLoader.check(directory: "no-such-rules-dir")
        #expect(rules == nil && problems.count == 1)
        #expect(problems.first?.message.contains(FileManager.default.currentDirectoryPath + "/no-such-rules-dir") == true, "\(problems)")
        #expect(problems.first?.message.contains("AURUM_RULES") == true)
    }

    @Test func shippedRulesLoadWithoutProblems() throws {
        let (rules, problems) = RulesLoader.check(directory: ProjectPaths.rules)
        #expect(problems.isEmpty, "\(problems)")
        #expect(rules?.entities.keys.sorted() == ["customer", "item", "supplier", "warehouse"])
        #expect(rules?.version.hasPrefix("sha256:") == true)
    }

    @Test func shippedItemRulesMatchTheContract() throws {
        let rules = try SampleRules.shipped()
        let item = try #require(rules.entities["item"])
        #expect(SampleRules.validateWithEmptyStore(item, ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units"]).isValid)
        #expect(SampleRules.validateWithEmptyStore(item, ["code": "B-1001", "uom": "Units"]).errors.map(\.attribute) == ["name"])
        let badBarcode = SampleRules.validateWithEmptyStore(item, ["code": "B-1001", "name": "Hex bolt M8x40", "uom": "Units", "barcode": "4006381333932"])
        #expect(badBarcode.errors.map { "\($0.attribute):\($0.rule)" } == ["barcode:gtin"])
        let warehouse = try #require(rules.entities["warehouse"])
        #expect(SampleRules.validateWithEmptyStore(warehouse, ["code": "WHSEVEN", "name": "Main", "company": "Acme"]).errors.map(\.rule).sorted() == ["length", "pattern"])
    }

    @Test func survivorshipIsReadAndItsMistakesNamedWithFileAndLine() throws {
        let survive = item + """

            survive:
              default: trust
              attributes:
                name: longest
                code: {source_order: [plm]}
            """
        try withRules(["aurum.yaml": settings, "item.yaml": survive]) { directory in
            let rules = try RulesLoader.load(directory: directory)
            #expect(rules.entities["item"]?.survive == SurvivorshipRules(defaultStrategy: .trust,
                                                                        attributes: ["name": .longest, "code": .sourceOrder(["plm"])]))
        }
        let wrong = survive.replacingOccurrences(of: "name: longest", with: "nmae: newest")
            .replacingOccurrences(of: "[plm]", with: "[plmm]").replacingOccurrences(of: "default: trust", with: "default: trusted")
        #expect(try problems(["aurum.yaml": settings, "item.yaml": wrong]) == [
            "item.yaml:9: survive.default: unknown strategy \"trusted\" (did you mean \"trust\"?); one of: longest, most_complete, most_recent, trust, {source_order: [...]}",
            "item.yaml:11: survive names unknown attribute \"nmae\" (did you mean \"name\"?)",
            "item.yaml:12: survive.attributes.code.source_order names unknown source \"plmm\" (did you mean \"plm\"?); aurum.yaml declares plm",
        ])
    }

    @Test func typoInAKeyIsReportedWithFileLineAndSuggestion() throws {
        let typo = item.replacingOccurrences(of: "required: true", with: "requird: true")
        #expect(try problems(["aurum.yaml": settings, "item.yaml": typo])
                == ["item.yaml:5: unknown key \"requird\" in attribute code (did you mean \"required\"?); allowed: type, required, recommended, normalize, pattern, values, length, range, check, entity, unique, sensitive, description"])
    }

    @Test func unknownTypeAndCheckAreNamed() throws {
        let text = item.replacingOccurrences(of: "type: string\n    required", with: "type: strng\n    required")
        #expect(try problems(["aurum.yaml": settings, "item.yaml": text])
                == ["item.yaml:4: unknown type \"strng\" (did you mean \"string\"?); one of: string, text, integer, decimal, boolean, date, email, country, reference, enum"])
        let check = item + "\n  barcode:\n    type: string\n    check: ean\n"
        #expect(try problems(["aurum.yaml": settings, "item.yaml": check]).first?.hasPrefix("item.yaml:10: unknown check \"ean\" (did you mean \"iban\"?)") == true)
    }

    @Test func badRegularExpressionIsReported() throws {
        let text = item + "\n    pattern: '[A-Z'\n"
        let found = try problems(["aurum.yaml": settings, "item.yaml": text])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("item.yaml:8: name.pattern is not a valid regular expression") == true)
    }

    @Test func referenceToAnUnknownEntityIsReported() throws {
        let text = item + "\n  supplier:\n    type: reference\n    entity: suplier\n"
        #expect(try problems(["aurum.yaml": settings, "item.yaml": text])
                == ["item.yaml:8: attribute supplier references unknown entity \"suplier\"; the rules define item"])
    }

    @Test func ruleNamingAnUnknownAttributeIsReported() throws {
        let text = item + "\nrules:\n  - name: coded\n    when: {nmae: x}\n    require: [code, colour]\n"
        #expect(try problems(["aurum.yaml": settings, "item.yaml": text]) == [
            "item.yaml:10: rule coded names unknown attribute \"nmae\" (did you mean \"name\"?)",
            "item.yaml:11: rule coded require names unknown attribute \"colour\"",
        ])
    }

    @Test func sourcesMustNameKnownEntities() throws {
        let text = "sources:\n  plm:\n    trust: 190\n    entities: [item, itme]\n"
        #expect(try problems(["aurum.yaml": text, "item.yaml": item]) == [
            "aurum.yaml:3: plm.trust must be between 0 and 100",
            "aurum.yaml:4: source plm names unknown entity \"itme\" (did you mean \"item\"?)",
        ])
    }

    @Test func yamlSyntaxErrorsCarryTheirLine() throws {
        let broken = item + "\n  weight:\n    type: [decimal\n"
        let found = try problems(["aurum.yaml": settings, "item.yaml": broken])
        #expect(found.count == 1)
        #expect(found.first?.contains("YAML syntax error") == true)
        #expect(found.first?.hasPrefix("item.yaml:10: YAML syntax error") == true)
    }

    @Test func missingSettingsFileIsReported() throws {
        #expect(try problems(["item.yaml": item]).first?.hasSuffix("missing: the rules directory needs aurum.yaml (sources and their trust)") == true)
    }

    @Test func loadThrowsEveryProblem() throws {
        try withRules(["aurum.yaml": settings, "item.yaml": item.replacingOccurrences(of: "entity: item", with: "entity: items")]) { directory in
            #expect(throws: RulesError.self) { try RulesLoader.load(directory: directory) }
        }
    }

    @Test func versionChangesWithAnyFile() throws {
        var versions = Set<String>()
        for extra in ["", "\n# a comment\n"] {
            try withRules(["aurum.yaml": settings + extra, "item.yaml": item]) { directory in
                versions.insert(try RulesLoader.load(directory: directory).version)
            }
        }
        #expect(versions.count == 2)
    }
}

@Suite struct MatchRulesLoaderTests {
    let settings = "sources:\n  plm:\n    trust: 90\n"
    let base = """
        entity: supplier
        attributes:
          name: {type: string}
          vat: {type: string}
          city: {type: string}
        match:
          prior: 0.0001
          thresholds: {review: 0, auto_link: 8}
          blocking:
            - name: vat
              parts: [{attribute: vat, normalize: vat}]
          compare:
            - attribute: name
              normalize: company_name
              method: jaro_winkler
              levels:
                - {exact: true, m: 0.5, u: 0.001}
                - {at_least: 0.9, m: 0.3, u: 0.01}
                - {m: 0.2, u: 0.989}
          veto:
            - {name: different_vat, different: vat}
        """

    func problems(_ text: String) throws -> [String] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-match-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try settings.write(to: root.appendingPathComponent("aurum.yaml"), atomically: true, encoding: .utf8)
        try text.write(to: root.appendingPathComponent("supplier.yaml"), atomically: true, encoding: .utf8)
        return RulesLoader.check(directory: root.path).1.map { "\($0.line): \($0.message)" }
    }

    @Test func readsAMatchSection() throws {
        #expect(try problems(base).isEmpty)
        let rules = try SampleRules.shipped()
        for entity in ["item", "supplier", "customer", "warehouse"] {
            let match = try #require(rules.entities[entity]?.match, "\(entity) ships match rules")
            let comparisons = match.comparisons.count, keys = match.blockingKeys.count
            #expect(comparisons > 0, "\(entity) has \(comparisons) comparisons")
            #expect(keys > 0, "\(entity) has \(keys) blocking keys")
            #expect(match.comparisons.allSatisfy { $0.levels.last?.condition == .otherwise })
        }
        #expect(rules.entities["customer"]?.match?.vetoes.map(\.name) == ["different_vat", "different_country", "household"])
    }

    @Test func misspeltComparatorGetsItsLineAndASuggestion() throws {
        #expect(try problems(base.replacingOccurrences(of: "method: jaro_winkler", with: "method: jarowinkler"))
                == ["15: unknown comparator \"jarowinkler\" (did you mean \"jaro_winkler\"?); one of: exact, levenshtein, damerau_levenshtein, jaro_winkler, token_set, token_sort, jaccard, monge_elkan, tfidf, model_numbers, numeric, ratio, date"])
    }

    @Test func levelsAndAttributesAreChecked() throws {
        #expect(try problems(base.replacingOccurrences(of: "{m: 0.2, u: 0.989}", with: "{m: 0.2, u: 1.5}")) == [
            "19: u must be a probability above 0 and at most 1",
        ])
        #expect(try problems(base.replacingOccurrences(of: "- {m: 0.2, u: 0.989}", with: "- {at_least: 0.5, m: 0.2, u: 0.9}")) == [
            "17: the last level of name must be the fallback (no exact, at_least or at_most)",
        ])
        #expect(try problems(base.replacingOccurrences(of: "different: vat}", with: "different: vta}")) == [
            "21: veto different_vat names unknown attribute \"vta\" (did you mean \"vat\"?)",
        ])
        #expect(try problems(base.replacingOccurrences(of: "normalize: company_name", with: "normalize: company")).first?
                .hasPrefix("14: unknown normalizer \"company\"") == true)
        #expect(try problems(base.replacingOccurrences(of: "{review: 0, auto_link: 8}", with: "{review: 9, auto_link: 8}")) == [
            "8: match.thresholds: review (9.0) is above auto_link (8.0)",
        ])
        #expect(try problems(base.replacingOccurrences(of: "method: jaro_winkler", with: "method: jaro_winkler\n      containment: 0.8")) == [
            "16: containment is for method: tfidf; name uses jaro_winkler",
        ])
        #expect(try problems(base.replacingOccurrences(of: "different: vat}", with: "different: vat, unless_above: 6}")) == [
            "21: veto different_vat unless_above needs unless_same: (the comparisons whose weight must pass it)",
        ])
    }

    /// `unless_above` asks more of the comparison that lifts a veto than agreement: a name that
    /// agrees (+9.0 bits here) lifts the VAT veto at 0 but not at 9.5.
    @Test func unlessAboveAsksForStrongEvidence() throws {
        for (bits, lifted) in [(0.0, true), (9.5, false)] {
            let text = base.replacingOccurrences(of: "different: vat}", with: "different: vat, unless_same: [name], unless_above: \(bits)}")
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-match-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try settings.write(to: root.appendingPathComponent("aurum.yaml"), atomically: true, encoding: .utf8)
            try text.write(to: root.appendingPathComponent("supplier.yaml"), atomically: true, encoding: .utf8)
            let rules = try #require(try RulesLoader.load(directory: root.path).entities["supplier"]?.match)
            let scorer = MatchScorer(rules: rules)
            let a = MatchRecord(id: "a", attributes: ["name": "Acme Tools", "vat": "DE1"], rules: rules)
            let b = MatchRecord(id: "b", attributes: ["name": "Acme Tools", "vat": "DE2"], rules: rules)
            let pair = scorer.score(a, b, a: 0, b: 1)
            #expect((pair.vetoedBy == nil) == lifted, "unless_above \(bits): \(MatchExplanation.line(pair))")
        }
    }
}

/// The shipped rules on records nobody tuned them for.
@Suite struct ShippedMatchRulesTests {
    /// A duplicate with an error in every field blocking reads except the house number — both
    /// words of the name misspelt past their Soundex codes, the street name, the city and one
    /// postcode digit — still shares a key (house number with a one-typo postcode) and is found.
    @Test func aDuplicateWithErrorsInEveryBlockingFieldButOneIsFound() async throws {
        let rules = try #require(try SampleRules.shipped().entities["customer"]?.match)
        let original: Attributes = ["name": "Katharina Mueller", "street": "Hauptstrasse 12", "zip": "70173", "city": "Stuttgart",
                                    "country": "DE", "is_company": "false"]
        let duplicate: Attributes = ["name": "Catharina Muelker", "street": "Hauptstrase 12", "zip": "70178", "city": "Sutttgart",
                                     "country": "DE", "is_company": "false"]
        let records = [MatchRecord(id: "o", attributes: original, rules: rules), MatchRecord(id: "d", attributes: duplicate, rules: rules),
                       MatchRecord(id: "x", attributes: ["name": "Otto Kranz", "street": "Feldweg 3", "zip": "10115", "city": "Berlin",
                                                         "country": "DE", "is_company": "false"], rules: rules)]
        for key in rules.blockingKeys where key.name != "number_zip" {
            let a = Set(MatchRecord.keyTexts(key, attributes: original)), b = Set(MatchRecord.keyTexts(key, attributes: duplicate))
            #expect(a.isDisjoint(with: b), "\(key.name) should not meet, so that only the house number is left")
        }
        let result = await Deduplication.run(records, rules: rules)
        #expect(result.pairs.map { "\(records[$0.a].id)~\(records[$0.b].id)" } == ["o~d"], "\(result.pairs.map(MatchExplanation.line))")
    }

    /// One fastener in another system's words is found; the same size in another kind, finish or
    /// grade is another item.
    @Test func itemsOfOneSizeInAnotherKindOrFinishAreKeptApart() async throws {
        let rules = try #require(try SampleRules.shipped().entities["item"]?.match)
        let names = ["o": "Wood screw ISO 4762 M4x60 galvanised", "d": "M4x60mm Wood screw galvanized ISO4762",
                     "kind": "Set screw ISO 4762 M4x60 galvanised", "finish": "Wood screw ISO 4762 M4x60 zinc plated",
                     "grade": "Wood screw ISO 4762 M4x60 stainless A2", "other": "Wood screw ISO 4762 M4x60 stainless A4"]
        let records = names.sorted { $0.key < $1.key }.map { MatchRecord(id: $0.key, attributes: ["name": .string($0.value), "uom": "Units"], rules: rules) }
        let result = await Deduplication.run(records, rules: rules)
        #expect(result.pairs.map { "\(records[$0.a].id)~\(records[$0.b].id)" } == ["d~o"], "\(result.pairs.map(MatchExplanation.line))")
    }
}

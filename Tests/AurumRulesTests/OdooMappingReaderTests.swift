import AurumCore
import AurumRules
import AurumTestSupport
import Foundation
import Testing

@Suite struct OdooMappingReaderTests {
    @Test func shippedMappingCoversEveryEntityInDependencyOrder() throws {
        let rules = try RulesLoader.load(directory: ProjectPaths.rules)
        let odoo = try #require(rules.odoo)
        #expect(odoo.module == "aurum")
        #expect(odoo.order == ["supplier", "customer", "warehouse", "item"])
        #expect(odoo.entities["item"]?.model == "product.template" && odoo.entities["warehouse"]?.model == "stock.warehouse")
        let item = try #require(odoo.entities["item"])
        #expect(item.fields(for: 17).map(\.odooField).contains("detailed_type") && !item.fields(for: 17).map(\.odooField).contains("is_storable"))
        #expect(item.fields(for: 19).map(\.odooField).contains("is_storable") && !item.fields(for: 19).map(\.odooField).contains("uom_po_id"))
        #expect(item.children.first?.model == "product.supplierinfo")
        #expect(odoo.entities["supplier"]?.children.first?.model == "res.partner.bank")
    }

    @Test func mistakesGetFileLineAndSuggestion() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-odoo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("rules").path
        try FileManager.default.createDirectory(atPath: directory + "/consumers", withIntermediateDirectories: true)
        try "sources:\n  plm:\n    trust: 90\n    entities: [item]\n".write(toFile: directory + "/aurum.yaml", atomically: true, encoding: .utf8)
        try "entity: item\nattributes:\n  code:\n    type: string\n  name:\n    type: string\n".write(toFile: directory + "/item.yaml", atomically: true, encoding: .utf8)
        try """
            module: aurum
            entities:
              itme:
                model: product.template
              item:
                model: product.template
                adopt_by: default_code
                fields:
                  name: nmae
                  default_code: {from: code, versions: 19-17}
                  barcode: {from: code, value: x}
                  categ_id: {from: code, lookup: {model: product.category}}
                  sale_ok: {form: code}
            """.write(toFile: directory + "/consumers/odoo.yaml", atomically: true, encoding: .utf8)
        let problems = RulesLoader.check(directory: directory).1.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line): \($0.message)" }
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:3: unknown entity \"itme\" (did you mean \"item\"?)") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:9: item has no attribute \"nmae\" (did you mean \"name\"?)") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:10: versions must be") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:11: field barcode needs exactly one of") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:12: lookup needs model: and by:") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:13: unknown key \"form\" in field sale_ok (did you mean \"from\"?)") }, "\(problems)")
    }

    /// What the import reads: each partner entity's domain (by rank in the shipped rules), and how
    /// often `aurum serve` imports; mistakes in either get their file:line.
    @Test func importDomainAndImportEveryAreReadAndChecked() throws {
        let shipped = try #require(try RulesLoader.load(directory: ProjectPaths.rules).odoo)
        #expect(shipped.entities["supplier"]?.importDomain == [["supplier_rank", ">", 0]])
        #expect(shipped.entities["customer"]?.importDomain == [["customer_rank", ">", 0]])
        #expect(shipped.entities["item"]?.importDomain == [] && shipped.importEvery == nil, "every product; no watching unless asked")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-odoo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("rules").path
        try FileManager.default.createDirectory(atPath: directory + "/consumers", withIntermediateDirectories: true)
        try "sources:\n  plm:\n    trust: 90\n    entities: [item]\n".write(toFile: directory + "/aurum.yaml", atomically: true, encoding: .utf8)
        try "entity: item\nattributes:\n  code:\n    type: string\n  name:\n    type: string\n".write(toFile: directory + "/item.yaml", atomically: true, encoding: .utf8)
        func check(_ yaml: String) -> [String] {
            try? yaml.write(toFile: directory + "/consumers/odoo.yaml", atomically: true, encoding: .utf8)
            return RulesLoader.check(directory: directory).1.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line): \($0.message)" }
        }
        #expect(check("import_every: 15m\nentities:\n  item:\n    model: product.template\n    import_domain: [\"|\", [active, \"=\", true], [sale_ok, \"=\", true]]\n"
                      + "    fields:\n      name: name\n") == [])
        let loaded = try #require(try RulesLoader.load(directory: directory).odoo)
        #expect(loaded.importEvery == 900 && loaded.entities["item"]?.importDomain.count == 3)
        let problems = check("import_every: soon\nentities:\n  item:\n    model: product.template\n    import_domain: [[sale_ok, true]]\n    fields:\n      name: name\n")
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:1: import_every must be a whole number of days, hours or minutes") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("odoo.yaml:5: each condition of import_domain is [field, operator, value]") }, "\(problems)")
        #expect(check("entities:\n  item:\n    model: product.template\n    import_domain: sale_ok\n").contains { $0.hasPrefix("odoo.yaml:4: import_domain of item must be a list") })
    }
}

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
}

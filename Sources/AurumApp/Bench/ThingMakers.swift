import AurumCore
import Foundation

/// Items: fasteners with codes, GTINs, names with sizes and weights; hard negatives differ only in size.
struct ItemMaker: RecordMaker {
    let columns = ["code", "name", "type", "uom", "barcode", "weight"]

    func original(index: Int, random: inout SeededRandom) -> [String: String] {
        let diameter = random.pick(BenchVocabulary.diameters), length = random.pick(BenchVocabulary.lengths)
        return item(index: index, kind: random.pick(BenchVocabulary.productTypes), diameter: diameter, length: length,
                    material: random.pick(BenchVocabulary.materials), standard: random.pick(BenchVocabulary.standards), random: &random)
    }

    func item(index: Int, kind: String, diameter: Int, length: Int, material: String, standard: String, random: inout SeededRandom) -> [String: String] {
        let name = [kind, standard, "M\(diameter)x\(length)", material].filter { !$0.isEmpty }.joined(separator: " ")
        let weight = Double(diameter * diameter * length) * 0.0000062
        return ["code": "B-\(String(format: "%06d", index))", "name": name, "type": "consu", "uom": "Units",
                "barcode": random.chance(0.7) ? Self.gtin(index) : "", "weight": String(format: "%.4f", weight)]
    }

    /// A catalogue lists each specification once: two codes for one kind, standard, size and
    /// material would be a duplicate SKU, not two items.
    func identity(of record: [String: String]) -> String? { record["name"]?.lowercased() }

    /// A valid GTIN-13 unique to `index`.
    static func gtin(_ index: Int) -> String {
        let body = "400" + String(format: "%09d", (index &* 104_729 &+ 17) % 1_000_000_000)
        return body + String(CheckDigits.gtinCheckDigit(for: body.compactMap(\.wholeNumberValue)))
    }

    func duplicate(of base: [String: String], random: inout SeededRandom) -> [String: String] {
        var record = base
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<7, using: &random) {
            case 0: record["code"] = random.chance(0.5) ? record["code"]!.replacingOccurrences(of: "-", with: "") : record["code"]!.lowercased()
            case 1: record["name"] = Self.reformatSize(record["name"]!, &random)
            case 2: record["name"] = Variation.typo(record["name"]!, &random)
            case 3: record["barcode"] = ""
            case 4: record["name"] = record["name"]!.uppercased()
            case 5: if let weight = Double(record["weight"]!) { record["weight"] = String(format: "%.3f", weight) }
            default: record["code"] = Variation.typo(record["code"]!.replacingOccurrences(of: "-", with: " "), &random)
            }
        }
        // Another system's description of the same item: a third of the duplicates come without
        // the code (a supplier's catalogue, a PLM export) and in other words.
        if random.chance(0.35) {
            record["code"] = ""
            record["barcode"] = random.chance(0.5) ? "" : record["barcode"]
            record["name"] = Self.describedDifferently(record["name"]!, &random)
        }
        return record
    }

    /// The same item in another system's words: the standard moved to the end and written
    /// without its space, the material spelt out, the kind and the size reordered, "mm" added.
    /// (The standard stays: without it the item would read as another item of the catalogue.)
    static func describedDifferently(_ name: String, _ random: inout SeededRandom) -> String {
        var text = name
        for standard in BenchVocabulary.standards where !standard.isEmpty && text.contains(standard) && random.chance(0.5) {
            text = text.replacingOccurrences(of: " " + standard, with: "") + " " + standard.replacingOccurrences(of: " ", with: "")
        }
        let spelt = ["stainless A2": "A2 stainless steel", "stainless A4": "A4 stainless steel", "zinc plated": "zinc-plated",
                     "galvanised": "galvanized", "black oxide": "blackened"]
        for (short, long) in spelt where text.contains(short) && random.chance(0.6) { text = text.replacingOccurrences(of: short, with: long) }
        var words = text.split(separator: " ").map(String.init)
        if let size = words.firstIndex(where: { $0.hasPrefix("M") && $0.contains("x") }), random.chance(0.5) {
            let token = words.remove(at: size)
            words.insert(random.chance(0.5) && !token.hasSuffix("mm") ? token + "mm" : token, at: 0)
        }
        return words.joined(separator: " ")
    }

    /// The same kind and material in another length: a different item that looks alike.
    func sibling(of base: [String: String], index: Int, random: inout SeededRandom) -> [String: String] {
        let name = base["name"]!
        guard let size = name.split(separator: " ").first(where: { $0.hasPrefix("M") && $0.contains("x") }),
              let diameter = Int(size.dropFirst().split(separator: "x")[0]), let length = Int(size.split(separator: "x")[1]) else {
            return original(index: index, random: &random)
        }
        var other = random.pick(BenchVocabulary.lengths)
        while other == length { other = random.pick(BenchVocabulary.lengths) }
        var record = item(index: index, kind: "", diameter: diameter, length: other, material: "", standard: "", random: &random)
        record["name"] = name.replacingOccurrences(of: String(size), with: "M\(diameter)x\(other)")
        return record
    }

    static func reformatSize(_ name: String, _ random: inout SeededRandom) -> String {
        guard let size = name.split(separator: " ").first(where: { $0.hasPrefix("M") && $0.contains("x") }) else { return name }
        let parts = size.dropFirst().replacingOccurrences(of: "mm", with: "").split(separator: "x")
        let variants = ["M\(parts[0]) x \(parts[1])", "M\(parts[0]) x \(parts[1]) mm", "M\(parts[0])X\(parts[1])", "M\(parts[0])x\(parts[1])mm"]
        return name.replacingOccurrences(of: String(size), with: random.pick(variants))
    }
}

/// Warehouses: short codes, names by city, the owning company.
struct WarehouseMaker: RecordMaker {
    let columns = ["code", "name", "company", "street", "zip", "city", "country"]

    func original(index: Int, random: inout SeededRandom) -> [String: String] {
        let (place, fields) = Party.address(&random)
        var record = fields
        record["code"] = Self.code(index)
        record["name"] = "\(place.city) \(random.pick(["Central", "North", "South", "Plant", "Hub"])) \(index)"
        record["company"] = "Aurum Demo \(random.pick(["GmbH", "AG", "Ltd"]))"
        return record
    }

    static func code(_ index: Int) -> String {
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var n = index, code = ""
        for _ in 0..<5 { code.append(letters[n % letters.count]); n /= letters.count }
        return code
    }

    func duplicate(of base: [String: String], random: inout SeededRandom) -> [String: String] {
        var record = base
        if random.chance(0.5) { record["name"] = Variation.typo(record["name"]!, &random) } else { record["name"] = record["name"]!.uppercased() }
        if random.chance(0.3) { record["code"] = record["code"]!.lowercased() }
        return record
    }

    /// Another company's warehouse with the same name.
    func sibling(of base: [String: String], index: Int, random: inout SeededRandom) -> [String: String] {
        var record = original(index: index, random: &random)
        record["name"] = base["name"]
        record["company"] = "Other Holding \(index) AG"
        return record
    }
}

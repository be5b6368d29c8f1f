import Foundation
import AurumCore

/// Realistic master data with known duplicates, for measuring matching: originals, duplicates
/// written differently (typos, transpositions, legal-form and street variants, transliterations,
/// other phone and VAT formats, missing fields, swapped words) with the noise public benchmark
/// sets show on top (errors in any field, one duplicate in five with an error in every field,
/// wrong digits in numbers, swapped or missing given names; items described in other words,
/// without their code), and hard negatives that must stay apart (branches with their own VAT,
/// people in one household, items that differ only in size).
struct SyntheticData {
    /// The generated file's rows and, per row, the real-world thing it describes.
    var header: [String]
    var rows: [[String]]
    /// `cluster[i]` identifies the thing row i describes; rows with the same value are duplicates.
    var cluster: [Int]

    static let entities = ["supplier", "customer", "item", "warehouse"]

    static func generate(entity: String, count: Int, dupRate: Double, seed: UInt64) -> SyntheticData {
        var random = SeededRandom(seed: seed)
        let maker: RecordMaker = switch entity {
        case "customer": CustomerMaker()
        case "item": ItemMaker()
        case "warehouse": WarehouseMaker()
        default: SupplierMaker()
        }
        let duplicates = Int((Double(count) * dupRate).rounded())
        let originals = max(1, count - duplicates)
        var records = [(fields: [String: String], cluster: Int)]()
        records.reserveCapacity(count)
        // Originals are distinct things: one that reads the same as an earlier one (the maker's
        // identity) is drawn again, or the truth would call two indistinguishable records distinct.
        var identities = Set<String>()
        for index in 0..<originals {
            var record: [String: String] = [:]
            for attempt in 0..<50 {
                // One original in twenty is a hard negative: a near copy of an earlier one that is another thing.
                if index > 10, attempt < 10, random.chance(0.05) {
                    let base = records[Int.random(in: 0..<records.count, using: &random)].fields
                    record = maker.sibling(of: base, index: index, random: &random)
                } else {
                    record = maker.original(index: index, random: &random)
                }
                guard let identity = maker.identity(of: record) else { break }
                if identities.insert(identity).inserted { break }
            }
            records.append((record, index))
        }
        for _ in 0..<duplicates {
            let base = records[Int.random(in: 0..<originals, using: &random)]
            records.append((maker.duplicate(of: base.fields, random: &random), base.cluster))
        }
        records.shuffle(using: &random)
        let header = ["source_key"] + maker.columns
        let rows = records.enumerated().map { index, record in
            ["R\(index + 1)"] + maker.columns.map { record.fields[$0] ?? "" }
        }
        return SyntheticData(header: header, rows: rows, cluster: records.map(\.cluster))
    }
}

/// Makes one entity's records.
protocol RecordMaker {
    var columns: [String] { get }
    func original(index: Int, random: inout SeededRandom) -> [String: String]
    func duplicate(of base: [String: String], random: inout SeededRandom) -> [String: String]
    func sibling(of base: [String: String], index: Int, random: inout SeededRandom) -> [String: String]
    /// What makes two originals the same thing when they read alike (nil: every original is its own thing).
    func identity(of record: [String: String]) -> String?
}

extension RecordMaker {
    func identity(of record: [String: String]) -> String? { nil }
}

/// Text variations a person or a system introduces when it types the same thing again.
enum Variation {
    static func surname(_ random: inout SeededRandom) -> String {
        random.pick(BenchVocabulary.onsets) + random.pick(BenchVocabulary.middles) + random.pick(BenchVocabulary.endings)
    }

    /// One typo in a word of letters longer than three: a substitution, deletion, insertion or
    /// transposition. Numbers are left alone: a changed size or house number is another thing.
    static func typo(_ text: String, _ random: inout SeededRandom) -> String {
        var words = text.split(separator: " ").map(String.init)
        let candidates = words.indices.filter { words[$0].count > 3 && words[$0].allSatisfy(\.isLetter) }
        guard let index = candidates.isEmpty ? nil : random.pick(candidates) else { return text }
        var letters = Array(words[index])
        let position = Int.random(in: 1..<(letters.count - 1), using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: letters[position] = random.pick(Array("aeiournstl"))
        case 1: letters.remove(at: position)
        case 2: letters.insert(letters[position], at: position)
        default: letters.swapAt(position, position + 1)
        }
        words[index] = String(letters)
        return words.joined(separator: " ")
    }

    /// One digit of one number in `text` changed to another: the wrong house number or postcode
    /// digit of a hasty typist (the thing stays the same; only the typing is wrong).
    static func digitTypo(_ text: String, _ random: inout SeededRandom) -> String {
        var characters = Array(text)
        let digits = characters.indices.filter { characters[$0].isNumber }
        guard let index = digits.isEmpty ? nil : random.pick(digits) else { return text }
        var digit = random.pick(Array("0123456789"))
        while digit == characters[index] { digit = random.pick(Array("0123456789")) }
        characters[index] = digit
        return String(characters)
    }

    static func transliterate(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "ä": result += "ae"; case "ö": result += "oe"; case "ü": result += "ue"; case "ß": result += "ss"
            case "Ä": result += "Ae"; case "Ö": result += "Oe"; case "Ü": result += "Ue"
            default: result.append(character)
            }
        }
        return result
    }

    static func abbreviateStreet(_ street: String, _ random: inout SeededRandom) -> String {
        if street.contains("straße") { return street.replacingOccurrences(of: "straße", with: random.chance(0.5) ? "str." : "strasse") }
        if street.contains("Street") { return street.replacingOccurrences(of: "Street", with: "St.") }
        return street
    }

    static func spaced(_ text: String, every n: Int) -> String {
        var result = ""
        for (index, character) in text.enumerated() {
            if index > 0, index % n == 0 { result.append(" ") }
            result.append(character)
        }
        return result
    }
}

import AurumCore
import Foundation

/// A file of records as a table: a header and rows of fields, without a dictionary per row, for
/// the commands that read a million records (dedupe, bench). NDJSON is turned into the same shape.
struct RecordTable: Sendable {
    var header: [String]
    var rows: [[String]]
    /// 1-based line of each row in the file.
    var lines: [Int]
    private var columns: [String: Int]

    init(path: String) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") {
            let file = try ImportFile(path: path, requireSourceKey: false)
            var names = [String]()
            for row in file.rows { for key in row.attributes.keys where !names.contains(key) { names.append(key) } }
            names.sort()
            header = ["source_key"] + names
            rows = file.rows.map { row in [row.sourceKey ?? ""] + names.map { row.attributes[$0]?.matchText ?? "" } }
            lines = file.rows.map(\.line)
        } else {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ImportFile.Failure(description: "cannot read \(path) as UTF-8 text") }
            let (names, records) = try CSVReader.table(text, path: path)
            header = names
            rows = records.map(\.fields)
            lines = records.map(\.line)
        }
        columns = Dictionary(header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    /// Row `index`'s label: its source key, or its 1-based row number.
    func label(_ index: Int) -> String {
        if let column = columns["source_key"], !rows[index][column].isEmpty { return rows[index][column] }
        return String(index + 1)
    }

    /// Row `index`'s value of `attribute`; empty cells have none.
    func value(_ index: Int, _ attribute: String) -> String? {
        guard let column = columns[attribute], !rows[index][column].isEmpty else { return nil }
        return rows[index][column]
    }

    /// Row `index` as attributes (source_key left out), for validation.
    func attributes(_ index: Int) -> Attributes {
        var result = Attributes()
        for (column, name) in header.enumerated() where name != "source_key" && !rows[index][column].isEmpty {
            result[name] = .string(rows[index][column])
        }
        return result
    }

    /// Row `index` prepared for matching with `rules`.
    func matchRecord(_ index: Int, rules: MatchRules) -> MatchRecord {
        MatchRecord(id: label(index), rules: rules) { value(index, $0) }
    }
}

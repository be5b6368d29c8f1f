import AurumCore
import Foundation

/// A file of rows to import (CSV with a header row, or NDJSON), each row a source key and attributes.
struct ImportFile {
    struct Row: Sendable {
        /// 1-based line number in the file.
        var line: Int
        /// The row's source key; only ingest requires one (dedupe numbers rows without it).
        var sourceKey: String?
        var attributes: Attributes
    }

    /// Why the file cannot be imported.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var rows: [Row]

    /// Reads `path`; CSV unless the name ends in .ndjson or .jsonl. With `requireSourceKey`, every
    /// row must carry a `source_key`.
    init(path: String, requireSourceKey: Bool = true) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(description: "\(path) is not UTF-8 text") }
        let lower = path.lowercased()
        rows = lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl")
            ? try Self.ndjson(text, path, requireSourceKey: requireSourceKey)
            : try Self.csv(text, path, requireSourceKey: requireSourceKey)
    }

    /// CSV: the header row names attributes and must include source_key; empty cells are left out.
    static func csv(_ text: String, _ path: String, requireSourceKey: Bool) throws -> [Row] {
        let (header, records) = try CSVReader.table(text, path: path)
        let keyColumn = header.firstIndex(of: "source_key")
        if requireSourceKey, keyColumn == nil, !header.isEmpty {
            throw Failure(description: "\(path): the header row has no source_key column; add the source system's own key for each row")
        }
        return records.map { record in
            var attributes = Attributes()
            for (index, name) in header.enumerated() where index != keyColumn && !record.fields[index].isEmpty {
                attributes[name] = .string(record.fields[index])
            }
            return Row(line: record.line, sourceKey: keyColumn.map { record.fields[$0] }, attributes: attributes)
        }
    }

    /// NDJSON: one object per line with source_key and either attributes: {...} or the attributes inline.
    static func ndjson(_ text: String, _ path: String, requireSourceKey: Bool, firstLine: Int = 1) throws -> [Row] {
        var rows = [Row]()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.allSatisfy(\.isWhitespace) {
            let where_ = "\(path):\(index + firstLine)"
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)), var object = value.objectValue else {
                throw Failure(description: "\(where_): not a JSON object")
            }
            let key = object.removeValue(forKey: "source_key")
            let sourceKey = key.flatMap { $0.stringValue ?? $0.integerValue.map(String.init) }
            if requireSourceKey, sourceKey == nil { throw Failure(description: "\(where_): source_key is missing") }
            let attributes = object["attributes"]?.objectValue ?? object
            rows.append(Row(line: index + firstLine, sourceKey: sourceKey, attributes: attributes))
        }
        return rows
    }
}

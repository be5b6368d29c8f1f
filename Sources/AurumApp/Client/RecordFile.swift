import AurumCore
import Foundation

/// A file of records (CSV with a header row, or NDJSON) read in chunks of whole rows, so that the
/// commands that read a million records (dedupe, bench) never hold all of its rows at once: each
/// chunk is parsed, validated and prepared for matching, then dropped.
struct RecordFile {
    enum Format: Sendable { case csv, ndjson }

    /// What parsing a chunk needs to know of its file.
    struct Shape: Sendable {
        var path: String
        var format: Format
        /// The CSV header's attribute names (trimmed); empty for NDJSON.
        var header: [String] = []
    }

    private(set) var shape: Shape
    var path: String { shape.path }
    var format: Format { shape.format }
    /// The file's size in bytes, for a progress bar.
    let size: Int
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private var atEnd = false
    private var nextLine = 1
    private var nextRow = 0
    /// Bytes read per chunk; a row longer than this makes its chunk longer.
    static let chunkBytes = 1 << 21

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportFile.Failure(description: "cannot read \(path)") }
        self.handle = handle
        let lower = path.lowercased()
        shape = Shape(path: path, format: lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") ? .ndjson : .csv)
        size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        try fill()
        if pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
        if format == .csv { try readHeader() }
    }

    /// The next chunk of whole rows, not yet parsed (parse it with `RecordChunk(_:of:)`, on any
    /// thread), or nil at the end of the file.
    mutating func next() throws -> RawChunk? {
        while !atEnd && rowEnd(pending) == nil { try fill() }
        guard !pending.isEmpty else { return nil }
        let end = atEnd && pending.count < Self.chunkBytes ? pending.count : (rowEnd(pending) ?? pending.count)
        let bytes = Array(pending[..<end])
        pending.removeFirst(end)
        let chunk = RawChunk(bytes: bytes, firstLine: nextLine, firstRow: nextRow)
        nextLine += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        nextRow += format == .csv ? Self.rowCount(bytes) : bytes.split(separator: 0x0A).count
        return chunk
    }

    /// Reads up to `chunkBytes` more, or notes the end of the file.
    private mutating func fill() throws {
        let data: Data?
        do { data = try handle.read(upToCount: Self.chunkBytes) } catch {
            throw ImportFile.Failure(description: "cannot read \(path): \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else { atEnd = true; return }
        pending.append(contentsOf: data)
    }

    /// Just past the last line break that ends a row (not one inside a quoted CSV field).
    private func rowEnd(_ bytes: [UInt8]) -> Int? {
        guard format == .csv else { return bytes.lastIndex(of: 0x0A).map { $0 + 1 } }
        var inQuotes = false, last: Int?
        for (index, byte) in bytes.enumerated() {
            if byte == 0x22 { inQuotes.toggle() } else if byte == 0x0A && !inQuotes { last = index + 1 }
        }
        return last
    }

    /// Data rows in whole CSV rows (blank lines are not rows).
    private static func rowCount(_ bytes: [UInt8]) -> Int {
        var inQuotes = false, rows = 0, empty = true
        for byte in bytes {
            if byte == 0x22 { inQuotes.toggle() }
            if byte == 0x0A && !inQuotes { rows += empty ? 0 : 1; empty = true } else if byte != 0x0D { empty = false }
        }
        return rows + (empty ? 0 : 1)
    }

    /// Splits the header row off the first bytes.
    private mutating func readHeader() throws {
        var inQuotes = false
        var end: Int?
        while end == nil {
            for (index, byte) in pending.enumerated() {
                if byte == 0x22 { inQuotes.toggle() } else if byte == 0x0A && !inQuotes { end = index + 1; break }
            }
            if end == nil { if atEnd { end = pending.count } else { inQuotes = false; try fill() } }
        }
        let bytes = Array(pending[..<end!])
        pending.removeFirst(end!)
        let records = try Self.csvRecords(bytes, path: path, firstLine: 1)
        shape.header = records.first?.fields.map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        try CSVReader.checkHeader(shape.header, path: path)
        nextLine = 1 + bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    static func csvRecords(_ bytes: [UInt8], path: String, firstLine: Int) throws -> [(line: Int, fields: [String])] {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ImportFile.Failure(description: "\(path):\(firstLine): not UTF-8 text; save the file as UTF-8")
        }
        do {
            return try bytes.withUnsafeBufferPointer { buffer throws(CSVReader.Failure) in try CSVReader.records(bytes: buffer) }
                .map { (line: $0.line + firstLine - 1, fields: $0.fields) }
        } catch {
            throw ImportFile.Failure(description: "\(path):\(error.line + firstLine - 1): \(error.message)")
        }
    }
}

/// Whole rows of a `RecordFile`, as read, with where they start.
struct RawChunk: Sendable {
    var bytes: [UInt8]
    var firstLine: Int
    /// 0-based index of the chunk's first row in the file.
    var firstRow: Int
}

/// Parsed rows of one chunk, without a dictionary per row for CSV.
struct RecordChunk: Sendable {
    private enum Rows: Sendable {
        case table(columns: [String: Int], header: [String], rows: [[String]])
        case objects([ImportFile.Row])
    }

    private let rows: Rows
    /// 1-based line of each row in the file.
    let lines: [Int]
    let firstRow: Int

    var count: Int { lines.count }

    init(_ raw: RawChunk, of file: RecordFile.Shape) throws {
        firstRow = raw.firstRow
        switch file.format {
        case .csv:
            let records = try RecordFile.csvRecords(raw.bytes, path: file.path, firstLine: raw.firstLine)
            try CSVReader.checkFieldCounts(records, header: file.header, path: file.path)
            let columns = Dictionary(file.header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
            rows = .table(columns: columns, header: file.header, rows: records.map(\.fields))
            lines = records.map(\.line)
        case .ndjson:
            guard let text = String(validating: raw.bytes, as: UTF8.self) else {
                throw ImportFile.Failure(description: "\(file.path):\(raw.firstLine): not UTF-8 text; save the file as UTF-8")
            }
            let objects = try ImportFile.ndjson(text, file.path, requireSourceKey: false, firstLine: raw.firstLine)
            rows = .objects(objects)
            lines = objects.map(\.line)
        }
    }

    /// The members of the chunk's NDJSON objects (none for CSV, whose header names its columns).
    var objectMembers: Set<String> {
        guard case .objects(let objects) = rows else { return [] }
        return Set(objects.flatMap { $0.attributes.keys })
    }

    /// Row `index`'s label: its source key, or its 1-based row number in the file.
    func label(_ index: Int) -> String {
        switch rows {
        case .table(let columns, _, let rows):
            if let column = columns["source_key"], !rows[index][column].isEmpty { return rows[index][column] }
        case .objects(let objects):
            if let key = objects[index].sourceKey, !key.isEmpty { return key }
        }
        return String(firstRow + index + 1)
    }

    /// Whether row `index` names its source key (a source_key column or member, not empty).
    func hasSourceKey(_ index: Int) -> Bool {
        switch rows {
        case .table(let columns, _, let rows): columns["source_key"].map { !rows[index][$0].isEmpty } ?? false
        case .objects(let objects): !(objects[index].sourceKey ?? "").isEmpty
        }
    }

    /// Row `index`'s value of `attribute` as text; empty cells have none.
    func value(_ index: Int, _ attribute: String) -> String? {
        switch rows {
        case .table(let columns, _, let rows):
            guard let column = columns[attribute], !rows[index][column].isEmpty else { return nil }
            return rows[index][column]
        case .objects(let objects):
            return objects[index].attributes[attribute]?.matchText
        }
    }

    /// Row `index` as attributes (source_key left out), for validation.
    func attributes(_ index: Int) -> Attributes {
        switch rows {
        case .table(_, let header, let rows):
            var result = Attributes(minimumCapacity: header.count)
            for (column, name) in header.enumerated() where name != "source_key" && !rows[index][column].isEmpty {
                result[name] = .string(rows[index][column])
            }
            return result
        case .objects(let objects):
            return objects[index].attributes
        }
    }

    /// Row `index` prepared for matching with `rules`.
    func matchRecord(_ index: Int, rules: MatchRules) -> MatchRecord {
        MatchRecord(id: label(index), rules: rules) { value(index, $0) }
    }
}

extension RecordFile {
    /// What preparing a file gave: its records for matching, and the rows that failed validation.
    struct Prepared {
        var records: [MatchRecord] = []
        var invalid: [DedupeReport.Invalid] = []
        /// The file's columns (CSV header, or every NDJSON member seen), source_key left out.
        var columns: Set<String> = []
    }

    /// Reads `path` a chunk at a time and prepares every row for `rules` (validating it with
    /// `validator` when given), `parallelism` chunks at once; `progress` gets bytes read so far.
    /// With `validOnly`, rows that fail validation are listed as invalid but not matched.
    static func prepare(path: String, rules: MatchRules, validator: Validator?, validOnly: Bool = false, parallelism: Int,
                        progress: (Int, Int) -> Void = { _, _ in }) async throws -> Prepared {
        var file = try RecordFile(path: path)
        var prepared = Prepared()
        prepared.columns = Set(file.shape.header.filter { $0 != "source_key" && !$0.isEmpty })
        var done = 0
        let shape = file.shape
        // `parallelism` chunks in flight: as one is prepared the next is read and started, and
        // the results are taken in file order (no core waits for the slowest chunk of a round).
        try await withThrowingTaskGroup(of: (Int, Prepared, Int).self) { group in
            var started = 0, taken = 0
            var waiting = [Int: (Prepared, Int)]()
            func start() throws -> Bool {
                guard let raw = try file.next() else { return false }
                let order = started
                started += 1
                group.addTask { (order, try prepare(RecordChunk(raw, of: shape), rules: rules, validator: validator, validOnly: validOnly), raw.bytes.count) }
                return true
            }
            for _ in 0..<max(parallelism, 1) where try !start() { break }
            while let (order, part, bytes) = try await group.next() {
                waiting[order] = (part, bytes)
                while let (next, bytes) = waiting.removeValue(forKey: taken) {
                    prepared.records += next.records
                    prepared.invalid += next.invalid
                    prepared.columns.formUnion(next.columns)
                    taken += 1
                    done += bytes
                    progress(done, file.size)
                }
                _ = try start()
            }
        }
        return prepared
    }

    private static func prepare(_ chunk: RecordChunk, rules: MatchRules, validator: Validator?, validOnly: Bool) -> Prepared {
        var prepared = Prepared()
        prepared.records.reserveCapacity(chunk.count)
        prepared.columns = chunk.objectMembers
        for index in 0..<chunk.count {
            if let verdict = validator?.validateWithoutStore(chunk.attributes(index)), !verdict.isValid {
                prepared.invalid.append(DedupeReport.Invalid(record: chunk.label(index), line: chunk.lines[index], errors: verdict.errors))
                if validOnly { continue }
            }
            prepared.records.append(chunk.matchRecord(index, rules: rules))
        }
        return prepared
    }
}

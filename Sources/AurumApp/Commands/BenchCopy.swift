import ArgumentParser
import AurumCore
import AurumStore
import Foundation
import PostgresNIO

/// `aurum bench copy FILE`: the baseline of a load, PostgreSQL's COPY of a file's rows into a bare table.
struct BenchCopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "COPY a CSV file's rows into a bare table of text columns and print rows/s: the baseline `aurum load` is measured against.",
        discussion: """
            The file is read as `aurum load` reads it and each row sent with COPY, a batch per \
            transaction: no validation, matching, JSON, ids, keys or audit. The table (bench_copy) \
            is dropped and made again each run.

            Examples:
              aurum bench copy /tmp/items/records.csv --data-dir .aurum-bench/pg
            """)

    @Argument(help: "A CSV file with a header row.") var file: String
    @Option(help: "Rows per transaction.") var batch = 10_000
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = makeLogger("aurum.bench")
        let file = file, batch = batch
        // As the login user: the bare table is the benchmark's own, which the application role may not create.
        let (rows, seconds) = try await database.access.withLoginSettings(logger: logger) { settings in try await settings.withClient(logger: logger) { client in
            var reader = try RecordFile(path: file)
            let header = reader.shape.header
            guard !header.isEmpty, header.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
                throw ValidationError("\(file) needs a CSV header of plain column names")
            }
            try await client.query("DROP TABLE IF EXISTS bench_copy", logger: logger)
            try await client.query("CREATE TABLE bench_copy (\(unescaped: header.map { "\($0) text" }.joined(separator: ", ")))", logger: logger)
            let started = ContinuousClock.now
            var total = 0
            var pending = CopyRows()
            func flush() async throws {
                guard pending.count > 0 else { return }
                let rows = pending
                try await client.withTransaction(logger: logger) { connection in
                    try await rows.copy(into: "bench_copy", header, on: connection, logger: logger)
                }
                total += pending.count
                pending = CopyRows()
            }
            while let raw = try reader.next() {
                let chunk = try RecordChunk(raw, of: reader.shape)
                for index in 0..<chunk.count {
                    pending.add(header.map { chunk.value(index, $0) })
                    if pending.count >= batch { try await flush() }
                }
            }
            try await flush()
            return (total, Deduplication.seconds(ContinuousClock.now - started))
        } }
        print("copy \(rows) rows in \(String(format: "%.2f", seconds)) s: \(Int(Double(rows) / max(seconds, 1e-9))) rows/s")
    }
}

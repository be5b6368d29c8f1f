import AurumCore
import Foundation
import Logging
import PostgresNIO

/// What the audit chain costs writers: transactions that each append entries, run by concurrent
/// writers through the chain (the head's row lock, the hashes, COPY), against a baseline in the
/// same run of the same transactions writing the same rows to a table of the same shape without
/// the chain (no lock, no hashes).
public enum AuditBench {
    public struct Figures: Sendable {
        public var transactions: Int
        public var entries: Int
        public var seconds: Double
        public var transactionsPerSecond: Double { Double(transactions) / max(seconds, 1e-9) }
        public var entriesPerSecond: Double { Double(entries) / max(seconds, 1e-9) }
    }

    /// An entry as a release writes it: a record's attributes as after.
    static func entry(_ writer: Int, _ n: Int) -> AuditEntry {
        AuditEntry(actor: "bench-\(writer)", action: "bench.released", entity: "item", subject: "record:\(n)", recordID: Int64(n), version: 1,
                   after: ["code": .string("B-\(writer)-\(n)"), "name": .string("Bench part \(n)"), "uom": "Units", "weight": .number(0.021)],
                   rulesVersion: "bench", requestID: "bench-\(writer)")
    }

    /// `transactions` transactions of `entries` entries each, spread over `writers` concurrent
    /// writers, through the chain (`chained`) or into `bench_audit_plain`, a table made like
    /// `audit_entry` (columns, defaults, indexes) by whoever may create tables.
    public static func run(client: PostgresClient, writers: Int, transactions: Int, entries: Int, chained: Bool,
                           logger: Logger) async throws -> Figures {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for n in stride(from: writer, to: transactions, by: writers) {
                        let batch = (0..<entries).map { entry(writer, n * entries + $0) }
                        try await client.transaction(logger: logger) { connection in
                            if chained {
                                try await AuditLog.append(contentsOf: batch, on: connection, logger: logger)
                            } else {
                                var rows = CopyRows()
                                for (offset, e) in batch.enumerated() {
                                    rows.add([String(n * entries + offset + 1), e.actor, e.action, e.entity, e.subject, e.recordID.map(String.init),
                                              e.version.map(String.init), e.after.map(SQLJSON.text), e.rulesVersion, e.requestID,
                                              String(repeating: "0", count: 64), String(repeating: "0", count: 64)])
                                }
                                try await rows.copy(into: "bench_audit_plain", ["seq", "actor", "action", "entity", "subject", "record_id", "version",
                                                                                "after", "rules_version", "request_id", "prev_hash", "row_hash"],
                                                    on: connection, logger: logger)
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        return Figures(transactions: transactions, entries: transactions * entries,
                       seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

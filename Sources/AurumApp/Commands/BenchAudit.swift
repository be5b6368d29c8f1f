import ArgumentParser
import AurumCore
import AurumStore
import Foundation
import Logging

/// `aurum bench audit`: what the audit chain costs writers, against a baseline in the same run.
struct BenchAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Measure transactions appending audit entries through the hash chain against the same writes without it.",
        discussion: """
            Runs on a database of its own (the embedded cluster in --data-dir, default \
            .aurum-bench-audit/pg, or DATABASE_URL: its audit trail gets the benchmark's entries). \
            For each number of writers, the chained run appends through the chain's head lock, \
            hashing each entry; the baseline writes the same rows, in the same transactions, to a \
            table of the same shape without the chain. Prints transactions/s, entries/s and the ratio.

            Examples:
              aurum bench audit
              aurum bench audit --writers 1,8,32 --transactions 2000 --entries 3
            """)

    @Option(help: "Comma-separated numbers of concurrent writers.") var writers = "1,8,32"
    @Option(help: "Transactions per run.") var transactions = 2000
    @Option(help: "Audit entries per transaction (an approval writes 2 to 4).") var entries = 3
    @Option(name: .long, help: ArgumentHelp("Directory of the embedded PostgreSQL cluster (used when DATABASE_URL is unset).", valueName: "dir"))
    var dataDir: String = ".aurum-bench-audit/pg"

    func run() async throws {
        let logger = makeLogger("aurum.bench")
        let counts = writers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
        guard !counts.isEmpty, transactions > 0, entries > 0 else { throw ValidationError("give positive --writers, --transactions and --entries") }
        var database = try DatabaseOptions.parse([])
        database.dataDir = dataDir
        let (transactions, entries) = (self.transactions, self.entries)
        let migrator = try database.migrator()
        try await database.access.withSettings(logger: logger) { settings in
            try await migrator.migrate(settings: settings, logger: logger)
            /// The baseline's table, made afresh (as the owner: the application role creates no tables).
            @Sendable func freshPlainTable() async throws {
                try await settings.owner.withClient(logger: logger) { owner in
                    try await owner.query("DROP TABLE IF EXISTS bench_audit_plain", logger: logger)
                    try await owner.query("CREATE TABLE bench_audit_plain (LIKE audit_entry INCLUDING ALL)", logger: logger)
                    try await owner.query("GRANT SELECT, INSERT ON bench_audit_plain TO \(unescaped: migrator.applicationRole)", logger: logger)
                    try await owner.query("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \(unescaped: migrator.applicationRole)", logger: logger)
                }
            }
            try await settings.withClient(logger: logger) { client in
                print("audit chain: \(transactions) transactions of \(entries) entries each")
                print("WRITERS  CHAINED tx/s  entries/s  BASELINE tx/s  entries/s  RATIO")
                for count in counts {
                    let chained = try await AuditBench.run(client: client, writers: count, transactions: transactions, entries: entries,
                                                           chained: true, logger: logger)
                    try await freshPlainTable()
                    let plain = try await AuditBench.run(client: client, writers: count, transactions: transactions, entries: entries,
                                                         chained: false, logger: logger)
                    print(String(format: "%-8d %-13.0f %-10.0f %-14.0f %-10.0f %.2f", count, chained.transactionsPerSecond, chained.entriesPerSecond,
                                 plain.transactionsPerSecond, plain.entriesPerSecond, plain.transactionsPerSecond / max(chained.transactionsPerSecond, 1e-9)))
                }
                let verified = try await AuditTrail(client: client, logger: logger).verify()
                print("chain after the runs: \(verified.problem.map { "NOT intact: \($0)" } ?? "intact"), \(verified.checked) entries")
            }
        }
    }
}

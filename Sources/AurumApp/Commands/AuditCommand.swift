import ArgumentParser
import AurumCore
import AurumStore
import Foundation

/// `aurum audit`: prove the audit trail whole, keep its head outside the database, export it.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the audit trail's hash chain, print its head, export entries (works directly on the database).",
        discussion: """
            Every audit entry carries the hash of the entry before it and its own hash over all \
            its fields (the README's "Audit trail" section says how to compute it with any \
            language). verify walks the chain and names the first entry that was altered, \
            removed or written around Aurum. Keep the head that anchor prints somewhere the \
            database's administrators cannot write (a ticket, a signed mail, a WORM bucket): \
            verify --anchor then also proves that no entry was cut off the end since.

            Examples:
              aurum audit verify
              aurum audit anchor >> anchors.txt
              aurum audit verify --anchor "$(tail -1 anchors.txt)"
              aurum audit export --from 2026-01-01T00:00:00Z --to 2026-04-01T00:00:00Z --format csv > q1.csv
            """,
        subcommands: [Verify.self, Anchor.self, Export.self])

    /// `aurum audit verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the chain and name the first broken, missing or altered entry (exit 1 if there is one).",
            discussion: """
                Examples:
                  aurum audit verify
                  aurum audit verify --anchor 1042:5f2c…e9 --json
                """)
        @Option(help: ArgumentHelp("A head printed earlier by `aurum audit anchor` (seq:hash): prove the chain still reaches it.",
                                   valueName: "seq:hash"))
        var anchor: String?
        @Flag(help: "Print JSON for scripts.") var json = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let anchor, AuditAnchor(anchor) == nil {
                throw ValidationError("--anchor \(anchor) is not a head as `aurum audit anchor` prints it: <seq>:<64 lower-case hex digits>")
            }
        }

        func run() async throws {
            let anchor = anchor.flatMap(AuditAnchor.init)
            let logger = makeLogger("aurum.audit")
            let found = try await database.withMigratedDatabase(logger: logger) { client in
                try await AuditTrail(client: client, logger: logger).verify(anchor: anchor)
            }
            if json {
                var answer: [String: JSONValue] = ["intact": .bool(found.problem == nil), "checked": .number(Double(found.checked)),
                                                   "head": .string(found.head.description)]
                if let problem = found.problem {
                    answer["problem"] = ["kind": .string(problem.kind), "seq": problem.seq.map { .number(Double($0)) } ?? .null,
                                         "message": .string(problem.description)]
                }
                print(JSONOutput.string(JSONValue.object(answer)))
            } else if let problem = found.problem {
                printError("error: the audit trail is not intact: \(problem) (\(counted(Int(found.checked), "entry", "entries")) before it are)")
            } else {
                print("the audit trail is intact: \(counted(Int(found.checked), "entry", "entries")), head \(found.head)"
                      + (anchor.map { ", reaching the anchor \($0.seq)" } ?? ""))
            }
            if found.problem != nil { throw ExitCode.failure }
        }
    }

    /// `aurum audit anchor`.
    struct Anchor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the chain's head (seq:hash) to keep outside the database.",
            discussion: """
                Examples:
                  aurum audit anchor >> anchors.txt
                  aurum audit anchor --json
                """)
        @Flag(help: "Print JSON for scripts.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = makeLogger("aurum.audit")
            let head = try await database.withMigratedDatabase(logger: logger) { client in
                try await AuditTrail(client: client, logger: logger).anchor()
            }
            if json {
                print(JSONOutput.string(JSONValue.object(["anchor": .string(head.description), "seq": .number(Double(head.seq)),
                                                          "hash": .string(head.hash)])))
            } else {
                print(head.description)
            }
        }
    }

    /// `aurum audit export`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream the entries written in a period, in chain order, with their hashes.",
            discussion: """
                jsonl: one entry per line in its canonical form (RFC 8785) with row_hash, exactly \
                the bytes whose SHA-256 is the hash once row_hash is left out. csv: the same fields \
                as columns, before and after as canonical JSON text.

                Examples:
                  aurum audit export --from 2026-12-01T00:00:00Z --to 2026-12-06T00:00:00Z > audit.jsonl
                  aurum audit export --from 2026-12-01T00:00:00Z --to 2026-12-06T00:00:00Z --format csv
                """)
        @Option(help: ArgumentHelp("The first instant (ISO 8601 with a zone); default: the first entry.", valueName: "instant"))
        var from: String?
        @Option(help: ArgumentHelp("The instant to stop before (ISO 8601 with a zone); default: now.", valueName: "instant"))
        var to: String?
        @Option(help: "jsonl or csv.") var format: ExportFormat = .jsonl
        @OptionGroup var database: DatabaseOptions

        enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

        static let columns = ["seq", "at", "actor", "action", "entity", "subject", "record_id", "version", "before", "after", "reason",
                              "rules_version", "request_id", "prev_hash", "row_hash"]

        func validate() throws {
            for (option, text) in [("from", from), ("to", to)] {
                if let text, Instant.parse(text) == nil {
                    throw ValidationError("--\(option) \(text) is not an instant: write it in ISO 8601 with a zone, e.g. 2026-01-01T00:00:00Z")
                }
            }
        }

        func run() async throws {
            let (lower, upper) = (from.flatMap(Instant.parse), to.flatMap(Instant.parse))
            let logger = makeLogger("aurum.audit")
            let format = format
            try await database.withMigratedDatabase(logger: logger) { client in
                let output = LineOutput()
                if format == .csv { output.write(CSVWriter.line(Self.columns)) }
                try await AuditTrail(client: client, logger: logger).export(from: lower, to: upper) { entry in
                    output.write(format == .jsonl ? CanonicalJSON.rfc8785(entry.exported) : Self.csv(entry))
                    return true
                }
                output.flush()
            }
        }

        static func csv(_ entry: ChainedAuditEntry) -> String {
            guard case .object(let fields) = entry.exported else { return "" }
            return CSVWriter.line(columns.map { column in
                switch fields[column] {
                case .string(let text)?: text
                case .null?, nil: ""
                case let value?: CanonicalJSON.rfc8785(value)
                }
            })
        }
    }
}

/// Lines for standard output, written in large pieces (an export may hold millions).
final class LineOutput: @unchecked Sendable {
    private var buffer = ""

    func write(_ line: String) {
        buffer += line
        buffer += "\n"
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        print(buffer, terminator: "")
        buffer = ""
    }
}

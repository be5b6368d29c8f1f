import ArgumentParser
import AurumCore
import AurumStore
import Foundation
import Logging

/// `aurum`: the map of the product, one subcommand per job.
@available(macOS 10.15, *)
public struct Aurum: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "aurum",
        abstract: "Master data governance: candidates in, stewards approve, golden records out.",
        discussion: """
            Upstream systems submit candidates; rules in rules/ validate them; every change waits in a \
            queue until the approval gates of its rules (approve:) are satisfied, by stewards of the \
            groups they name or by an auto-approve gate, and becomes an immutable golden-record version.

            Environment: DATABASE_URL (an external PostgreSQL; without it a private cluster runs in \
            .aurum/pg), AURUM_URL and AURUM_TOKEN or AURUM_TOKEN_FILE (for the commands that talk to a server; a token is never taken from the command line, where ps shows it: --token-file names a file holding it), \
            AURUM_RULES (default rules), AURUM_LOG_LEVEL (default info for serve, warning otherwise), \
            AURUM_APP_ROLE (the database role Aurum acts as, default aurum_app), AURUM_AUDIT_KEY_FILE \
            (the secret of the audit trail's hashes of sensitive values), AURUM_ACTOR (who runs a command \
            on the database, default the operating-system user), AURUM_IDEMPOTENCY_KEEP (default 24h), \
            DATABASE_READ_URL and AURUM_DB_POOL_SIZE (read replicas and the pool's size for serve).

            \(ExitStatus.help)
            """,
        version: Aurum.version,
        groupedSubcommands: [
            CommandGroup(name: "Stewardship", subcommands: [
                Queue.self, Show.self, Diff.self, Edit.self, Approve.self, Reject.self, Withdraw.self, Comment.self, Link.self, Distinct.self,
                Merge.self, Unmerge.self, StateChangeCommand.Block.self, StateChangeCommand.Unblock.self, StateChangeCommand.Obsolete.self,
                Status.self,
            ]),
            CommandGroup(name: "Records", subcommands: [Ingest.self, Load.self, RecordCommand.self, RecordsCommand.self, History.self]),
            CommandGroup(name: "Publishing", subcommands: [Publish.self, Deliveries.self, Replay.self, ConsumersCommand.self, OdooCommand.self,
                                                            ReconcileCommand.self]),
            CommandGroup(name: "Rules and matching", subcommands: [RulesCommand.self, Dedupe.self, MatchCommand.self, BenchCommand.self]),
            CommandGroup(name: "Administration", subcommands: [Serve.self, Migrate.self, TokenCommand.self, AuditCommand.self]),
        ])

    public init() {}

    /// Runs the command line. Messages about usage read as Aurum's own do (`error: …` on
    /// standard error), and help goes to standard output.
    public static func main() async {
        if ProcessInfo.processInfo.environment["AURUM_LOG_FORMAT"] == "json" { LoggingSystem.bootstrap(JSONLogHandler.init) }
        do {
            var command = try await asyncParseAsRoot(nil)
            if var command = command as? any AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            let code = DatabaseErrorText.isUnreachable(error) ? ExitStatus.unreachable : exitCode(for: error)
            var message = DatabaseErrorText.describe(error).map { "error: " + $0 } ?? fullMessage(for: error)
            if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst("Error: ".count) }
            if code == .validationFailure, let first = message.split(separator: "\n").first, Settings.namesASetting(first) {
                // A setting of the environment: one line naming it; the command's usage would not help.
                message = String(first)
            } else if code == .validationFailure, let hint = subcommandHint(Array(CommandLine.arguments.dropFirst())) {
                // In place of argument-parser's "Unexpected argument" line; its usage lines stay.
                message = ([hint] + message.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init)).joined(separator: "\n")
            }
            if code == .success {
                if !message.isEmpty { print(message) }
            } else if !message.isEmpty {
                printError(message)
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// `error: unknown command "queu" (did you mean "queue"?)` when `arguments` name a command
    /// that does not exist where one was expected; nil otherwise.
    static func subcommandHint(_ arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = Aurum.self
        var path = ["aurum"]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !argument.hasPrefix("-") else { return nil }
            let names = subcommands.map { $0.configuration.commandName ?? $0._commandName }
            guard let index = names.firstIndex(of: argument) else {
                let suggestion = Suggestion.closest(to: argument, in: names)
                return "error: \"\(argument)\" is not a command of \(path.joined(separator: " "))"
                    + (suggestion.map { " (did you mean \"\(path.joined(separator: " ")) \($0)\"?)" } ?? "")
                    + "; they are " + names.joined(separator: ", ")
            }
            command = subcommands[index]
            path.append(argument)
        }
        return nil
    }

    /// Printed by `aurum --version`.
    public static let version = "0.12.0-dev"
}

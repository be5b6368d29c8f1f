import ArgumentParser
import AurumCore
import AurumStore
import Foundation

/// `aurum token`: bearer tokens for people and integrations.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens (works directly on the database).",
        subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once on stdout; only its hash is stored.",
            discussion: """
                Roles: source (submits candidates for the sources it names), steward (reviews and decides), \
                consumer (reads records), admin.
                A source token speaks only for the sources given with --source (from rules/aurum.yaml): \
                aurum token create --name plm-sync --role source --source plm --entities item
                """)

        @Option(help: "A unique name: the person or integration that will use it (it is the actor in the audit trail).")
        var name: String
        @Option(help: "source, steward, consumer or admin.")
        var role: Role
        @Option(help: ArgumentHelp("Comma-separated entities the token is limited to (default: all).", valueName: "item,supplier"))
        var entities: String?
        @Option(name: .customLong("source"), help: ArgumentHelp(
            "For a source token: a source it speaks for (repeat, or comma-separate, for several). Candidates naming another source are refused.",
            valueName: "plm"))
        var sources: [String] = []
        @Option(help: ArgumentHelp(
            "For a steward or admin token: comma-separated groups whose approval gates (approve: in the rules) the holder approves at.",
            valueName: "finance,procurement"))
        var groups: String?
        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = makeLogger("aurum.token")
            let scope = Self.list(entities ?? "")
            let spoken = sources.flatMap(Self.list)
            let known = try loadRules(rulesOptions.rules).sources
            for source in spoken where known[source] == nil {
                printError("error: unknown source \"\(source)\"; rules/aurum.yaml names \(known.keys.sorted().joined(separator: ", "))")
                throw ExitCode.failure
            }
            let migrator = try Migrator(directory: database.migrations)
            let token = try await database.access.withDatabase(logger: logger) { client in
                try await migrator.migrate(client, logger: logger)
                do {
                    return try await Tokens.create(name: name, role: role, entities: scope, sources: spoken, groups: Self.list(groups ?? ""),
                                                   actor: "cli:token-create",
                                                   client: client, logger: logger)
                } catch let error as StoreError {
                    printError("error: \(error.message)")
                    throw ExitCode.failure
                }
            }
            print(token)
        }

        /// The non-empty items of a comma-separated list.
        static func list(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}

extension Role: ExpressibleByArgument {}


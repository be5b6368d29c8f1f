import ArgumentParser
import AurumCore
import AurumRules
import AurumStore
import Foundation

/// `aurum token`: bearer tokens for people and integrations.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens (works directly on the database).",
        discussion: """
            Examples:
              aurum token create --name alice --role steward --groups finance
              aurum token list
              aurum token revoke alice
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once on stdout; only its hash is stored.",
            discussion: """
                Roles: source (submits candidates for the sources it names), steward (reviews and decides), \
                consumer (reads records), admin.
                A source token speaks only for the sources given with --source (from rules/aurum.yaml). \
                Groups live on tokens: the rules' gates name them (approve: … approvers: {group: finance}), and so \
                do sensitive attributes (sensitive: {clear_for: {groups: [finance]}}): bank details are in clear \
                for a token of the finance group (steward or consumer) and for admins, masked (****1234) for others.

                Examples:
                  aurum token create --name plm-sync --role source --source plm --entities item
                  aurum token create --name alice --role steward --groups engineering,finance --expires 90d
                  aurum token create --name erp-reader --role consumer --entities item,supplier
                  aurum token create --name payables --role consumer --entities supplier --groups finance
                """)

        @Option(help: "A unique name: the person or integration that will use it (it is the actor in the audit trail).")
        var name: String
        @Option(help: "source, steward, consumer or admin.")
        var role: Role
        @Option(help: ArgumentHelp("Comma-separated entities the token is limited to (default: all).", valueName: "item,supplier"), completion: Completions.entities)
        var entities: String?
        @Option(name: .customLong("source"), help: ArgumentHelp(
            "For a source token: a source it speaks for (repeat, or comma-separate, for several). Candidates naming another source are refused.",
            valueName: "plm"), completion: Completions.sources)
        var sources: [String] = []
        @Option(help: ArgumentHelp(
            "Comma-separated groups: for a steward or admin, the approval gates (approve: in the rules) the holder approves at; for a steward, admin or consumer, the sensitive attributes it reads in clear (sensitive: clear_for groups).",
            valueName: "finance,procurement"), completion: Completions.groups)
        var groups: String?
        @Option(help: ArgumentHelp("How long the token works: a number of days, hours or minutes (90d, 12h, 30m); default: until revoked.",
                                   valueName: "90d"))
        var expires: String?
        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = makeLogger("aurum.token")
            let scope = Self.list(entities ?? "")
            let spoken = sources.flatMap(Self.list)
            let rules = try loadRules(rulesOptions.rules)
            for source in spoken where rules.sources[source] == nil {
                printError("error: unknown source \"\(source)\"\(Suggestion.didYouMean(source, in: rules.sources.keys)); "
                           + "rules/aurum.yaml names \(rules.sources.keys.sorted().joined(separator: ", "))")
                throw ExitCode.validationFailure
            }
            for entity in scope where rules.entities[entity] == nil {
                printError("error: unknown entity \"\(entity)\"\(Suggestion.didYouMean(entity, in: rules.entities.keys)); "
                           + "the rules define \(rules.entities.keys.sorted().joined(separator: ", "))")
                throw ExitCode.validationFailure
            }
            let lifetime = expires.map(DurationText.seconds)
            if let expires, lifetime == .some(nil) {
                printError("error: --expires \(expires) is not a duration; give days, hours or minutes, e.g. 90d, 12h or 30m")
                throw ExitCode.validationFailure
            }
            let actor = try database.actorName
            let token = try await database.withMigratedDatabase(logger: logger) { client in
                do {
                    return try await Tokens.create(name: name, role: role, entities: scope, sources: spoken, groups: Self.list(groups ?? ""),
                                                   expiresIn: lifetime ?? nil, actor: actor,
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

extension TokenCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tokens: holder, role, scope, groups, and whether each still works (the tokens themselves are never stored).",
            discussion: """
                Examples:
                  aurum token list
                  aurum token list --json
                """)

        @Flag(help: "Print JSON instead of a table.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = makeLogger("aurum.token")
            let tokens = try await database.withMigratedDatabase(logger: logger) { client in
                try await Tokens.list(client: client, logger: logger)
            }
            if json { return print(JSONOutput.string(tokens)) }
            var table = Table("NAME", "ROLE", "ENTITIES", "SOURCES", "GROUPS", "CREATED", "EXPIRES", "STATE")
            for t in tokens {
                let state = t.revokedAt.map { "revoked \($0)" } ?? (t.active ? "active" : "expired")
                table.add(t.name, t.role, t.entities.isEmpty ? "all" : t.entities.joined(separator: ","), t.sources.joined(separator: ","),
                          t.groups.joined(separator: ","), t.createdAt, t.expiresAt ?? "never", state)
            }
            print(table.render())
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by its name: it fails from the next request on.",
            discussion: """
                Examples:
                  aurum token revoke alice
                """)

        @Argument(help: "The token's name (aurum token list shows them).") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = makeLogger("aurum.token")
            let actor = try database.actorName
            try await database.withMigratedDatabase(logger: logger) { client in
                do {
                    try await Tokens.revoke(name: name, actor: actor, client: client, logger: logger)
                } catch let error as StoreError {
                    printError("error: \(error.message)")
                    throw ExitCode.failure
                }
            }
            print("token \(name) revoked")
        }
    }
}

extension Role: ExpressibleByArgument {}


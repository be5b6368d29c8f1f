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
            discussion: "Roles: source (submits candidates), steward (reviews and decides), consumer (reads records), admin.")

        @Option(help: "A unique name: the person or integration that will use it (it is the actor in the audit trail).")
        var name: String
        @Option(help: "source, steward, consumer or admin.")
        var role: Role
        @Option(help: ArgumentHelp("Comma-separated entities the token is limited to (default: all).", valueName: "item,supplier"))
        var entities: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = makeLogger("aurum.token")
            let scope = (entities ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let migrator = try Migrator(directory: database.migrations)
            let token = try await database.access.withDatabase(logger: logger) { client in
                try await migrator.migrate(client, logger: logger)
                do {
                    return try await Tokens.create(name: name, role: role, entities: scope, actor: "cli:token-create", client: client, logger: logger)
                } catch let error as StoreError {
                    if case .conflict(let message) = error { printError("error: \(message)") }
                    throw ExitCode.failure
                }
            }
            print(token)
        }
    }
}

extension Role: ExpressibleByArgument {}


import ArgumentParser
import AurumCore
import Foundation

/// `aurum consumers`: who is told of releases, and switching one off and on.
struct ConsumersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumers",
        abstract: "List the consumers of released versions (Odoo, webhook endpoints); enable or disable one.",
        discussion: """
            Which consumers exist is declared by the rules (rules/consumers/odoo.yaml and \
            webhooks.yaml), the same for every process. A disabled consumer keeps its deliveries: \
            releases still write them, they wait, and they go out in order once it is enabled \
            again. An endpoint that answers 410 is disabled this way, with the answer as its reason.

            Examples:
              aurum consumers list
              aurum consumers disable webhook:erp --reason "ERP migration until Monday"
              aurum consumers enable webhook:erp
            """,
        subcommands: [List.self, Enable.self, Disable.self],
        defaultSubcommand: List.self)

    struct Answer: Codable { var consumers: [ConsumerView] }

    /// `aurum consumers list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every consumer, whether it is enabled, and what waits for it.",
            discussion: """
                Examples:
                  aurum consumers list
                  aurum consumers list --json
                """)
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            let answer = try await calling { try await api.send(.GET, "/v1/consumers").decode(Answer.self) }
            if client.json { return print(JSONOutput.string(answer)) }
            if answer.consumers.isEmpty { return print("no consumers: the rules declare none (rules/consumers/)") }
            if client.quiet { return print(answer.consumers.map(\.name).joined(separator: "\n")) }
            print(ConsumersCommand.table(answer.consumers))
        }
    }

    /// `aurum consumers enable NAME`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a consumer: its waiting deliveries go out (admins; audited).",
            discussion: """
                Examples:
                  aurum consumers enable odoo --reason "Odoo is back after the upgrade"
                  aurum consumers enable webhook:plm
                """)
        @Argument(help: "The consumer: odoo, or webhook:<name>.") var name: String
        @Option(help: "Why, for the audit trail.") var reason: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ConsumersCommand.set(name, "enable", reason: reason, client: client)
        }
    }

    /// `aurum consumers disable NAME --reason R`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a consumer: its deliveries wait until it is enabled (admins; audited).",
            discussion: """
                Examples:
                  aurum consumers disable odoo --reason "Odoo upgrade tonight"
                  aurum consumers disable webhook:plm --reason "the endpoint moves"
                """)
        @Argument(help: "The consumer: odoo, or webhook:<name>.") var name: String
        @Option(help: "Why, for the audit trail (required).") var reason: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ConsumersCommand.set(name, "disable", reason: reason, client: client)
        }
    }

    static func set(_ name: String, _ verb: String, reason: String?, client: ClientOptions) async throws {
        var body = [String: JSONValue]()
        if let reason { body["reason"] = .string(reason) }
        let path = "/v1/consumers/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? name)/\(verb)"
        guard let consumer = try await post(path, body, as: ConsumerView.self, client: client, json: { $0 }) else { return }
        client.say(consumer.enabled ? "\(consumer.name) is enabled; \(counted(consumer.waiting, "delivery waits", "deliveries wait")) for it"
                   : "\(consumer.name) is disabled; its deliveries wait (\(consumer.waiting) now)")
    }

    static func table(_ consumers: [ConsumerView]) -> String {
        var table = Table("CONSUMER", "KIND", "ENTITIES", "STATE", "TO DELIVER", "DEAD", "WHY")
        for c in consumers {
            table.add(c.name, c.kind.rawValue, c.entities.isEmpty ? "all" : c.entities.joined(separator: ","), c.enabled ? "enabled" : "disabled",
                      String(c.waiting), String(c.dead), c.disabledReason.map { "\($0) (\(c.disabledBy ?? "?"))" } ?? "")
        }
        return table.render()
    }
}

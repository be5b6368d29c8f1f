import ArgumentParser
import AurumCore
import AurumPublish
import AurumStore
import Foundation
import Logging
import PostgresNIO

/// The consumers this process publishes to: Odoo when ODOO_URL is set, and every endpoint of
/// rules/consumers/webhooks.yaml (its secret from the environment variable it names).
enum PublishingSetup {
    static func consumers(rules: RuleSet, rulesDirectory: String, odoo: OdooOptions, logger: Logger) throws -> [any DeliveryConsumer] {
        var consumers = [any DeliveryConsumer]()
        let environment = ProcessInfo.processInfo.environment
        if let url = odoo.url ?? environment["ODOO_URL"], !url.isEmpty {
            guard let mapping = rules.odoo else {
                throw ValidationError("ODOO_URL is set but \(rulesDirectory)/consumers/odoo.yaml is missing; add the mapping or unset ODOO_URL")
            }
            let publisher = OdooPublisher(client: OdooClient(settings: try odoo.settings(), logger: logger), mapping: mapping)
            consumers.append(OdooConsumer(publisher: publisher, entities: mapping.order))
        }
        for endpoint in rules.webhooks {
            guard let secret = environment[endpoint.secretVariable], !secret.isEmpty else {
                throw ValidationError("webhook endpoint \(endpoint.name) needs its secret: set \(endpoint.secretVariable) to its whsec_ secret "
                                      + "(\(rulesDirectory)/consumers/webhooks.yaml)")
            }
            do { consumers.append(try WebhookConsumer(endpoint: endpoint, secret: secret)) } catch {
                throw ValidationError("\(endpoint.secretVariable): \(error)")
            }
        }
        return consumers
    }

    static func dispatcher(client: PostgresClient, rules: RuleSet, consumers: [any DeliveryConsumer], logger: Logger) -> OutboxDispatcher {
        OutboxDispatcher(queue: PostgresDeliveryQueue(client: client, logger: logger), consumers: consumers,
                         references: rules.references, logger: logger)
    }
}

/// `aurum publish`: the outbox's worker on its own (as `aurum serve` runs it inside).
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish released versions from the outbox to Odoo and the webhook endpoints (aurum serve does this too).",
        discussion: """
            Consumers: Odoo when ODOO_URL (and ODOO_DATABASE, ODOO_API_KEY…) is set; each endpoint of \
            rules/consumers/webhooks.yaml. Several workers, in serve or here, share the outbox: each \
            delivery is claimed by one at a time under a lease, per record in version order. \
            --drain delivers what is due now and exits; without it the worker runs until SIGTERM.

            Examples:
              aurum publish
              ODOO_URL=http://127.0.0.1:8069 ODOO_DATABASE=demo ODOO_API_KEY=… aurum publish --drain
            """)

    @Flag(help: "Deliver what is due now, then exit.") var drain = false
    @OptionGroup var odoo: OdooOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var rulesOptions: RulesOptions

    func run() async throws {
        let logger = makeLogger("aurum.publish", defaultLevel: .info)
        let rules = try loadRules(rulesOptions.rules)
        let consumers = try PublishingSetup.consumers(rules: rules, rulesDirectory: rulesOptions.rules, odoo: odoo, logger: logger)
        guard !consumers.isEmpty else {
            throw ValidationError("no consumer to publish to: set ODOO_URL, or list endpoints in \(rulesOptions.rules)/consumers/webhooks.yaml")
        }
        let drain = drain
        try await database.withMigratedDatabase(logger: logger) { client in
            let dispatcher = PublishingSetup.dispatcher(client: client, rules: rules, consumers: consumers, logger: logger)
            if drain {
                let worked = try await dispatcher.drain()
                print("\(counted(worked, "delivery", "deliveries")) worked")
            } else {
                try await dispatcher.runUntilSignal(logger: logger)
            }
        }
    }
}

import ArgumentParser
import AurumCore
import AurumPublish
import AurumStore
import CoreMetrics
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The consumers this process publishes to, of those the rules declare: Odoo when ODOO_URL is
/// set, and each endpoint of rules/consumers/webhooks.yaml whose secret is in the environment.
/// A consumer this process lacks the settings for is left to the processes that have them; it
/// stays enabled, and its deliveries are written all the same.
enum PublishingSetup {
    static func consumers(rules: RuleSet, rulesDirectory: String, odoo: OdooOptions, logger: Logger) throws -> [any DeliveryConsumer] {
        var consumers = [any DeliveryConsumer]()
        let environment = ProcessInfo.processInfo.environment
        if let url = odoo.url ?? environment["ODOO_URL"], !url.isEmpty {
            guard let mapping = rules.odoo else {
                throw ValidationError("ODOO_URL is set but \(rulesDirectory)/consumers/odoo.yaml is missing; add the mapping or unset ODOO_URL")
            }
            // The outbox retries a delivery itself, with its back-off, and keeps each failure as the
            // delivery's last error (aurum deliveries, aurum status): one try per call here, so that
            // an Odoo that is down shows as such at once instead of as a delivery in flight.
            var settings = try odoo.settings()
            settings.retry.attempts = 1
            consumers.append(OdooConsumer(publisher: OdooPublisher(client: OdooClient(settings: settings, logger: logger), mapping: mapping)))
        } else if rules.odoo != nil {
            logger.info("this process does not deliver to Odoo (ODOO_URL is not set); a process that has it does, and releases wait for one")
        }
        for endpoint in rules.webhooks {
            guard let secret = try Settings.secret(endpoint.secretVariable, environment) else {
                logger.info("this process does not deliver to a webhook endpoint whose secret it lacks; a process that has it does",
                            metadata: ["aurum.consumer": "webhook:\(endpoint.name)", "aurum.secret_variable": "\(endpoint.secretVariable)"])
                continue
            }
            let masking = Masking(rules: rules, viewer: endpoint.entitlement)
            do { consumers.append(try WebhookConsumer(endpoint: endpoint, secret: secret, masking: masking)) } catch {
                throw ValidationError("\(endpoint.secretVariable): \(error)")
            }
        }
        return consumers
    }

    static func dispatcher(client: PostgresClient, rules: RuleSet, consumers: [any DeliveryConsumer], lease: Double = 60,
                           releases: ReleaseSignal, metrics: (any MetricsFactory)? = nil, logger: Logger) -> OutboxDispatcher {
        OutboxDispatcher(queue: PostgresDeliveryQueue(client: client, logger: logger), consumers: consumers, declared: rules.consumers,
                         lease: lease, releases: releases, references: rules.references, sensitive: SensitiveNames(rules: rules), metrics: metrics,
                         logger: logger)
    }
}

/// Relays the database's release notifications to `releases`, and tells `availability` whether
/// the database can be reached, until the service group shuts down.
struct ReleaseRelay: Service {
    let settings: DatabaseSettings
    let releases: ReleaseSignal
    var availability = DatabaseAvailability()
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await ReleaseNotifications.relay(settings: settings, to: releases, availability: availability, logger: logger)
        }
    }
}

/// `aurum publish`: the outbox's worker on its own (as `aurum serve` runs it inside).
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish released versions from the outbox to Odoo and the webhook endpoints (aurum serve does this too).",
        discussion: """
            It delivers to the consumers rules/consumers/ declares that this process has the settings \
            for: Odoo when ODOO_URL (and ODOO_DATABASE, ODOO_API_KEY…) is set; each endpoint of \
            webhooks.yaml whose secret variable is set. Several workers, in serve or here, share the \
            outbox: each delivery is claimed by one at a time under a lease (at least --lease, and \
            twice the consumer's own time limit), renewed while it is sent, per record in version \
            order. --drain delivers what is due now and exits; without it the worker runs until SIGTERM.

            Examples:
              aurum publish
              ODOO_URL=http://127.0.0.1:8069 ODOO_DATABASE=demo ODOO_API_KEY=… aurum publish --drain
            """)

    @Flag(help: "Deliver what is due now, then exit.") var drain = false
    @Option(help: "Seconds a worker holds the deliveries it claimed at least (renewed while it sends); a worker killed meanwhile has them claimed again after this.")
    var lease: Double = 60
    @OptionGroup var odoo: OdooOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var rulesOptions: RulesOptions

    func run() async throws {
        let logger = makeLogger("aurum.publish", defaultLevel: .info)
        let rules = try loadRules(rulesOptions.rules)
        let consumers = try PublishingSetup.consumers(rules: rules, rulesDirectory: rulesOptions.rules, odoo: odoo, logger: logger)
        guard !consumers.isEmpty else {
            throw ValidationError("no consumer to publish to: set ODOO_URL, or the secret variable of an endpoint in "
                                  + "\(rulesOptions.rules)/consumers/webhooks.yaml")
        }
        let drain = drain, lease = lease, migrator = try database.migrator()
        try await database.access.withSettings(logger: logger) { settings in
            try await migrator.migrate(settings: settings, logger: logger)
            try await settings.withClient(logger: logger) { client in
                let releases = ReleaseSignal()
                let dispatcher = PublishingSetup.dispatcher(client: client, rules: rules, consumers: consumers, lease: lease,
                                                            releases: releases, logger: logger)
                if drain {
                    let worked = try await dispatcher.drain()
                    print("\(counted(worked, "delivery", "deliveries")) worked")
                } else {
                    let group = ServiceGroup(configuration: .init(
                        services: [.init(service: ReleaseRelay(settings: settings, releases: releases, logger: logger)), .init(service: dispatcher)],
                        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                    try await group.run()
                }
            }
        }
    }
}

/// `aurum deliveries`: the outbox, for operators.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List deliveries to Odoo and the webhook endpoints, newest first, with their state and last error.",
        discussion: """
            States: pending (waiting its turn), leased (a worker has it), failed (waits for its next \
            attempt), delivered, skipped (a newer version went in its place), dead (given up; aurum \
            replay sends it again).

            Examples:
              aurum deliveries --state dead
              aurum deliveries --consumer odoo --record 12 --json
            """)

    @Option(help: "Only this consumer: odoo, or webhook:<name>.") var consumer: String?
    @Option(help: "pending, leased, failed, delivered, skipped or dead.", completion: .list(DeliveryState.allCases.map(\.rawValue)))
    var state: String?
    @Option(help: "Only deliveries of this golden record.") var record: Int64?
    @Option(help: "At most this many (1 to 1000).") var limit = 100
    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let state, DeliveryState(rawValue: state) == nil {
            throw ValidationError("--state \(state) is unknown; one of \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let record { try ClientRules.check(id: record) }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() async throws {
        var items = [URLQueryItem(name: "limit", value: String(limit))]
        for (name, value) in [("consumer", consumer), ("state", state), ("record_id", record.map(String.init))] {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        var components = URLComponents()
        components.queryItems = items
        let api = try client.client()
        let deliveries = try await calling {
            try await api.send(.GET, "/v1/deliveries?\(components.percentEncodedQuery ?? "")").decode([DeliveryView].self)
        }
        if client.json { return print(JSONOutput.string(deliveries)) }
        if deliveries.isEmpty { return print("no deliveries") }
        print(DeliveryText.table(deliveries))
    }
}

enum DeliveryText {
    static func table(_ deliveries: [DeliveryView]) -> String {
        var table = Table("ID", "CONSUMER", "EVENT", "STATE", "ATTEMPTS", "NEXT", "DETAIL")
        for d in deliveries {
            table.add(String(d.id), d.consumer, d.eventID, d.state.rawValue, String(d.attempts), d.nextAttemptAt.map { String($0.prefix(19)) } ?? "",
                      d.lastError.map { d.state == .delivered || d.state == .skipped ? (d.note ?? "") : $0 } ?? (d.note ?? ""))
        }
        return table.render()
    }
}

/// `aurum replay`: send deliveries again, with their event ids.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a delivery again (a dead one once its data is fixed), or a consumer's deliveries since an instant.",
        discussion: """
            The event keeps its id (the webhook-id a receiver deduplicates by); the replay is audited.

            Examples:
              aurum replay 812
              aurum replay --consumer webhook:erp --since 2026-12-01T00:00:00Z
            """)

    @Argument(help: "The delivery id (see aurum deliveries).") var id: Int64?
    @Option(help: "Every delivery of this consumer …") var consumer: String?
    @Option(help: "… of versions released at or after this instant (ISO 8601 with its zone).") var since: String?
    @OptionGroup var client: ClientOptions

    func validate() throws {
        switch (id, consumer, since) {
        case (let id?, nil, nil): try ClientRules.check(id: id, "delivery id")
        case (nil, .some, .some): break
        case (nil, .some, nil): throw ValidationError("--consumer needs --since: the instant from which to send again")
        default: throw ValidationError("give a delivery id, or --consumer C --since T")
        }
    }

    func run() async throws {
        var body = [String: JSONValue]()
        if let id { body["delivery_id"] = .number(Double(id)) }
        if let consumer { body["consumer"] = .string(consumer) }
        if let since { body["since"] = .string(since) }
        struct Answer: Codable { var count: Int; var replayed: [DeliveryView] }
        guard let answer = try await post("/v1/deliveries/replay", body, as: Answer.self, client: client, json: { $0 }) else { return }
        client.say("\(counted(answer.count, "delivery", "deliveries")) queued again"
                   + (answer.count > answer.replayed.count ? " (the first \(answer.replayed.count) listed)" : ""))
        if !answer.replayed.isEmpty { client.say(DeliveryText.table(answer.replayed)) }
    }
}

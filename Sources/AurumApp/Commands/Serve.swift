import ArgumentParser
import AurumCore
import AurumRules
import AurumServer
import AurumStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle

/// `aurum serve`: the HTTP API, on the embedded PostgreSQL unless DATABASE_URL names one.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP API (migrates the database first).",
        discussion: """
            Without DATABASE_URL it starts a private PostgreSQL in --data-dir and stops it on exit \
            (SIGTERM or Ctrl-C); other processes using that PostgreSQL lose it then, so several \
            processes should share a PostgreSQL given by DATABASE_URL. A port another process \
            listens on is said before anything starts (exit 69); a port left by a crashed server is \
            reused at once.

            The consumers of released versions are those rules/consumers/ declares (Odoo, webhook \
            endpoints), the same for every process: each release writes a delivery for each. This \
            process also delivers: to Odoo when ODOO_URL is set (as aurum odoo sync reads it), to \
            each endpoint whose secret variable is set. Without them it delivers nothing and \
            disables nothing; a process that has them does. See aurum consumers.

            The database: migrations run as the user DATABASE_URL names (the owner of the tables); \
            the server then acts as the application role (AURUM_APP_ROLE, default aurum_app), which \
            may not rewrite the audit trail or the versions. A POST with an Idempotency-Key keeps \
            its answer for AURUM_IDEMPOTENCY_KEEP (default 24h).

            Several servers may share one database, started together or one by one. Each opens at \
            most AURUM_DB_POOL_SIZE connections (default 20) to each database. DATABASE_READ_URL \
            (one or more, comma separated) names read replicas: the change feed, record reads and \
            search, history, the queue and the status board are read from them in turn, the \
            primary answering for one that errs or stops answering (docs/scale.md). At start and \
            every ten minutes one of them marks the blocking keys grown common (a word past four \
            times its max_block_size), whose members are then no longer stored.

            Examples:
              aurum serve
              aurum serve --port 9090 --rules /etc/aurum/rules
              DATABASE_URL=postgres://aurum@db:5432/aurum?sslmode=verify-full aurum serve --host 0.0.0.0
              DATABASE_READ_URL=postgres://aurum@replica:5432/aurum AURUM_DB_POOL_SIZE=10 aurum serve
            """)

    @Option(help: "Address to listen on (default: $AURUM_HOST, else 127.0.0.1).") var host = ProcessInfo.processInfo.environment["AURUM_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
    @Option(name: .customLong("port"), help: "Port to listen on, 0 picks a free one (default: $AURUM_PORT, else 8080).") var portOption: Int?
    @Flag(name: .customLong("print-config"), help: "Print the settings this server would run with (secrets redacted) and exit.") var printConfig = false
    @OptionGroup var rulesOptions: RulesOptions
    var rules: String { rulesOptions.rules }
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var odoo: OdooOptions

    func validate() throws {
        if let portOption, !(0...65_535).contains(portOption) { throw ValidationError("--port \(portOption) is not a port; give 0 to 65535") }
        _ = try Settings.port()
        _ = try Settings.logLevel(default: .info)
        _ = try Settings.logFormat()
        _ = try Settings.shutdownGrace()
        _ = try Self.limits()
    }

    /// The port: `--port`, else `AURUM_PORT`, else 8080.
    var port: Int { portOption ?? ((try? Settings.port()) ?? nil) ?? 8080 }

    func run() async throws {
        if printConfig { return try printSettings() }
        let logger = makeLogger("aurum", defaultLevel: .info)
        let ruleSet = try loadRules(rules)
        // Odoo (with ODOO_URL) and the webhook endpoints the outbox publishes to; none: the
        // outbox registers no consumer, and releases write no deliveries.
        let consumers = try PublishingSetup.consumers(rules: ruleSet, rulesDirectory: rules, odoo: odoo, logger: logger)
        try await Self.requireFree(host: host, port: port)
        let migrator = try database.migrator()
        let access = database.access, actor = try database.actorName
        let auditKey = try database.auditKey(for: ruleSet)
        let poolSize = try Settings.poolSize(), readURLs = try Settings.readURLs()
        var settings: DatabaseSettings
        var embedded: EmbeddedPostgres?
        if let url = access.url {
            settings = try DatabaseSettings(url: url)
        } else {
            let cluster = EmbeddedPostgres(dataDirectory: access.dataDirectory)
            let server = try cluster.start(logger: logger)
            embedded = cluster
            try await DatabaseAccess.ensureDatabase(server, logger: logger)
            settings = server.with(database: EmbeddedPostgres.database)
        }
        defer { embedded?.stop(logger: logger) }
        // Migrations as the owner; every request and worker acts as the application role.
        try await migrator.migrate(settings: settings, logger: logger)
        settings = settings.acting(as: migrator.applicationRole)
        settings.poolSize = poolSize
        try await settings.withClient(logger: logger) { client in
            // Before the first request: every release from here on writes a delivery per declared consumer.
            try await PostgresDeliveryQueue(client: client, logger: logger).declare(ruleSet.consumers)
            let prepared = PostgresStewardshipStore(client: client, rules: ruleSet, auditKey: auditKey, logger: logger)
            try await prepared.requireAuditKey(auditKey)
            try await prepared.activateRules(by: actor, requestID: "serve")
            let shared = try await prepared.prepare()
            for clash in shared {
                logger.warning("a unique attribute's value is held by two golden records; merge or correct them", metadata: ["aurum.clash": "\(clash)"])
            }
        }
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        let store = PostgresStewardshipStore(client: client, rules: ruleSet, auditKey: auditKey, logger: logger)
        // Read replicas (DATABASE_READ_URL): the API's reads go to them in turn, as the same role.
        let replicaClients = try readURLs.map { url in
            var replica = try DatabaseSettings(url: url).acting(as: migrator.applicationRole)
            replica.poolSize = poolSize
            return PostgresClient(configuration: replica.clientConfiguration, backgroundLogger: logger)
        }
        let replicaStores = zip(replicaClients, readURLs).map { client, url in
            (store: PostgresStewardshipStore(client: client, rules: ruleSet, auditKey: auditKey, logger: logger) as any StewardshipStore,
             name: Settings.redacted(url: url))
        }
        let readers = Readers(primary: store, replicas: replicaStores, logger: logger)
        let releases = ReleaseSignal(), availability = DatabaseAvailability()
        let metrics = AurumMetrics(poolSize: poolSize)
        let dispatcher = PublishingSetup.dispatcher(client: client, rules: ruleSet, consumers: consumers, releases: releases, metrics: metrics.factory,
                                                    logger: logger)
        let descriptionPath = ProcessInfo.processInfo.environment["AURUM_OPENAPI"].flatMap { $0.isEmpty ? nil : $0 } ?? "docs/openapi.yaml"
        let description = try APIDescriptionFile.load(path: descriptionPath).map { APIDescription(yaml: $0.yaml, json: $0.json) }
        if description == nil { logger.info("no API description at \(descriptionPath); /openapi.yaml answers 404 (set AURUM_OPENAPI)") }
        let app = AurumHTTPServer.application(store: store, rules: ruleSet, host: host, port: port, limits: try Self.limits(), releases: releases,
                                                availability: availability, metrics: metrics, description: description, readers: readers,
                                                logger: logger) { port in
            logger.info("aurum is listening", metadata: ["aurum.url": "http://\(host):\(port)", "aurum.rules_version": "\(ruleSet.version)"])
        }
        // The database clients first, so that they stop last (a group stops its services in reverse).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: client)] + replicaClients.map { .init(service: $0) } + [
            .init(service: ReleaseRelay(settings: settings, releases: releases, availability: availability, logger: logger)),
            .init(service: app), .init(service: dispatcher)]
        if readers.hasReplicas { services.append(.init(service: ReplicaWatch(readers: readers))) }
        services.append(.init(service: CommonKeyPruning(store: store, logger: logger)))
        if let watcher = try OdooWatching.watcher(rules: ruleSet, odoo: odoo, store: store, auditKey: auditKey, logger: logger) {
            services.append(.init(service: watcher))
        }
        // Last in the group, so first to hear a shutdown: readiness turns 503 before anything stops.
        services.append(.init(service: ReadinessGate(availability: availability, grace: .milliseconds(try Settings.shutdownGrace()), logger: logger)))
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        if embedded != nil { await Self.warnOthers(settings, logger: logger) }
    }
}

extension Serve {
    /// `--print-config`: the settings this server would run with, secrets never shown.
    func printSettings() throws {
        let environment = ProcessInfo.processInfo.environment
        let ruleSet = try loadRules(rules)
        var lines = [(String, String)]()
        lines.append(("listen", "\(host):\(port)"))
        if let url = database.access.url {
            lines.append(("database", Settings.redacted(url: url) + (database.databaseURL != nil ? " (--database-url)" : " (\(Settings.origin(of: "DATABASE_URL")))")))
        } else {
            lines.append(("database", "embedded cluster in \(database.dataDir)"))
        }
        let replicas = try Settings.readURLs()
        lines.append(("read replicas", replicas.isEmpty ? "none (DATABASE_READ_URL): reads go to the primary"
                      : replicas.map(Settings.redacted(url:)).joined(separator: ", ") + " (\(Settings.origin(of: "DATABASE_READ_URL")))"))
        lines.append(("pool size", "\(try Settings.poolSize()) connections per database (AURUM_DB_POOL_SIZE)"))
        lines.append(("application role", try ApplicationRole.configured()))
        lines.append(("migrations", database.migrations))
        lines.append(("rules", "\(rules) (version \(ruleSet.version); \(ruleSet.entities.keys.sorted().joined(separator: ", ")))"))
        lines.append(("log level", try Settings.logLevel(default: .info).rawValue + ", format " + (try Settings.logFormat())))
        lines.append(("idempotency keep", "\(try Self.limits().idempotencyKeptSeconds) s"))
        lines.append(("shutdown grace", "\(try Settings.shutdownGrace()) ms (AURUM_SHUTDOWN_GRACE)"))
        let auditKey = Settings.origin(of: "AURUM_AUDIT_KEY")
        lines.append(("audit key", auditKey != "not set" || database.access.url != nil ? auditKey : "audit.key beside the embedded cluster"))
        if let url = odoo.url ?? environment["ODOO_URL"], !url.isEmpty {
            let settings = try odoo.settings()
            lines.append(("odoo", "\(url) database \(settings.database) login \(settings.login) protocol \(settings.protocolChoice.rawValue), "
                          + "timeout \(settings.timeout.nanoseconds / 1_000_000_000) s, key \(Settings.origin(of: "ODOO_API_KEY"))"))
            lines.append(("odoo import", ruleSet.odoo?.importEvery.map { "every \($0) s" } ?? "off (import_every not set)"))
        } else {
            lines.append(("odoo", "not set (ODOO_URL): this process does not deliver to Odoo"))
        }
        for endpoint in ruleSet.webhooks {
            lines.append(("webhook \(endpoint.name)", "\(endpoint.url), secret \(Settings.origin(of: endpoint.secretVariable))"))
        }
        let width = lines.map(\.0.count).max() ?? 0
        print("aurum serve would run with (secrets redacted):")
        for (name, value) in lines { print("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
    }

    /// The API's limits, with what the environment sets.
    static func limits(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerLimits {
        var limits = ServerLimits()
        if let text = environment["AURUM_IDEMPOTENCY_KEEP"], !text.isEmpty {
            guard let seconds = DurationText.seconds(text) else {
                throw ValidationError("AURUM_IDEMPOTENCY_KEEP=\(text) is not a duration: \(DurationText.allowed)")
            }
            limits.idempotencyKeptSeconds = seconds
        }
        return limits
    }

    /// Said when this server stops the embedded PostgreSQL it started: what that does to other
    /// processes still using it.
    static func warnOthers(_ settings: DatabaseSettings, logger: Logger) async {
        let others = try? await settings.withClient(logger: logger) { client in
            let rows = try await client.query("""
                SELECT count(*)::int8 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                """, logger: logger)
            return try await rows.decode(Int64.self).first(where: { _ in true }) ?? 0
        }
        let message: Logger.Message = (others ?? 0) > 0
            ? "stopping the embedded PostgreSQL this server started; other processes still connected to it (aurum publish, a second aurum serve) lose their database until it runs again: give them all DATABASE_URL of a PostgreSQL that outlives each of them"
            : "stopping the embedded PostgreSQL this server started"
        logger.notice(message, metadata: ["aurum.pg.other_connections": "\(others ?? 0)"])
    }

    /// Fails at once, before any database work, when the address cannot be listened on: another
    /// process holds the port, or the host is not an address of this machine.
    static func requireFree(host: String, port: Int) async throws {
        guard port != 0 else { return }
        do {
            // As the server binds: with SO_REUSEADDR, so that a port left in TIME_WAIT by a server that
            // was killed is free, and only one that something listens on is refused.
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            printError("error: \(host):\(port) is in use by another process (an aurum serve running already?); "
                       + "stop it, or choose another port with --port or AURUM_PORT")
            throw ExitStatus.unreachable
        } catch {
            printError("error: cannot listen on \(host):\(port): \(error); give an address of this machine with --host or AURUM_HOST")
            throw ExitStatus.unreachable
        }
    }
}

/// Loads the rules, printing every `file:line` problem and failing when there is one.
func loadRules(_ directory: String) throws -> RuleSet {
    do {
        return try RulesLoader.load(directory: directory)
    } catch {
        printError(error.description)
        throw ExitCode.failure
    }
}


/// Probes the read replicas each second, setting aside one that does not answer (see `Readers`).
struct ReplicaWatch: Service {
    let readers: Readers

    func run() async throws {
        await cancelWhenGracefulShutdown { await readers.watch() }
    }
}

/// Marks the blocking keys ingest made common, at start and every ten minutes (see
/// `PostgresStewardshipStore.pruneCommonKeys`). A failure (the database away) is logged and
/// tried again next time.
struct CommonKeyPruning: Service {
    let store: PostgresStewardshipStore
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    for (entity, count) in try await store.pruneCommonKeys() where count > 0 {
                        logger.info("blocking keys marked common; their members are no longer stored",
                                    metadata: ["aurum.entity": "\(entity)", "aurum.keys": "\(count)"])
                    }
                } catch {
                    logger.warning("marking common blocking keys failed; trying again later", metadata: ["aurum.error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: PostgresStewardshipStore.commonKeyPruning)
            }
        }
    }
}

/// The first service a shutdown reaches (the last of the group): on SIGTERM readiness answers
/// 503 at once, and the server goes on serving for `grace` so that a load balancer stops sending
/// new requests; then the HTTP server stops (requests in flight finish) and the publishing workers
/// finish the deliveries in hand.
struct ReadinessGate: Service {
    let availability: DatabaseAvailability
    let grace: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        availability.stopping()
        logger.info("shutting down: readiness answers 503; serving on meanwhile", metadata: ["aurum.grace": "\(grace)"])
        try? await Task.sleep(for: grace)
    }
}

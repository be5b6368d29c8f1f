import ArgumentParser
import Foundation
import Hummingbird
import Logging
import OdooDouble
import ServiceLifecycle

/// `odoo-double`: a stand-in for an Odoo server, over Odoo's real protocols, for tests and demos.
@main
struct OdooDoubleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "odoo-double",
        abstract: "Serve Odoo's external API (XML-RPC, JSON-RPC and, for 19, JSON-2) from memory, as a fresh Odoo database would.",
        discussion: """
            Models: product.template, product.product, product.category, uom.uom, res.partner, res.partner.bank, \
            product.supplierinfo, stock.warehouse, res.country(.state), res.currency, res.users, ir.model.data. \
            Faults on command: POST /__double__/faults {"kind": "rate_limited", "times": 2, "retryAfter": 1}. \
            Records: GET /__double__/records/<model>.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one and prints it).") var port = 8069
    @Option(name: .customLong("odoo-version"), help: "16, 17, 18 or 19.") var odooVersion = 19
    @Option(help: "The database name clients must use.") var database = "odoo"
    @Option(help: "The administrator's login.") var login = "admin"
    @Option(name: .customLong("api-key"), help: "The administrator's API key (also accepted as password).") var apiKey: String
    @Option(help: ArgumentHelp("Keep the database in this JSON file: loaded at start, written after every change.", valueName: "file")) var state: String?
    @Option(help: ArgumentHelp("Fill a fresh database with a company's master data, as years of work in Odoo leave it: products (some typed in twice), partners, warehouses; e.g. products=2000,duplicates=40,partners=500,warehouses=3,seed=7.",
                               valueName: "counts")) var populate: String?

    func validate() throws {
        guard OdooVersion(rawValue: odooVersion) != nil else { throw ValidationError("--odoo-version must be 16, 17, 18 or 19") }
        guard !apiKey.isEmpty else { throw ValidationError("--api-key must not be empty") }
        if let populate {
            do { _ = try Population(populate) } catch { throw ValidationError("--populate \(populate): \(error)") }
        }
    }

    func run() async throws {
        var logger = Logger(label: "odoo-double")
        logger.logLevel = .warning
        let server = OdooDoubleServer(.init(version: OdooVersion(rawValue: odooVersion)!, database: database, login: login, apiKey: apiKey))
        if let state {
            do { try server.database.keepState(in: state) } catch {
                throw ValidationError("cannot use --state \(state): \(error)")
            }
        }
        if let populate, server.database.records("product.template").isEmpty {
            let made = try server.database.populate(try Population(populate))
            print("populated: \(made.products.count) products (\(made.duplicates.count) typed in twice), \(made.suppliers.count) suppliers, "
                  + "\(made.customers.count) customers, \(made.warehouses.count) warehouses")
        }
        let version = odooVersion, database = database, host = host
        let app = server.application(host: host, port: port, logger: logger) { port in
            print("odoo-double \(version) serving database \(database) on http://\(host):\(port)")
            fflush(nil)  // scripts read the port from a file or pipe, where stdout is buffered
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

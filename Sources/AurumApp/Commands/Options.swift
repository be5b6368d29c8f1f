import ArgumentParser
import AurumCore
import AurumStore
import Foundation
import Logging
import PostgresNIO

/// Where the database is, shared by the commands that open it.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of the embedded PostgreSQL cluster (used when DATABASE_URL is unset).", valueName: "dir"))
    var dataDir: String = ".aurum/pg"

    @Option(name: .long, help: ArgumentHelp("Directory of numbered SQL migrations.", valueName: "dir"))
    var migrations: String = ProcessInfo.processInfo.environment["AURUM_MIGRATIONS"] ?? "db/migrations"

    @Option(name: .customLong("database-url"), help: ArgumentHelp("PostgreSQL URL (default: $DATABASE_URL; else the embedded cluster).", valueName: "url"))
    var databaseURL: String?

    @Option(help: ArgumentHelp("Who runs this command, as the audit trail names them (default: $AURUM_ACTOR, else the operating-system user).",
                               valueName: "name"))
    var actor: String?

    /// The person (or integration) this command acts for: never a shared name like "cli".
    var actorName: String {
        get throws {
            let environment = ProcessInfo.processInfo.environment
            let name = actor ?? environment["AURUM_ACTOR"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.operatingSystemUser
            guard (1...200).contains(name.count), !name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
                throw ValidationError("--actor must be a name of 1 to 200 characters on one line")
            }
            return name
        }
    }

    /// The login name of the user running the process.
    static var operatingSystemUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
    }

    func validate() throws {
        _ = try Settings.secret("DATABASE_URL")
    }

    /// The database: `--database-url`, else `DATABASE_URL` (or the file `DATABASE_URL_FILE` names,
    /// checked by `validate`), else the embedded cluster in `--data-dir`.
    var access: DatabaseAccess {
        DatabaseAccess(url: databaseURL.flatMap { $0.isEmpty ? nil : $0 } ?? ((try? Settings.secret("DATABASE_URL")) ?? nil), dataDirectory: dataDir)
    }

    /// Runs `body` on the database once its pending migrations are applied: what every command
    /// that works on the database directly (token, load, migrate) does first.
    /// The migrations run as the owner; `body`'s client acts as the application role.
    func withMigratedDatabase<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let migrator = try self.migrator()
        return try await access.withSettings(logger: logger) { settings in
            try await migrator.migrate(settings: settings, logger: logger)
            return try await settings.withClient(logger: logger, body)
        }
    }

    /// The key that seals sensitive values in the audit trail: `AURUM_AUDIT_KEY_FILE` (or
    /// `AURUM_AUDIT_KEY`); with the embedded cluster, `audit.key` beside it, made on first use.
    /// Work on entities without sensitive attributes (`entities`, default all) needs none.
    func auditKey(for rules: RuleSet, entities: [String]? = nil,
                  _ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AuditKey? {
        if let text = try Settings.secret("AURUM_AUDIT_KEY", environment) {
            let fromFile = !(environment["AURUM_AUDIT_KEY_FILE"] ?? "").isEmpty
            return try Self.auditKey(text, from: fromFile ? "AURUM_AUDIT_KEY_FILE" : "AURUM_AUDIT_KEY")
        }
        guard access.url == nil else {
            let sensitive = SensitiveNames(rules: rules).byEntity.keys
            guard sensitive.allSatisfy({ entity in entities.map { !$0.contains(entity) } ?? false }) else {
                throw ValidationError("AURUM_AUDIT_KEY_FILE is not set: the rules mark attributes sensitive, and the audit trail keeps them "
                                      + "as hashes keyed with a secret every Aurum process of the database shares. Make one with "
                                      + "`openssl rand -hex 32 > audit.key` and set AURUM_AUDIT_KEY_FILE to its path")
            }
            return nil
        }
        let path = URL(fileURLWithPath: dataDir).deletingLastPathComponent().appendingPathComponent("audit.key").path
        if let text = try? String(contentsOfFile: path, encoding: .utf8) { return try Self.auditKey(text, from: path) }
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data((SHA256Hex.hex(bytes) + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write the audit key to \(path)")
        }
        return AuditKey(bytes: bytes)
    }

    /// A key as written: 64 hex digits (32 bytes), or any text of at least 32 characters.
    static func auditKey(_ text: String, from origin: String) throws -> AuditKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, trimmed.allSatisfy(\.isHexDigit) {
            var bytes = [UInt8]()
            var index = trimmed.startIndex
            while index < trimmed.endIndex {
                let next = trimmed.index(index, offsetBy: 2)
                bytes.append(UInt8(trimmed[index..<next], radix: 16)!)
                index = next
            }
            return AuditKey(bytes: bytes)
        }
        guard trimmed.utf8.count >= 32 else {
            throw ValidationError("\(origin): the audit key is too short; give 64 hex digits (openssl rand -hex 32)")
        }
        return AuditKey(bytes: Array(trimmed.utf8))
    }

    /// The migrations in `--migrations`, granting the configured application role its privileges.
    func migrator() throws -> Migrator {
        try Migrator(directory: migrations, applicationRole: ApplicationRole.configured())
    }
}

/// Where the rules are, shared by the commands that read them.
struct RulesOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The rules directory (default: $AURUM_RULES or rules).", valueName: "dir"))
    var rules = ProcessInfo.processInfo.environment["AURUM_RULES"] ?? "rules"
}

/// Where the server is and who is calling, for the steward commands.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Aurum server URL (default: $AURUM_URL or http://127.0.0.1:8080).", valueName: "url"))
    var url: String?

    @Option(name: .customLong("token-file"),
            help: ArgumentHelp("A file holding the bearer token (default: $AURUM_TOKEN_FILE, else the token in $AURUM_TOKEN).", valueName: "file"))
    var tokenFile: String?

    /// Refused: a token on the command line shows to anyone who runs `ps`.
    @Option(name: .long, help: .hidden) var token: String?

    @Flag(name: .long, help: "Print JSON for scripts instead of a table.")
    var json = false

    @Flag(name: [.customShort("q"), .long], help: "Print only what a script needs: the ids, or a summary line; errors still go to standard error.")
    var quiet = false

    /// Prints `text` for a person, unless `--quiet` or `--json` asked for less or for data.
    func say(_ text: @autoclosure () -> String) {
        if !quiet && !json { print(text()) }
    }

    func validate() throws {
        if token != nil {
            throw ValidationError("--token would show the token to anyone who runs ps; set AURUM_TOKEN, or give a file holding it "
                                  + "with --token-file (or AURUM_TOKEN_FILE)")
        }
    }

    /// The bearer token: from `--token-file`, `AURUM_TOKEN_FILE` or `AURUM_TOKEN`.
    func bearerToken() throws -> String {
        if let path = tokenFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("--token-file \(path) cannot be read") }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ValidationError("--token-file \(path) is empty; it should hold the token") }
            return token
        }
        guard let token = try Settings.secret("AURUM_TOKEN") else {
            throw ValidationError("no token: set AURUM_TOKEN, or AURUM_TOKEN_FILE (or --token-file) to a file holding it "
                                  + "(an admin creates one with `aurum token create`)")
        }
        return token
    }

    func client() throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        let token = try bearerToken()
        let named = url.map { ("--url", $0) } ?? environment["AURUM_URL"].map { ("AURUM_URL", $0) } ?? ("the default", "http://127.0.0.1:8080")
        return APIClient(baseURL: try Self.serverURL(named.1, from: named.0), token: token)
    }

    /// `text` as a server URL, or a usage error saying how to write it.
    static func serverURL(_ text: String, from origin: String) throws -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            let hint = text.contains("://") ? "" : "; write it with its scheme, e.g. http://\(text)"
            throw ValidationError("\(origin) \"\(text)\" is not an http:// or https:// URL of an Aurum server\(hint)")
        }
        return text
    }
}

/// The logger every command uses, writing to standard error.
func makeLogger(_ label: String, defaultLevel: Logger.Level = .warning) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["AURUM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
    return logger
}

/// Writes a line to standard error.
func printError(_ message: String) {
    if let capture = Console.capture { capture.appendError(message + "\n"); return }
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

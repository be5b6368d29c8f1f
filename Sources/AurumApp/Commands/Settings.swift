import ArgumentParser
import AurumCore
import AurumStore
import Foundation
import Logging

/// Settings from the environment, read in one place: every secret also from a file (`NAME_FILE`),
/// every value checked, a malformed one a usage error (exit 64) naming it on one line.
enum Settings {
    /// A secret from `name`, or from the file `name_FILE` names (trimmed); nil when neither is set.
    static func secret(_ name: String, _ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        let direct = environment[name].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = environment[name + "_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) else { return direct }
        guard direct == nil else { throw ValidationError("\(name) and \(name)_FILE are both set; keep one") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("\(name)_FILE \(path) cannot be read") }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw ValidationError("\(name)_FILE \(path) is empty") }
        return value
    }

    /// Where a secret came from, for `--print-config`: never its value.
    static func origin(of name: String, _ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment[name + "_FILE"], !path.isEmpty { return "set (from \(name)_FILE \(path))" }
        if let value = environment[name], !value.isEmpty { return "set (\(name))" }
        return "not set"
    }

    /// `AURUM_LOG_LEVEL`, checked: one of swift-log's levels.
    static func logLevel(default fallback: Logger.Level, _ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger.Level {
        guard let text = environment["AURUM_LOG_LEVEL"], !text.isEmpty else { return fallback }
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("AURUM_LOG_LEVEL=\(text) is not a level; give one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return level
    }

    /// `AURUM_LOG_FORMAT`, checked: `text` (the default) or `json`.
    static func logFormat(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let text = environment["AURUM_LOG_FORMAT"], !text.isEmpty else { return "text" }
        guard ["text", "json"].contains(text) else { throw ValidationError("AURUM_LOG_FORMAT=\(text) is not a format; give text or json") }
        return text
    }

    /// `AURUM_PORT`, checked: 0 to 65535.
    static func port(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int? {
        guard let text = environment["AURUM_PORT"], !text.isEmpty else { return nil }
        guard let port = Int(text), (0...65_535).contains(port) else { throw ValidationError("AURUM_PORT=\(text) is not a port; give 0 to 65535") }
        return port
    }

    /// `AURUM_DB_POOL_SIZE`: the most connections one server opens to PostgreSQL (1 to 1000,
    /// default 20); N servers (and their replicas' pools) must fit `max_connections`.
    static func poolSize(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment["AURUM_DB_POOL_SIZE"], !text.isEmpty else { return 20 }
        guard let size = Int(text), (1...1000).contains(size) else {
            throw ValidationError("AURUM_DB_POOL_SIZE=\(text) is not a pool size; give 1 to 1000 connections")
        }
        return size
    }

    /// `DATABASE_READ_URL` (or the file `DATABASE_READ_URL_FILE` names): the read replicas, comma
    /// or space separated, each a `postgres://` URL as `DATABASE_URL` is; none when unset.
    static func readURLs(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        guard let text = try secret("DATABASE_READ_URL", environment) else { return [] }
        let urls = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        for url in urls where (try? DatabaseSettings(url: url)) == nil {
            throw ValidationError("DATABASE_READ_URL has \(redacted(url: url)), which is not a postgres://user:password@host:5432/db URL")
        }
        return urls
    }

    /// A URL with its password replaced by `****`.
    static func redacted(url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "****"
        return components.string ?? "****"
    }

    /// Whether an error line is about a setting of the environment (`error: AURUM_PORT=abc …`,
    /// `error: DATABASE_URL and DATABASE_URL_FILE …`, `error: ODOO_API_KEY_FILE /x cannot be read`).
    static func namesASetting(_ line: some StringProtocol) -> Bool {
        guard line.hasPrefix("error: ") else { return false }
        let name = line.dropFirst(7).prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
        guard name.count >= 4, name.contains("_") else { return false }
        let rest = line.dropFirst(7 + name.count)
        return rest.hasPrefix("=") || rest.hasPrefix(" and ") || rest.hasPrefix(" ")
    }

    /// `AURUM_SHUTDOWN_GRACE`: how long a server goes on serving after SIGTERM with readiness at
    /// 503, in milliseconds (`2s`, `500ms`, or a number of seconds); default 2 s, at most 5 min.
    static func shutdownGrace(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment["AURUM_SHUTDOWN_GRACE"], !text.isEmpty else { return 2_000 }
        let milliseconds: Double? = text.hasSuffix("ms") ? Double(text.dropLast(2)) : text.hasSuffix("s") ? Double(text.dropLast()).map { $0 * 1000 }
            : Double(text).map { $0 * 1000 }
        guard let milliseconds, milliseconds.isFinite, (0...300_000).contains(milliseconds) else {
            throw ValidationError("AURUM_SHUTDOWN_GRACE=\(text) is not a grace period; give 0s to 300s, e.g. 2s or 500ms")
        }
        return Int(milliseconds)
    }
}

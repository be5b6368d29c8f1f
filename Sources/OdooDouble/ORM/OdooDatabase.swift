import AurumPublish
import Foundation
import NIOConcurrencyHelpers

/// The double's one database: the models of an Odoo version, their records, the users and the
/// id sequences. Every call runs under one lock and is one transaction: when it raises, the
/// tables are restored, but the sequences keep the ids they handed out, as PostgreSQL's do.
public final class OdooDatabase: @unchecked Sendable {
    public let version: OdooVersion
    public let name: String
    let models: [String: ModelSpec]
    private let lock = NIOLock()
    var tables: [String: [Int: Record]] = [:]
    var sequences: [String: Int] = [:]
    /// Users by id: login, password, API keys, and whether they are only "Internal User"s.
    var users: [Int: User] = [:]
    /// The transaction's clock: one timestamp per call, as Odoo's `now()` is per transaction.
    var now = ""
    /// Set by a call that answers normally but must leave nothing behind (`load` with a bad row).
    var rollbackOnly = false
    /// Where the state is kept between runs, if anywhere.
    private(set) var stateFile: String?

    struct User: Sendable {
        var login: String
        var password: String
        var apiKeys: [String]
        var limited: Bool
    }

    init(version: OdooVersion, name: String, models: [ModelSpec]) {
        self.version = version
        self.name = name
        self.models = Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0) })
    }

    /// Runs `body` as one transaction under the lock.
    func transaction<T>(_ body: () throws(OdooException) -> T) throws(OdooException) -> T {
        lock.lock()
        defer { lock.unlock() }
        let saved = tables
        now = Self.timestamp()
        rollbackOnly = false
        do {
            let result = try body()
            if rollbackOnly { tables = saved }
            if let stateFile, tables != saved || rollbackOnly { save(to: stateFile) }
            return result
        } catch {
            tables = saved
            throw error
        }
    }

    /// Keeps the state in `path`: loads it now if the file exists, and writes it after every change.
    public func keepState(in path: String) throws {
        try lock.withLock {
            if FileManager.default.fileExists(atPath: path) {
                try restore(JSONDecoder().decode(StateFile.self, from: Data(contentsOf: URL(fileURLWithPath: path))))
            }
            stateFile = path
            save(to: path)
        }
    }

    private func save(to path: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(snapshot()) else { return }
        try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads under the lock, for tests that inspect the state.
    public func records(_ model: String, activeOnly: Bool = false) -> [[String: OdooValue]] {
        lock.withLock {
            (tables[model] ?? [:]).keys.sorted().compactMap { id in
                let record = tables[model]![id]!
                return activeOnly && record["active"] == false ? nil : record
            }
        }
    }

    /// Changes a stored field directly, as a person editing in Odoo's UI would (for drift tests).
    public func edit(_ model: String, id: Int, _ field: String, _ value: OdooValue) {
        lock.withLock {
            tables[model]?[id]?[field] = value
            tables[model]?[id]?["write_date"] = .string(Self.timestamp())
            if let stateFile { save(to: stateFile) }
        }
    }

    static func timestamp() -> String {
        var time = time_t(Date().timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    // MARK: Storage primitives (called inside a transaction)

    func model(_ name: String) throws(OdooException) -> ModelSpec {
        guard let model = models[name] else { throw OdooException.unknownModel(name) }
        return model
    }

    func nextID(_ model: String) -> Int {
        let id = sequences[model, default: 1]
        sequences[model] = id + 1
        return id
    }

    func record(_ model: String, _ id: Int) -> Record? { tables[model]?[id] }

    /// Inserts seed data with a fixed id and moves the sequence past it.
    func seed(_ model: String, _ id: Int, _ values: Record) {
        var record = values
        record["id"] = .int(id)
        for (name, field) in models[model]?.fields ?? [:] where record[name] == nil && field.compute == nil && name != "id" {
            record[name] = field.defaultValue
        }
        record["create_date"] = .string("2024-01-01 00:00:00")
        record["write_date"] = .string("2024-01-01 00:00:00")
        tables[model, default: [:]][id] = record
        sequences[model] = max(sequences[model, default: 1], id + 1)
    }

    /// The display name of a record.
    func displayName(_ model: String, _ id: Int) -> String {
        guard let spec = models[model], let record = record(model, id) else { return "" }
        if let displayName = spec.displayName { return displayName(record, self) }
        return record[spec.recName]?.string ?? ""
    }

    /// A field's value as `read` returns it: many2one as `[id, display_name]`, computed fields computed.
    func readValue(_ spec: ModelSpec, _ field: FieldSpec, _ record: Record) -> OdooValue {
        if field.name == "display_name" { return .string(displayName(spec.name, record["id"]?.int ?? 0)) }
        if let compute = field.compute { return compute(record, self) }
        let value = record[field.name] ?? field.defaultValue
        switch field.kind {
        case .many2one(let relation):
            guard let id = value.int, id > 0 else { return false }
            return [.int(id), .string(displayName(relation, id))]
        case .one2many(let relation, let inverse):
            let id = record["id"]?.int ?? 0
            return .array((tables[relation] ?? [:]).values.filter { $0[inverse]?.int == id }.compactMap { $0["id"]?.int }.sorted().map(OdooValue.int))
        default:
            return value
        }
    }
}

/// The Odoo major versions the double can be.
public enum OdooVersion: Int, Sendable, CaseIterable, Comparable {
    case v16 = 16, v17 = 17, v18 = 18, v19 = 19

    public static func < (a: OdooVersion, b: OdooVersion) -> Bool { a.rawValue < b.rawValue }

    /// `server_version` as the recorded servers report it.
    var serverVersion: String {
        switch self {
        case .v16: "16.0-20231120"
        case .v17: "17.0-20240709"
        case .v18: "18.0-20250702"
        case .v19: "19.0"
        }
    }

    /// `common.version()`.
    var versionInfo: OdooValue {
        ["server_version": .string(serverVersion), "server_version_info": [.int(rawValue), 0, 0, "final", 0, ""],
         "server_serie": .string("\(rawValue).0"), "protocol_version": 1]
    }
}

import AurumPublish
import Foundation

/// The double's state in a JSON file (`odoo-double --state FILE`): loaded at start when the file
/// exists, written after every call that changed something, so a demo's Odoo survives a restart.
struct StateFile: Codable {
    struct User: Codable {
        var login: String
        var password: String
        var apiKeys: [String]
        var limited: Bool
    }

    var version: Int
    var database: String
    var tables: [String: [String: [String: OdooValue]]]
    var sequences: [String: Int]
    var users: [String: User]
}

extension OdooDatabase {
    /// The state as a file's contents (called under the lock).
    func snapshot() -> StateFile {
        StateFile(version: version.rawValue, database: name,
                  tables: tables.mapValues { rows in Dictionary(uniqueKeysWithValues: rows.map { (String($0.key), $0.value) }) },
                  sequences: sequences,
                  users: Dictionary(uniqueKeysWithValues: users.map { (String($0.key), StateFile.User(login: $0.value.login, password: $0.value.password,
                                                                                                        apiKeys: $0.value.apiKeys, limited: $0.value.limited)) }))
    }

    /// Replaces the state with a file's; refuses a file of another version or database.
    func restore(_ state: StateFile) throws {
        guard state.version == version.rawValue, state.database == name else {
            throw StateFileError(message: "the state file holds Odoo \(state.version) database \(state.database), not Odoo \(version.rawValue) database \(name)")
        }
        tables = state.tables.mapValues { rows in Dictionary(uniqueKeysWithValues: rows.compactMap { key, value in Int(key).map { ($0, value) } }) }
        sequences = state.sequences
        users = Dictionary(uniqueKeysWithValues: state.users.compactMap { key, user in
            Int(key).map { ($0, User(login: user.login, password: user.password, apiKeys: user.apiKeys, limited: user.limited)) }
        })
    }
}

struct StateFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

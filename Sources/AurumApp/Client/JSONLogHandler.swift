import AurumCore
import Foundation
import Logging

/// Log lines as JSON objects, one per line on standard error (`AURUM_LOG_FORMAT=json`): `time`,
/// `level`, `logger`, `message` and every metadata value (`trace_id`, `hb.request.id`,
/// `aurum.actor`, `aurum.event`, …) as a member of its own, for a log search to query.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        var fields: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { _, new in new }) { fields[key] = Self.json(value) }
        fields["time"] = .string(Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        fields["level"] = .string(level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(message.description)
        FileHandle.standardError.write(CanonicalJSON.data(JSONValue.object(fields)) + Data("\n".utf8))
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value): .string(value.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let members): .object(members.mapValues(json))
        }
    }
}

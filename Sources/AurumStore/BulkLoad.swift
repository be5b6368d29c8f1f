import AurumCore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// An initial load: existing master data brought in as released golden records, a batch at a
/// time, each batch one transaction written with COPY. A record whose source keys are already
/// loaded is skipped, so a load that stopped part-way is run again to finish it.
public struct BulkLoad: Sendable {
    /// One golden record to load: its values and lineage, and every source key it has.
    public struct Record: Sendable {
        public var attributes: Attributes
        public var lineage: [String: Lineage]
        public var contributions: [SourceContribution]
        /// Active, or obsolete for a record its system keeps archived.
        public var state: RecordState

        public init(attributes: Attributes, lineage: [String: Lineage], contributions: [SourceContribution], state: RecordState = .active) {
            self.attributes = attributes
            self.lineage = lineage
            self.contributions = contributions
            self.state = state
        }
    }

    /// What a batch did: records written, records skipped as loaded before, and records refused
    /// (a unique value another golden record holds).
    public struct Outcome: Sendable {
        public var loaded = 0
        public var skipped = 0
        public var refused: [(sourceKey: String, message: String)] = []
        public init() {}
    }

    public let client: PostgresClient
    public let rules: RuleSet
    public let entity: String
    public let actor: String
    public let logger: Logger
    /// Ties every record's audit entry to this load.
    public let loadID: String

    /// How sensitive values are kept in the audit trail (see `PostgresStewardshipStore`).
    let sealing: SensitiveRewrite

    public init(client: PostgresClient, rules: RuleSet, entity: String, actor: String, loadID: String, auditKey: AuditKey? = nil, logger: Logger) {
        self.client = client
        self.rules = rules
        self.entity = entity
        self.actor = actor
        self.loadID = loadID
        self.logger = logger
        self.sealing = (auditKey ?? .ephemeral()).rewrite(for: rules)
    }

    /// Marks blocking keys common before their members are written (keys the whole file makes
    /// common, which no batch alone would show).
    public func markCommon(_ hashes: [UInt64]) async throws {
        guard !hashes.isEmpty else { return }
        try await client.withTransaction(logger: logger) { connection in
            try await MatchKeys.markCommon(hashes, entity: entity, on: connection, logger: logger)
        }
    }

    /// A transaction whose audit entries have their sensitive values sealed.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> sending Result) async throws -> Result {
        try await client.transaction(sealing: sealing, logger: logger, body)
    }

    /// The unique values of `attributes` as the store keys them (attribute, value key).
    public static func uniqueKeys(_ attributes: Attributes, schema: EntitySchema) -> [(attribute: String, key: String)] {
        UniqueValues.keys(attributes, schema: schema)
    }

    /// Writes `records` in one transaction: skips those with a source key loaded already, refuses
    /// those with a source key an open change request proposes and those whose unique values
    /// another record holds, and writes the rest as version 1 with their source keys, unique
    /// values, blocking keys and one audit entry each. The source keys are locked first, as
    /// ingest locks them, so that a candidate of the same key waits for the load or the load for it.
    public func write(_ records: [Record]) async throws -> Outcome {
        guard let schema = rules.entities[entity] else { throw StoreError.invalid("the rules do not define entity \(entity)") }
        return try await transaction { connection in
            var outcome = Outcome()
            let keys = records.flatMap { $0.contributions.map { [$0.source, $0.sourceKey] } }
            try await Locks.sourceKeys(keys.map { [entity] + $0 }, on: connection, logger: logger)
            let proposed = try await connection.query("""
                SELECT source || chr(31) || source_key, min(id) FROM change_request
                WHERE entity = \(entity) AND status = 'open' AND record_id IS NULL  -- as change_request_open_create indexes them
                  AND (source, source_key) IN (SELECT * FROM unnest(\(keys.map { $0[0] })::text[], \(keys.map { $0[1] })::text[]))
                GROUP BY 1
                """, logger: logger)
            var proposals = [String: Int64]()
            for try await (key, request) in proposed.decode((String, Int64).self) { proposals[key] = request }
            let loaded = try await connection.query("""
                SELECT source || chr(31) || source_key FROM record_source
                WHERE entity = \(entity) AND (source, source_key) IN (SELECT * FROM unnest(\(keys.map { $0[0] })::text[], \(keys.map { $0[1] })::text[]))
                """, logger: logger)
            let done = Set(try await loaded.decode(String.self).reduce(into: [String]()) { $0.append($1) })
            var fresh = records.filter { record in
                let isDone = record.contributions.contains { done.contains($0.source + "\u{1f}" + $0.sourceKey) }
                if isDone { outcome.skipped += 1 }
                return !isDone
            }
            fresh = fresh.filter { record in
                guard let held = record.contributions.first(where: { proposals[$0.source + "\u{1f}" + $0.sourceKey] != nil }) else { return true }
                let request = proposals[held.source + "\u{1f}" + held.sourceKey]!
                outcome.refused.append((held.sourceKey, "\(held.source) key \(held.sourceKey) is proposed by open change request \(request); "
                                        + "approve, reject or withdraw it, then load again"))
                return false
            }
            let unique = fresh.map { UniqueValues.keys($0.attributes, schema: schema) }
            let held = try await connection.query("""
                SELECT attribute || chr(31) || value_key, record_id FROM unique_value
                WHERE entity = \(entity) AND (attribute, value_key) IN
                      (SELECT * FROM unnest(\(unique.flatMap { $0.map(\.attribute) })::text[], \(unique.flatMap { $0.map(\.key) })::text[]))
                """, logger: logger)
            var holders = [String: Int64]()
            for try await (key, record) in held.decode((String, Int64).self) { holders[key] = record }
            var keep = [Bool](repeating: true, count: fresh.count)
            for (index, values) in unique.enumerated() {
                guard let taken = values.first(where: { holders[$0.attribute + "\u{1f}" + $0.key] != nil }) else { continue }
                keep[index] = false
                outcome.refused.append((fresh[index].contributions.first?.sourceKey ?? "",
                                        "\(taken.attribute) \"\(taken.key)\" is already held by \(entity) \(holders[taken.attribute + "\u{1f}" + taken.key]!)"))
            }
            let uniqueKept = zip(unique, keep).filter(\.1).map(\.0)
            fresh = zip(fresh, keep).filter(\.1).map(\.0)
            guard !fresh.isEmpty else { return outcome }
            let reserved = try await connection.query("""
                SELECT nextval(pg_get_serial_sequence('golden_record', 'id')) FROM generate_series(1, \(fresh.count))
                """, logger: logger)
            let ids = try await reserved.decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
            try await copy(fresh, ids: ids, unique: uniqueKept, schema: schema, on: connection)
            outcome.loaded = fresh.count
            return outcome
        }
    }

    func copy(_ records: [Record], ids: [Int64], unique: [[(attribute: String, key: String)]], schema: EntitySchema,
              on connection: PostgresConnection) async throws {
        var golden = CopyRows(), versions = CopyRows(), sources = CopyRows(), values = CopyRows(), keys = CopyRows()
        var audit = [AuditEntry]()
        // Keys marked common (by this load or by ingest) have no stored members.
        let common = schema.match == nil ? [] : try await MatchKeys.common(entity: entity, on: connection, logger: logger)
        // Each record's JSON texts and blocking keys, worked out on every core; the rows are then
        // laid out in order.
        let match = schema.match
        let texts = await parallelMap(records.count, parallelism: ProcessInfo.processInfo.activeProcessorCount) { index in
            let record = records[index]
            return (attributes: SQLJSON.text(record.attributes), lineage: SQLJSON.text(record.lineage),
                    sources: record.contributions.map { (attributes: SQLJSON.text($0.attributes), changedAt: SQLJSON.text($0.changedAt)) },
                    hashes: match.map { MatchKeys.hashes(record.attributes, rules: $0) } ?? [])
        }
        for (index, record) in records.enumerated() {
            let id = String(ids[index])
            let text = texts[index]
            golden.add([id, entity, "1", record.state.rawValue])
            versions.add([id, "1", record.state.rawValue, text.attributes, rules.version, actor, text.lineage])
            for (c, source) in zip(record.contributions, text.sources) {
                sources.add([entity, c.source, c.sourceKey, id, source.attributes, source.changedAt])
            }
            for value in unique[index] { values.add([entity, value.attribute, value.key, id]) }
            for hash in text.hashes where !common.contains(UInt64(bitPattern: hash)) {
                keys.add([entity, String(hash), id])
            }
            var after: [String: JSONValue] = ["attributes": .object(record.attributes),
                                              "sources": .array(record.contributions.map { ["source": .string($0.source), "source_key": .string($0.sourceKey)] })]
            if record.state != .active { after["state"] = .string(record.state.rawValue) }
            audit.append(AuditEntry(actor: actor, action: "record.loaded", entity: entity, subject: "record:\(id)", recordID: ids[index], version: 1,
                                    after: .object(after), rulesVersion: rules.version, requestID: loadID))
        }
        try await golden.copy(into: "golden_record", ["id", "entity", "current_version", "state"], on: connection, logger: logger)
        // The feed positions and deliveries of the batch are written below in one statement, not
        // by the per-version trigger.
        try await connection.query("SET LOCAL aurum.feed_written = 'on'", logger: logger)
        try await versions.copy(into: "golden_version", ["record_id", "version", "state", "attributes", "rules_version", "released_by", "lineage"],
                                on: connection, logger: logger)
        try await sources.copy(into: "record_source", ["entity", "source", "source_key", "record_id", "attributes", "changed_at"],
                               on: connection, logger: logger)
        try await values.copy(into: "unique_value", ["entity", "attribute", "value_key", "record_id"], on: connection, logger: logger)
        try await keys.copy(into: "match_key", ["entity", "key_hash", "record_id"], on: connection, logger: logger)
        try await AuditLog.append(contentsOf: audit, on: connection, logger: logger)
        try await ChangeFeed.appendFirstVersions(entity: entity, records: ids, on: connection, logger: logger)
    }

    /// The load's own audit entry, with what it did; the blocking keys marked as computed with
    /// these rules when no other rules computed any before, and those now common marked so.
    public func finish(summary: JSONValue) async throws {
        try await record(summary: summary)
        if let match = rules.entities[entity]?.match {
            // Keys the load and what the store held make common together.
            _ = try await transaction { connection in try await MatchKeys.prune(entity: entity, rules: match, on: connection, logger: logger) }
        }
    }

    /// Vacuums and analyses the tables a load writes, so that the first candidates after it find
    /// their look-ups planned on what is there and read from the indexes alone (a table never
    /// vacuumed makes every index-only look-up visit the table too). `client` must act as the
    /// tables' owner: PostgreSQL skips, with a warning only, a table the caller does not own, and
    /// the application role owns none.
    public static func vacuum(client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            VACUUM (ANALYZE) golden_record, golden_version, record_source, unique_value, match_key, match_key_common, change_feed, delivery, audit_entry
            """, logger: logger)
    }

    func record(summary: JSONValue) async throws {
        try await transaction { connection in
            try await AuditLog.append(AuditEntry(actor: actor, action: "load.completed", entity: entity, subject: "load:\(loadID)",
                                                 after: summary, rulesVersion: rules.version, requestID: loadID), on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO match_key_version (entity, rules_version) VALUES (\(entity), \(rules.version)) ON CONFLICT (entity) DO NOTHING
                """, logger: logger)
        }
    }
}

/// Rows in PostgreSQL's COPY text format: fields split by tabs, rows by newlines, with
/// backslash, tab, newline and carriage return escaped.
public struct CopyRows: Sendable {
    public private(set) var buffer = ByteBuffer()
    public private(set) var count = 0

    public init() {}

    /// Adds one row; nil is SQL NULL.
    public mutating func add(_ fields: [String?]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            guard var field else { buffer.writeStaticString("\\N"); continue }
            field.withUTF8 { Self.write(escaping: $0, into: &buffer) }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
        count += 1
    }

    /// Writes the text's bytes in runs, each escaped byte on its own.
    static func write(escaping bytes: UnsafeBufferPointer<UInt8>, into buffer: inout ByteBuffer) {
        var start = 0
        for (index, byte) in bytes.enumerated() {
            let escaped: StaticString
            switch byte {
            case UInt8(ascii: "\\"): escaped = "\\\\"
            case UInt8(ascii: "\t"): escaped = "\\t"
            case UInt8(ascii: "\n"): escaped = "\\n"
            case UInt8(ascii: "\r"): escaped = "\\r"
            default: continue
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index])))
            buffer.writeStaticString(escaped)
            start = index + 1
        }
        buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count])))
    }

    /// COPYs the rows into `table` (`columns` are trusted names, never input).
    public func copy(into table: String, _ columns: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard count > 0 else { return }
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            try await writer.write(buffer)
        }
    }
}

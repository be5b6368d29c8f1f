import AurumCore
import Foundation
import Logging
import PostgresNIO

/// Reads the audit chain back for an auditor: walks it to prove it whole, names its head for
/// keeping outside the database, and streams entries for export. Constant memory whatever its length.
public struct AuditTrail: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// What `verify` found.
    public struct Verification: Sendable, Hashable {
        /// Entries checked before the first problem (all of them when there is none).
        public var checked: Int64
        /// The last entry proven, as an anchor.
        public var head: AuditAnchor
        public var problem: AuditChainProblem?
    }

    /// Walks the whole chain in order (and any row outside it), proving each link; with `anchor`,
    /// also that the chain still reaches the head taken then.
    public func verify(anchor: AuditAnchor? = nil) async throws -> Verification {
        var check = AuditChainCheck(anchor: anchor)
        let unchained = try await client.query("SELECT id FROM audit_entry WHERE seq IS NULL ORDER BY id LIMIT 1", logger: logger)
            .decode(Int64.self).first { _ in true }
        if let unchained {
            return Verification(checked: 0, head: AuditAnchor(seq: 0, hash: AuditChain.genesis), problem: .unchained(id: unchained))
        }
        var problem: AuditChainProblem?
        try await entries(from: nil, to: nil) { entry in
            problem = check.check(entry)
            return problem == nil
        }
        if problem == nil {
            let recorded = try await client.query("SELECT seq FROM audit_chain_head", logger: logger).decode(Int64.self).first { _ in true }
            problem = check.finish(recordedHead: recorded)
        }
        return Verification(checked: check.checked, head: AuditAnchor(seq: check.last.seq, hash: check.last.hash), problem: problem)
    }

    /// The newest entry's place and hash: what to write down outside the database.
    public func anchor() async throws -> AuditAnchor {
        let rows = try await client.query("SELECT seq, row_hash FROM audit_entry WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1", logger: logger)
        for try await (seq, hash) in rows.decode((Int64, String).self) { return AuditAnchor(seq: seq, hash: hash) }
        return AuditAnchor(seq: 0, hash: AuditChain.genesis)
    }

    /// Every chained entry written from `from` (inclusive) to `to` (exclusive), in chain order;
    /// `each` returns false to stop.
    public func export(from: Date?, to: Date?, _ each: (ChainedAuditEntry) async throws -> Bool) async throws {
        try await entries(from: from, to: to, each)
    }

    /// Chained entries written in [from, to), in `seq` order.
    private func entries(from: Date?, to: Date?, _ each: (ChainedAuditEntry) async throws -> Bool) async throws {
        try await client.withConnection { connection in
            let rows = try await connection.query("""
                SELECT seq, \(unescaped: SQLTime.isoMicro("at")), actor, action, entity, subject, record_id, version, before::text, after::text,
                       reason, rules_version, request_id, prev_hash, row_hash
                FROM audit_entry
                WHERE seq IS NOT NULL AND (\(from)::timestamptz IS NULL OR at >= \(from)) AND (\(to)::timestamptz IS NULL OR at < \(to))
                ORDER BY seq
                """, logger: logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let (seq, at, entry) = try Self.entry(cells)
                let chained = ChainedAuditEntry(seq: seq!, at: at, entry: entry, prevHash: try cells[13].decode(String.self),
                                                rowHash: try cells[14].decode(String.self))
                guard try await each(chained) else { return }
            }
        }
    }

    /// The first column (seq, or id) and the entry of a row of the 13 columns both readers select.
    private static func entry(_ cells: PostgresRandomAccessRow) throws -> (Int64?, String, AuditEntry) {
        func text(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }
        let entry = AuditEntry(actor: try text(2)!, action: try text(3)!, entity: try text(4), subject: try text(5)!,
                               recordID: try cells[6].decode(Int64?.self), version: try cells[7].decode(Int?.self),
                               before: try text(8).map(SQLJSON.parse), after: try text(9).map(SQLJSON.parse), reason: try text(10),
                               rulesVersion: try text(11), requestID: try text(12))
        return (try cells[0].decode(Int64?.self), try text(1)!, entry)
    }

    /// Links the entries written before the chain existed, in id order: the follow-up of the
    /// migration that made the trail a chain, in its transaction, run once by the owner.
    static func chainEarlierEntries(on connection: PostgresConnection, logger: Logger) async throws {
        let count = try await connection.query("SELECT count(*)::int8 FROM audit_entry WHERE seq IS NULL", logger: logger)
            .decode(Int64.self).first { _ in true } ?? 0
        guard count > 0 else { return }
        logger.notice("linking the audit entries written before the chain", metadata: ["aurum.audit.entries": "\(count)"])
        try await connection.query("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only", logger: logger)
        let rows = try await connection.query("""
            SELECT id, \(unescaped: SQLTime.isoMicro("at")), actor, action, entity, subject, record_id, version, before::text, after::text,
                   reason, rules_version, request_id
            FROM audit_entry WHERE seq IS NULL ORDER BY id
            """, logger: logger)
        var ids = [Int64](), earlier = [(entry: AuditEntry, at: String)]()
        for try await row in rows {
            let (id, at, entry) = try Self.entry(row.makeRandomAccess())
            ids.append(id!)
            earlier.append((entry, at))
        }
        let chained = AuditChain.link(earlier, after: AuditAnchor(seq: 0, hash: AuditChain.genesis))
        let links = zip(ids, chained).map { (id: $0, seq: $1.seq, prev: $1.prevHash, hash: $1.rowHash) }
        for start in stride(from: 0, to: links.count, by: 10_000) {
            let part = links[start..<min(start + 10_000, links.count)]
            try await connection.query("""
                UPDATE audit_entry e SET seq = l.seq, prev_hash = l.prev, row_hash = l.hash
                FROM unnest(\(part.map(\.id))::int8[], \(part.map(\.seq))::int8[], \(part.map(\.prev))::text[], \(part.map(\.hash))::text[])
                     AS l(id, seq, prev, hash)
                WHERE e.id = l.id
                """, logger: logger)
        }
        try await connection.query("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only", logger: logger)
        try await connection.query("UPDATE audit_chain_head SET seq = \(Int64(links.count)), hash = \(links.last?.hash ?? AuditChain.genesis)", logger: logger)
    }
}

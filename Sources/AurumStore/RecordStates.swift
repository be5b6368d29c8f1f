import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// Opens a steward's block, unblock or obsolete of a golden record: a change request through
    /// the gates whose proposal is the record's values as they are; on release the record's next
    /// version carries the new state. It waits beside an open change of the record's values and
    /// is not superseded by one.
    public func changeState(_ change: RecordStateChange, entity: String, record id: Int64, by caller: Principal, reason: String,
                            requestID: String) async throws -> ChangeRequestView {
        guard caller.covers(entity), rules.entities[entity] != nil else { throw StoreError.notFound("\(entity) \(id) does not exist") }
        guard caller.may(.decide(entity: entity)) else {
            throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not \(change.rawValue) \(entity) records; a steward or admin may")
        }
        guard !reason.allSatisfy(\.isWhitespace) else {
            throw StoreError.invalid("a \(change.rawValue) needs a reason (--reason), kept in the audit trail and shown to the approvers")
        }
        return try await transaction { connection in
            try await Locks.sourceKey(entity: entity, source: "steward", sourceKey: "state:\(id)", on: connection, logger: logger)
            let current = try await lockedState(of: id, entity: entity, for: change, on: connection)
            let rows = try await connection.query("""
                INSERT INTO change_request (entity, kind, record_id, base_version, source, source_key, submitted_by, proposed, diff, warnings,
                                            rules_version, contributions, steward_values, lineage, reason)
                SELECT \(entity), \(change.kind.rawValue), gv.record_id, gv.version, 'steward', \("state:\(id)"), \(caller.name),
                       gv.attributes, '[]'::jsonb, '[]'::jsonb, \(rules.version), '[]'::jsonb, '{}'::jsonb, gv.lineage, \(reason)
                FROM golden_version gv WHERE gv.record_id = \(id) AND gv.version = \(current.version)
                RETURNING id
                """, logger: logger)
            let opened = try await rows.decode(Int64.self).first { _ in true }!
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.opened", entity: entity, subject: "change_request:\(opened)", recordID: id,
                version: current.version, before: ["state": .string(current.state.rawValue)], after: ["state": .string(current.target.rawValue)],
                reason: reason, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
            return withGates(try await reloaded(opened, on: connection))
        }
    }

    /// The record's state and version, locked, with the state `change` takes it to; refused when
    /// the record does not exist, cannot take the change, or has one open already.
    func lockedState(of id: Int64, entity: String, for change: RecordStateChange, ignoring request: Int64? = nil,
                     on connection: PostgresConnection) async throws -> (state: RecordState, version: Int, target: RecordState) {
        _ = try await Locks.record(id, on: connection, logger: logger)
        let rows = try await connection.query("""
            SELECT gr.state, gr.current_version,
                   (SELECT min(c.id) FROM change_request c
                    WHERE c.record_id = gr.id AND c.status = 'open' AND c.kind IN ('block', 'unblock', 'obsolete'))
            FROM golden_record gr WHERE gr.id = \(id) AND gr.entity = \(entity)
            """, logger: logger)
        guard let (stateText, version, open) = try await rows.decode((String, Int, Int64?).self).first(where: { _ in true }),
              let state = RecordState(rawValue: stateText) else {
            throw StoreError.notFound("\(entity) \(id) does not exist")
        }
        if let open, open != request {
            throw StoreError.conflict("\(entity) \(id) has open change request \(open) changing its state; decide or withdraw it first")
        }
        switch change.target(from: state) {
        case .success(let target): return (state, version, target)
        case .failure(let refusal): throw StoreError.conflict("\(entity) \(id) cannot be \(change.pastParticiple): \(refusal.message)")
        }
    }

    /// Releases an approved state change: the record's next version, its values as they are then,
    /// carries the new state. The state is checked again, as it may have changed meanwhile.
    func releaseStateChange(_ change: RecordStateChange, _ request: ChangeRequestView, by caller: Principal, requestID: String,
                            on connection: PostgresConnection) async throws -> (Int64, Int) {
        guard let id = request.recordID else { throw StoreError.conflict("change request \(request.id) names no record") }
        let current = try await lockedState(of: id, entity: request.entity, for: change, ignoring: request.id, on: connection)
        let version = try await appendVersion(of: id, state: current.target, supersededBy: nil, attributes: nil, lineage: nil,
                                              request: request, caller: caller, on: connection)
        try await AuditLog.append(AuditEntry(
            actor: caller.name, action: change.auditAction, entity: request.entity, subject: "record:\(id)", recordID: id, version: version,
            before: ["state": .string(current.state.rawValue)], after: ["state": .string(current.target.rawValue)],
            reason: request.reason, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
        return (id, version)
    }
}

import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// Writes the proposal as the record's next immutable version and makes it current, in the
    /// approving transaction, claiming its unique values. The proposal is validated again against
    /// the records as they are now. The caller writes the change request's new status.
    func release(_ request: inout ChangeRequestView, by caller: Principal, requestID: String,
                 on connection: PostgresConnection) async throws -> (Int64, Int) {
        if let change = RecordStateChange(request.kind) {
            return try await releaseStateChange(change, request, by: caller, requestID: requestID, on: connection)
        }
        // A merge's survivor may take the values of the record merged into it.
        let owned: Set<Int64> = request.kind == .merge ? Set([request.mergeRecordID].compactMap { $0 }) : []
        let verdict = try await validate(request.proposed, entity: request.entity, recordID: request.recordID, alsoOwned: owned, on: connection)
        guard verdict.isValid else {
            let problems = verdict.errors.map { "\($0.attribute): \($0.message)" }.joined(separator: "; ")
            throw StoreError.conflict("the proposal is no longer valid against the golden records: \(problems); reject it and let the source resubmit")
        }
        guard let schema = rules.entities[request.entity] else { throw StoreError.invalid("the rules no longer define entity \(request.entity)") }
        let (recordID, version, before, state) = try await nextVersion(of: request, on: connection)
        try await insertVersion(record: recordID, version: version, state: state, attributes: request.proposed, lineage: request.lineage,
                                changeRequest: request.id, caller: caller, on: connection)
        try await connection.query("UPDATE change_request SET record_id = \(recordID) WHERE id = \(request.id)", logger: logger)
        if request.kind == .merge, let absorbed = request.mergeRecordID {
            try await supersede(absorbed, into: recordID, by: request, caller: caller, requestID: requestID, on: connection)
        }
        let restored = request.kind == .unmerge ? request.mergeRecordID : nil
        if let restored { try await moveKeysBack(from: recordID, to: restored, request: request, on: connection) }
        try await UniqueValues.claim(record: recordID, entity: request.entity, attributes: request.proposed, schema: schema,
                                     on: connection, logger: logger)
        if let restored { try await restore(restored, request: request, schema: schema, caller: caller, requestID: requestID, on: connection) }
        try await storeSources(of: request, record: recordID, on: connection)
        try await MatchKeys.drop(changeRequest: request.id, on: connection, logger: logger)
        try await MatchKeys.replace(record: recordID, entity: request.entity, attributes: request.proposed, rules: schema.match,
                                    on: connection, logger: logger)
        request.recordID = recordID
        try await AuditLog.append(AuditEntry(
            actor: caller.name, action: "record.released", entity: request.entity, subject: "record:\(recordID)",
            recordID: recordID, version: version, before: before.map(JSONValue.object), after: .object(request.proposed),
            rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
        return (recordID, version)
    }

    /// Writes one immutable version of a record, with what released it.
    func insertVersion(record: Int64, version: Int, state: String, attributes: Attributes, lineage: [String: Lineage], changeRequest: Int64,
                       caller: Principal, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO golden_version (record_id, version, state, attributes, change_request_id, rules_version, released_by, lineage)
            VALUES (\(record), \(version), \(state), \(SQLJSON.text(attributes))::jsonb, \(changeRequest), \(rules.version), \(caller.name),
                    \(SQLJSON.text(lineage))::jsonb)
            """, logger: logger)
    }

    /// Stores what the change's source keys said (linking a key new to the record) and the values
    /// its editors typed. A change opened before contributions were kept stores its proposal as
    /// its source key's.
    func storeSources(of request: ChangeRequestView, record: Int64, on connection: PostgresConnection) async throws {
        let instant = Self.instant()
        let contributions = request.contributions.isEmpty && (request.kind == .create || request.kind == .update)
            ? [SourceContribution(source: request.source, sourceKey: request.sourceKey, attributes: [:]).updated(with: request.proposed, at: instant)]
            : request.contributions
        try await Self.storeContributions(contributions.map { (request.entity, $0, record) }, on: connection, logger: logger)
        for (attribute, typed) in request.stewardValues.sorted(by: { $0.key < $1.key }) {
            try await connection.query("""
                INSERT INTO steward_value (record_id, attribute, value, steward, at)
                VALUES (\(record), \(attribute), \(SQLJSON.text(typed.value))::jsonb, \(typed.steward), \(typed.at))
                ON CONFLICT (record_id, attribute) DO UPDATE SET value = excluded.value, steward = excluded.steward, at = excluded.at
                """, logger: logger)
        }
    }

    /// Creates the golden record for a create, or advances the current version of an update; with
    /// the state the new version keeps (a blocked record's update leaves it blocked). An update
    /// proposed against an earlier version still applies when the versions since changed no
    /// values (a block, an unblock).
    func nextVersion(of request: ChangeRequestView, on connection: PostgresConnection) async throws -> (Int64, Int, Attributes?, String) {
        guard let recordID = request.recordID else {
            let rows = try await connection.query("""
                INSERT INTO golden_record (entity, current_version) VALUES (\(request.entity), 1) RETURNING id
                """, logger: logger)
            let id = try await rows.decode(Int64.self).first { _ in true }!
            return (id, 1, nil, RecordState.active.rawValue)
        }
        let rows = try await connection.query("""
            SELECT gr.current_version, gv.attributes::text, gr.state,
                   coalesce((SELECT base.attributes = gv.attributes FROM golden_version base
                             WHERE base.record_id = gr.id AND base.version = \(request.baseVersion)), false)
            FROM golden_record gr
            JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
            WHERE gr.id = \(recordID) FOR UPDATE OF gr
            """, logger: logger)
        guard let (current, attributes, state, sameValues) = try await rows.decode((Int, String, String, Bool).self).first(where: { _ in true }) else {
            throw StoreError.notFound("golden record \(recordID) does not exist")
        }
        if let base = request.baseVersion, base != current, !sameValues {
            throw StoreError.conflict("record \(recordID) is at version \(current), but this change was proposed against version \(base); reject it and let the source resubmit")
        }
        try await connection.query("""
            UPDATE golden_record SET current_version = \(current + 1), updated_at = now() WHERE id = \(recordID)
            """, logger: logger)
        return (recordID, current + 1, try SQLJSON.decode(Attributes.self, attributes), state)
    }
}

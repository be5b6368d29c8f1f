import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// Opens a merge of `id` into `target`: a change request (through approval) whose proposal is
    /// `target`'s next version, its values chosen by survivorship over both records' source keys.
    public func merge(entity: String, record id: Int64, into target: Int64, by caller: Principal, reason: String,
                      requestID: String) async throws -> ChangeRequestView {
        guard caller.covers(entity), caller.may(.decide(entity: entity)) else {
            throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not merge \(entity) records; a steward or admin may")
        }
        guard id != target else { throw StoreError.invalid("a record cannot be merged into itself; name two different \(entity) records") }
        guard let schema = rules.entities[entity] else { throw StoreError.invalid("the rules do not define entity \(entity)") }
        return try await transaction { connection in
            try await Locks.sourceKey(entity: entity, source: "steward", sourceKey: "merge:\(id)", on: connection, logger: logger)
            var situations = [Int64: IngestPlanner.Situation]()
            for record in [id, target].sorted() {
                try await requireMergeable(record, entity: entity, on: connection)
                let (situation, open) = try await self.situation(ofRecord: record, on: connection)
                if let open { throw StoreError.conflict("\(entity) \(record) has open change request \(open.id); decide it first, then merge") }
                situations[record] = situation
            }
            var survivor = situations[target]!
            let absorbed = situations[id]!
            // The absorbed record's typed values come along where the survivor has none of its own.
            let carried = absorbed.stewardValues.filter { survivor.stewardValues[$0.key] == nil }
            survivor.openChangeRequest = .init(id: 0, candidateID: nil, proposed: [:], contributions: absorbed.contributions, stewardValues: carried)
            let golden = IngestPlanner.golden(pending: absorbed.contributions, situation: survivor, rules: schema.survive, trust: rules.trust)
            let verdict = try await validate(golden.attributes, entity: entity, recordID: target, alsoOwned: [id], on: connection)
            guard verdict.isValid else {
                throw StoreError.invalid("merged, \(entity) \(target) would not be valid: "
                                         + verdict.errors.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; "))
            }
            return try await openLifecycleChange(.merge, entity: entity, record: target, other: id, situation: survivor, verdict: verdict,
                                                 lineage: golden.lineage, contributions: absorbed.contributions, stewardValues: carried,
                                                 reason: reason, caller: caller, requestID: requestID, on: connection)
        }
    }

    /// Opens an unmerge of `id` (merged earlier): `id` comes back with its own source keys and
    /// values as they were, and the record it was merged into gets a version without them.
    public func unmerge(entity: String, record id: Int64, by caller: Principal, reason: String, requestID: String) async throws -> ChangeRequestView {
        guard caller.covers(entity), caller.may(.decide(entity: entity)) else {
            throw StoreError.forbidden("\(caller.name) (\(caller.role.rawValue)) may not unmerge \(entity) records; a steward or admin may")
        }
        guard let schema = rules.entities[entity] else { throw StoreError.invalid("the rules do not define entity \(entity)") }
        return try await transaction { connection in
            try await Locks.sourceKey(entity: entity, source: "steward", sourceKey: "merge:\(id)", on: connection, logger: logger)
            guard let merge = try await lastMerge(of: id, entity: entity, on: connection) else {
                throw StoreError.conflict("\(entity) \(id) is not merged into another record; there is nothing to unmerge")
            }
            for record in [id, merge.into].sorted() { _ = try await Locks.record(record, on: connection, logger: logger) }
            var (survivor, open) = try await situation(ofRecord: merge.into, on: connection)
            if let open { throw StoreError.conflict("\(entity) \(merge.into) has open change request \(open.id); decide it first, then unmerge") }
            let moved = Set(merge.keys.map { [$0.source, $0.sourceKey] })
            survivor.contributions.removeAll { moved.contains([$0.source, $0.sourceKey]) }
            survivor.stewardValues = survivor.stewardValues.filter { merge.carried[$0.key] != $0.value }
            let golden = Survivorship.golden(survivor.contributions, stewardValues: survivor.stewardValues, rules: schema.survive, trust: rules.trust)
            let verdict = try await validate(golden.attributes, entity: entity, recordID: merge.into, on: connection)
            guard verdict.isValid else {
                throw StoreError.invalid("without \(entity) \(id), \(entity) \(merge.into) would not be valid: "
                                         + verdict.errors.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; ")
                                         + "; edit it after the unmerge instead")
            }
            return try await openLifecycleChange(.unmerge, entity: entity, record: merge.into, other: id, situation: survivor, verdict: verdict,
                                                 lineage: golden.lineage, contributions: [], stewardValues: [:],
                                                 reason: reason, caller: caller, requestID: requestID, on: connection)
        }
    }

    /// A record that can take part in a merge or link: it exists in the entity and is not merged
    /// away (`hint` is added to that refusal).
    func requireMergeable(_ id: Int64, entity: String, hint: String = "", on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            "SELECT state, superseded_by FROM golden_record WHERE id = \(id) AND entity = \(entity)", logger: logger)
        guard let (state, into) = try await rows.decode((String, Int64?).self).first(where: { _ in true }) else {
            throw StoreError.notFound("\(entity) \(id) does not exist")
        }
        guard let current = RecordState(rawValue: state) else { throw StoreError.unavailable("\(entity) \(id) has an unknown state \(state)") }
        if RecordMergeStates.merged(from: current) == nil {
            throw StoreError.conflict("\(entity) \(id) is already merged into \(into.map(String.init) ?? "another record")\(hint)")
        }
    }

    /// Writes a merge or unmerge change request: `record` gets the proposal, `other` is the record
    /// merged away or restored.
    func openLifecycleChange(_ kind: ChangeKind, entity: String, record: Int64, other: Int64, situation: IngestPlanner.Situation,
                             verdict: Verdict, lineage: [String: Lineage], contributions: [SourceContribution],
                             stewardValues: [String: StewardValue], reason: String, caller: Principal, requestID: String,
                             on connection: PostgresConnection) async throws -> ChangeRequestView {
        let diff = AttributeChange.diff(from: situation.currentAttributes, to: verdict.attributes)
        let kept = lineage.filter { verdict.attributes[$0.key] != nil }
        let rows = try await connection.query("""
            INSERT INTO change_request (entity, kind, record_id, base_version, source, source_key, submitted_by, proposed, diff, warnings,
                                        rules_version, contributions, steward_values, lineage, merge_record_id, reason)
            VALUES (\(entity), \(kind.rawValue), \(record), \(situation.currentVersion), 'steward', \("merge:\(other)"), \(caller.name),
                    \(SQLJSON.text(verdict.attributes))::jsonb, \(SQLJSON.text(diff))::jsonb, \(SQLJSON.text(verdict.warnings))::jsonb,
                    \(rules.version), \(SQLJSON.text(contributions))::jsonb, \(SQLJSON.text(stewardValues))::jsonb,
                    \(SQLJSON.text(kept))::jsonb, \(other), \(reason))
            RETURNING id
            """, logger: logger)
        let id = try await rows.decode(Int64.self).first { _ in true }!
        try await AuditLog.append(AuditEntry(
            actor: caller.name, action: "change_request.opened", entity: entity, subject: "change_request:\(id)", recordID: record,
            version: situation.currentVersion, before: .object(situation.currentAttributes), after: .object(verdict.attributes),
            reason: reason, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
        return try await reloaded(id, on: connection)
    }

    /// The last merge of `id` not undone: the record it went into, the keys it moved and the
    /// steward values it carried.
    func lastMerge(of id: Int64, entity: String, on connection: PostgresConnection) async throws
        -> (id: Int64, into: Int64, keys: [MovedKey], carried: [String: StewardValue])? {
        let rows = try await connection.query("""
            SELECT rm.id, rm.into_record_id, rm.moved_keys::text, cr.steward_values::text
            FROM record_merge rm JOIN change_request cr ON cr.id = rm.change_request_id
            WHERE rm.record_id = \(id) AND rm.entity = \(entity) AND rm.undone_by IS NULL
            ORDER BY rm.id DESC LIMIT 1
            """, logger: logger)
        for try await (mergeID, into, keys, carried) in rows.decode((Int64, Int64, String, String).self) {
            return (mergeID, into, try SQLJSON.decode([MovedKey].self, keys), try SQLJSON.decode([String: StewardValue].self, carried))
        }
        return nil
    }

    /// A source key a merge moved, and the record it had been moved from before, if any.
    struct MovedKey: Codable {
        var source: String
        var sourceKey: String
        var mergedFrom: Int64?
        enum CodingKeys: String, CodingKey { case source, sourceKey = "source_key", mergedFrom = "merged_from" }
    }

    /// Releases a merge's absorbed record: its source keys move to `target`, it becomes
    /// `superseded` (a version of its own saying so, pointing at `target`), gives up its unique
    /// values and blocking keys; the move is kept for an unmerge.
    func supersede(_ absorbed: Int64, into target: Int64, by request: ChangeRequestView, caller: Principal, requestID: String,
                   on connection: PostgresConnection) async throws {
        let changed = try await connection.query("""
            SELECT (SELECT min(id) FROM change_request WHERE record_id = \(absorbed) AND status = 'open'),
                   gr.updated_at > (SELECT created_at FROM change_request WHERE id = \(request.id))
            FROM golden_record gr WHERE gr.id = \(absorbed)
            """, logger: logger)
        for try await (open, updated) in changed.decode((Int64?, Bool).self) {
            if let open { throw StoreError.conflict("\(request.entity) \(absorbed) has open change request \(open); decide it first, then approve the merge") }
            if updated { throw StoreError.conflict("\(request.entity) \(absorbed) changed since the merge was proposed; reject this merge and propose it again") }
        }
        let keys = try await connection.query("""
            SELECT coalesce(json_agg(json_build_object('source', source, 'source_key', source_key, 'merged_from', merged_from)
                                     ORDER BY source, source_key), '[]')::text
            FROM record_source WHERE record_id = \(absorbed)
            """, logger: logger)
        let moved = try await keys.decode(String.self).first { _ in true } ?? "[]"
        try await connection.query("""
            UPDATE record_source SET record_id = \(target), merged_from = \(absorbed) WHERE record_id = \(absorbed)
            """, logger: logger)
        let version = try await appendVersion(of: absorbed, state: .superseded, supersededBy: target, attributes: nil, lineage: nil,
                                              request: request, caller: caller, on: connection)
        try await connection.query("DELETE FROM unique_value WHERE record_id = \(absorbed)", logger: logger)
        try await MatchKeys.drop(record: absorbed, on: connection, logger: logger)
        try await connection.query("""
            INSERT INTO record_merge (entity, record_id, into_record_id, change_request_id, moved_keys)
            VALUES (\(request.entity), \(absorbed), \(target), \(request.id), \(moved)::jsonb)
            """, logger: logger)
        try await AuditLog.append(AuditEntry(
            actor: caller.name, action: "record.merged", entity: request.entity, subject: "record:\(absorbed)", recordID: absorbed,
            version: version, after: ["superseded_by": .number(Double(target)), "moved_keys": try SQLJSON.decode(JSONValue.self, moved)],
            reason: request.reason, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
    }

    /// An unmerge's first step: the source keys the merge moved go back to the restored record.
    func moveKeysBack(from target: Int64, to restored: Int64, request: ChangeRequestView, on connection: PostgresConnection) async throws {
        guard let merge = try await lastMerge(of: restored, entity: request.entity, on: connection), merge.into == target else {
            throw StoreError.conflict("\(request.entity) \(restored) is no longer merged into \(target); reject this unmerge")
        }
        for key in merge.keys {
            try await connection.query("""
                UPDATE record_source SET record_id = \(restored), merged_from = \(key.mergedFrom)
                WHERE entity = \(request.entity) AND source = \(key.source) AND source_key = \(key.sourceKey) AND record_id = \(target)
                """, logger: logger)
        }
        for (attribute, typed) in merge.carried {
            try await connection.query("""
                DELETE FROM steward_value WHERE record_id = \(target) AND attribute = \(attribute) AND at = \(typed.at)
                """, logger: logger)
        }
        try await connection.query("UPDATE record_merge SET undone_by = \(request.id) WHERE id = \(merge.id)", logger: logger)
    }

    /// An unmerge's last step: the restored record is back in the state it had before the merge
    /// (a blocked one stays blocked) with the values of its last version before it, its unique
    /// values and blocking keys its own again.
    func restore(_ restored: Int64, request: ChangeRequestView, schema: EntitySchema, caller: Principal, requestID: String,
                 on connection: PostgresConnection) async throws {
        let rows = try await connection.query("""
            SELECT attributes::text, lineage::text, state FROM golden_version
            WHERE record_id = \(restored) AND state <> \(RecordState.superseded.rawValue) ORDER BY version DESC LIMIT 1
            """, logger: logger)
        guard let (text, lineageText, stateText) = try await rows.decode((String, String, String).self).first(where: { _ in true }) else {
            throw StoreError.conflict("\(request.entity) \(restored) has no version to restore")
        }
        guard let before = RecordState(rawValue: stateText) else { throw StoreError.unavailable("\(request.entity) \(restored) has an unknown state") }
        let attributes = try SQLJSON.decode(Attributes.self, text)
        let lineage = try SQLJSON.decode([String: Lineage].self, lineageText)
        let version = try await appendVersion(of: restored, state: RecordMergeStates.unmerged(before: before), supersededBy: nil,
                                              attributes: attributes, lineage: lineage,
                                              request: request, caller: caller, on: connection)
        try await UniqueValues.claim(record: restored, entity: request.entity, attributes: attributes, schema: schema, on: connection, logger: logger)
        try await MatchKeys.replace(record: restored, entity: request.entity, attributes: attributes, rules: schema.match,
                                    on: connection, logger: logger)
        try await AuditLog.append(AuditEntry(
            actor: caller.name, action: "record.unmerged", entity: request.entity, subject: "record:\(restored)", recordID: restored,
            version: version, after: .object(attributes), reason: request.reason, rulesVersion: rules.version, requestID: requestID),
            on: connection, logger: logger)
    }

    /// Appends the next version of `record` in `state`, with `attributes` (nil: the current ones),
    /// and puts the record in that state.
    func appendVersion(of record: Int64, state: RecordState, supersededBy: Int64?, attributes: Attributes?, lineage: [String: Lineage]?,
                       request: ChangeRequestView,
                       caller: Principal, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("""
            SELECT gr.current_version, gv.attributes::text, gv.lineage::text FROM golden_record gr
            JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
            WHERE gr.id = \(record)
            """, logger: logger)
        guard let (current, text, lineageText) = try await rows.decode((Int, String, String).self).first(where: { _ in true }) else {
            throw StoreError.notFound("golden record \(record) does not exist")
        }
        let values = try attributes ?? SQLJSON.decode(Attributes.self, text)
        let origin = try lineage ?? SQLJSON.decode([String: Lineage].self, lineageText)
        try await insertVersion(record: record, version: current + 1, state: state.rawValue, attributes: values, lineage: origin,
                                changeRequest: request.id, caller: caller, on: connection)
        try await connection.query("""
            UPDATE golden_record SET current_version = \(current + 1), state = \(state.rawValue), superseded_by = \(supersededBy), updated_at = now()
            WHERE id = \(record)
            """, logger: logger)
        return current + 1
    }
}

import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// A steward settles a possible duplicate as the same thing: the open create becomes an update
    /// of `recordID` (its source key is linked to the record on release), its golden values chosen
    /// by survivorship with the record's other sources. Like an edit, it raises the revision and
    /// the linker may no longer approve it.
    public func link(changeRequest id: Int64, to recordID: Int64, by caller: Principal, comment: String?,
                     requestID: String) async throws -> ChangeRequestView {
        try await transaction { connection in
            let (request, initial) = try await decidable(id, by: caller, alsoRecord: recordID, on: connection)
            guard request.kind == .create, request.recordID == nil else {
                throw StoreError.conflict("change request \(id) is a \(request.kind.rawValue) of record \(request.recordID.map(String.init) ?? "-"); only a create can be linked to a record")
            }
            var lifecycle = initial
            guard case .recordRevision(let next) = try Self.decide({ () throws(ChangeRequestError) in try lifecycle.edit(by: caller.name) }) else {
                throw StoreError.conflict("change request \(id) cannot be linked now")
            }
            try await requireMergeable(recordID, entity: request.entity, hint: "; link to that one", on: connection)
            let target = recordID
            var (situation, open) = try await self.situation(ofRecord: target, on: connection)
            if let open {
                throw StoreError.conflict("\(request.entity) \(target) has open change request \(open.id); decide it first, then link \(id) to it")
            }
            guard let schema = rules.entities[request.entity] else { throw StoreError.invalid("the rules no longer define entity \(request.entity)") }
            situation.openChangeRequest = Self.openProposal(request)
            let golden = IngestPlanner.golden(pending: request.contributions, situation: situation, rules: schema.survive, trust: rules.trust)
            let verdict = try await validate(golden.attributes, entity: request.entity, recordID: target, on: connection)
            guard verdict.isValid else {
                throw StoreError.invalid("linked to \(request.entity) \(target), the proposal would not be valid: "
                                         + verdict.errors.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; "))
            }
            let diff = AttributeChange.diff(from: situation.currentAttributes, to: verdict.attributes)
            let lineage = golden.lineage.filter { verdict.attributes[$0.key] != nil }
            try await connection.query("""
                UPDATE change_request
                SET kind = 'update', record_id = \(target), base_version = \(situation.currentVersion),
                    proposed = \(SQLJSON.text(verdict.attributes))::jsonb, diff = \(SQLJSON.text(diff))::jsonb,
                    warnings = \(SQLJSON.text(verdict.warnings))::jsonb, lineage = \(SQLJSON.text(lineage))::jsonb,
                    revision = \(next), edited_by = \(lifecycle.editedBy)
                WHERE id = \(id)
                """, logger: logger)
            try await connection.query("""
                UPDATE possible_duplicate SET resolution = 'linked'
                WHERE change_request_id = \(id) AND record_id = \(target) AND resolution IS NULL
                """, logger: logger)
            try await MatchKeys.drop(changeRequest: id, on: connection, logger: logger)
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.linked", entity: request.entity, subject: "change_request:\(id)",
                recordID: target, version: situation.currentVersion, before: .object(request.proposed), after: .object(verdict.attributes),
                reason: comment, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
            return try await reloaded(id, on: connection)
        }
    }

    /// A steward settles every open possible duplicate of a change request as a different thing:
    /// the pairs of source keys are remembered, and no later candidate of those keys is flagged
    /// against each other again. The change stays what it was.
    public func markDistinct(changeRequest id: Int64, by caller: Principal, comment: String?, requestID: String) async throws -> ChangeRequestView {
        try await transaction { connection in
            let (request, lifecycle) = try await decidable(id, by: caller, on: connection)
            guard lifecycle.status == .open else {
                throw StoreError.conflict("change request \(id) is \(lifecycle.status.rawValue); only an open one's duplicates can be settled")
            }
            let open = request.possibleDuplicates.filter { $0.resolution == nil }
            guard !open.isEmpty else {
                throw StoreError.conflict("change request \(id) has no open possible duplicates to settle")
            }
            let others = try await connection.query("""
                SELECT rs.source, rs.source_key FROM record_source rs WHERE rs.record_id = ANY(\(open.compactMap(\.recordID)))
                UNION
                SELECT cr.source, cr.source_key FROM change_request cr WHERE cr.id = ANY(\(open.compactMap(\.changeRequestID)))
                """, logger: logger)
            let mine = [request.source, request.sourceKey]
            for try await (source, sourceKey) in others.decode((String, String).self) where [source, sourceKey] != mine {
                let (a, b) = mine.lexicographicallyPrecedes([source, sourceKey]) ? (mine, [source, sourceKey]) : ([source, sourceKey], mine)
                try await connection.query("""
                    INSERT INTO distinct_pair (entity, source_a, source_key_a, source_b, source_key_b, decided_by)
                    VALUES (\(request.entity), \(a[0]), \(a[1]), \(b[0]), \(b[1]), \(caller.name)) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            try await connection.query("""
                UPDATE possible_duplicate SET resolution = 'distinct' WHERE change_request_id = \(id) AND resolution IS NULL
                """, logger: logger)
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.distinct", entity: request.entity, subject: "change_request:\(id)",
                recordID: request.recordID,
                after: ["distinct_from": .array(open.map { $0.recordID.map { .string("record:\($0)") } ?? .string("change_request:\($0.changeRequestID ?? 0)") })],
                reason: comment, rulesVersion: rules.version, requestID: requestID), on: connection, logger: logger)
            return try await reloaded(id, on: connection)
        }
    }
}

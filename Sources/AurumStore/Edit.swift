import AurumCore
import Logging
import PostgresNIO

extension PostgresStewardshipStore {
    /// A steward's override of an open proposal: `set` is laid over it (null clears), the result
    /// validated whole, and stored as the next revision with its diff. The editor may no longer
    /// approve it, and approvals of the earlier revision lapse.
    public func edit(changeRequest id: Int64, by caller: Principal, set: Attributes, revision: Int?, comment: String?,
                     requestID: String) async throws -> ChangeRequestView {
        try await transaction { connection in
            var (request, lifecycle) = try await decidable(id, by: caller, on: connection)
            if let change = RecordStateChange(request.kind) {
                throw StoreError.conflict("change request \(id) is a \(change.rawValue) and changes no values; approve or withdraw it, and edit the values in a change of their own")
            }
            guard case .recordRevision(let next) = try Self.decide({ () throws(ChangeRequestError) in
                try lifecycle.edit(by: caller.name, seenRevision: revision)
            }) else { throw StoreError.conflict("change request \(id) cannot be edited now") }
            let verdict = try await validate(request.proposed.overlaid(with: set), entity: request.entity, recordID: request.recordID, on: connection)
            guard verdict.isValid else {
                throw StoreError.invalid("the edited proposal is not valid: "
                                         + verdict.errors.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; "))
            }
            guard verdict.attributes != request.proposed else {
                throw StoreError.invalid("the edit changes nothing; the proposal already says this")
            }
            let base = try await baseAttributes(of: request, on: connection)
            let diff = AttributeChange.diff(from: base, to: verdict.attributes)
            // What the steward typed wins over every source until a steward changes it again.
            let instant = Self.instant()
            for name in set.keys {
                request.stewardValues[name] = StewardValue(value: verdict.attributes[name] ?? .null, steward: caller.name, at: instant)
                request.lineage[name] = Lineage(steward: caller.name, strategy: "steward")
            }
            try await connection.query("""
                UPDATE change_request
                SET proposed = \(SQLJSON.text(verdict.attributes))::jsonb, diff = \(SQLJSON.text(diff))::jsonb,
                    warnings = \(SQLJSON.text(verdict.warnings))::jsonb, revision = \(next), edited_by = \(lifecycle.editedBy),
                    steward_values = \(SQLJSON.text(request.stewardValues))::jsonb, lineage = \(SQLJSON.text(request.lineage))::jsonb
                WHERE id = \(id)
                """, logger: logger)
            if request.kind == .create {
                try await MatchKeys.drop(changeRequest: id, on: connection, logger: logger)
                try await MatchKeys.add(changeRequest: id, entity: request.entity, attributes: verdict.attributes,
                                        rules: rules.entities[request.entity]?.match, on: connection, logger: logger)
            }
            try await AuditLog.append(AuditEntry(
                actor: caller.name, action: "change_request.edited", entity: request.entity, subject: "change_request:\(id)",
                recordID: request.recordID, version: request.baseVersion, before: .object(request.proposed),
                after: .object(verdict.attributes), reason: comment, rulesVersion: rules.version, requestID: requestID),
                on: connection, logger: logger)
            request.proposed = verdict.attributes
            request.diff = diff
            request.warnings = verdict.warnings
            request.revision = next
            request.editedBy = lifecycle.editedBy
            return request
        }
    }

    /// The version the proposal is a change of (nothing for a create).
    func baseAttributes(of request: ChangeRequestView, on connection: PostgresConnection) async throws -> Attributes {
        guard let recordID = request.recordID, let base = request.baseVersion else { return [:] }
        let rows = try await connection.query(
            "SELECT attributes::text FROM golden_version WHERE record_id = \(recordID) AND version = \(base)", logger: logger)
        guard let text = try await rows.decode(String.self).first(where: { _ in true }) else { return [:] }
        return try SQLJSON.decode(Attributes.self, text)
    }
}

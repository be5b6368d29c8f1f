import AurumCore

/// Attribute maps as one line or as a two-column table.
enum AttributeText {
    static func inline(_ attributes: Attributes) -> String {
        attributes.keys.sorted().map { "\($0)=\(attributes[$0]!.displayText)" }.joined(separator: " ")
    }

    static func table(_ attributes: Attributes) -> String {
        var table = Table("ATTRIBUTE", "VALUE")
        for name in attributes.keys.sorted() { table.add(name, attributes[name]!.displayText) }
        return table.render()
    }
}

/// A change request for a steward to read.
enum ChangeRequestText {
    static func render(_ r: ChangeRequestView) -> String {
        var lines = [
            "change request \(r.id): \(r.kind.rawValue) \(r.entity)\(r.recordID.map { " record \($0)" } ?? "") — \(r.status.rawValue)",
            "source \(r.source) key \(r.sourceKey), candidate \(r.candidateID.map(String.init) ?? "-"), submitted by \(r.submittedBy) at \(r.createdAt)",
            "revision \(r.revision)\(r.baseVersion.map { ", based on version \($0)" } ?? ""), rules \(r.rulesVersion)"
                + (r.editedBy.isEmpty ? "" : ", edited by \(r.editedBy.joined(separator: ", "))"),
            "approvals \(r.approvals.count) of \(r.requiredApprovals)" + r.approvals.map { " · \($0.approver)\($0.comment.map { ": \($0)" } ?? "")" }.joined(),
        ]
        if let reason = r.reason { lines.append("reason: \(reason)") }
        if let next = r.supersededBy { lines.append("superseded by change request \(next)") }
        lines.append("")
        var diff = Table("ATTRIBUTE", "CURRENT", "PROPOSED")
        for change in r.diff { diff.add(change.attribute, change.before?.displayText ?? "—", change.after?.displayText ?? "—") }
        lines.append(r.diff.isEmpty ? "no changes" : diff.render())
        if !r.warnings.isEmpty {
            lines.append("")
            lines += r.warnings.map { "warning: \($0.attribute) [\($0.rule)] \($0.message)" }
        }
        return lines.joined(separator: "\n")
    }
}

/// A golden record for a person to read.
enum RecordText {
    static func render(_ record: RecordView) -> String {
        let sources = record.sources.map { "\($0.source):\($0.sourceKey)" }.joined(separator: ", ")
        return """
            \(record.entity) \(record.id) version \(record.version) (\(record.state.rawValue)), sources \(sources), updated \(record.updatedAt)
            \(AttributeText.table(record.attributes))
            """
    }
}

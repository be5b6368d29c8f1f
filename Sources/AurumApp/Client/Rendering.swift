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
            "approvals \(r.approvals.count)" + r.approvals.map { " · \($0.approver)\($0.gate.map { " at \($0)" } ?? "")\($0.comment.map { ": \($0)" } ?? "")" }.joined(),
        ]
        // An open change request's gates: each one's state, who approves at it and who did.
        for gate in r.gates {
            let by = gate.approvals.map(\.by).joined(separator: ", ")
            lines.append("gate \(gate.name): \(gate.status.rawValue), needs \(gate.needs) of \(gate.approvers ?? "nobody")"
                         + (by.isEmpty ? "" : ", approved by \(by)")
                         + (gate.waitingFor.isEmpty ? "" : ", waits for \(gate.waitingFor.joined(separator: " and "))"))
        }
        if let reason = r.reason { lines.append("reason: \(reason)") }
        for comment in r.comments { lines.append("comment by \(comment.by) at \(comment.at): \(comment.text)") }
        if let next = r.supersededBy { lines.append("superseded by change request \(next)") }
        lines.append("")
        lines.append(DiffText.render(r))
        if !r.warnings.isEmpty {
            lines.append("")
            lines += r.warnings.map { "warning: \($0.attribute) [\($0.rule)] \($0.message)" }
        }
        if let match = r.match, match.band == .autoLink, let record = match.recordID {
            lines.append("")
            lines.append("linked by matching to record \(record), weight \(MatchExplanation.fixed(match.score ?? 0, 1))")
            if let text = match.explanation?.objectValue?["text"]?.stringValue { lines.append("  \(text)") }
        }
        if !r.possibleDuplicates.isEmpty {
            lines.append("")
            lines.append("possible duplicates (strongest first):")
            for d in r.possibleDuplicates {
                let what = d.recordID.map { "record \($0)" + (d.changeRequestID.map { " (released by change request \($0))" } ?? "") }
                    ?? "change request \(d.changeRequestID ?? 0), not released yet"
                lines.append("  \(what)  \(d.band.rawValue)  weight \(MatchExplanation.fixed(d.score, 1))\(d.resolution.map { "  (\($0))" } ?? "")")
                if let text = d.explanation.objectValue?["text"]?.stringValue { lines.append("      \(text)") }
            }
            let open = r.possibleDuplicates.filter { $0.resolution == nil }
            if !open.isEmpty {
                // A record can be linked to; a proposal not released yet cannot (wait for it, or settle as distinct).
                let records = open.compactMap(\.recordID)
                lines.append("  settle with: " + (records.isEmpty ? "" : "aurum link \(r.id) --to \(records.count == 1 ? String(records[0]) : "ID")  |  ")
                             + "aurum distinct \(r.id)" + (records.count < open.count ? "  (a change request not released yet cannot be linked to)" : ""))
            }
        }
        if !r.lineage.isEmpty {
            lines.append("")
            lines.append("lineage: " + LineageText.inline(r.lineage))
        }
        return lines.joined(separator: "\n")
    }
}

/// What a change request changes, one line per attribute: `- removed`, `+ added`, `~ before → after`,
/// red and green on a terminal.
enum DiffText {
    static func render(_ r: ChangeRequestView) -> String {
        if let change = RecordStateChange(r.kind) {
            let to = change.target(from: change == .unblock ? .blocked : .active)
            return "state: " + Colour.green((try? to.get())?.rawValue ?? change.rawValue) + " (values unchanged)"
        }
        guard !r.diff.isEmpty else { return "no changes" }
        let width = r.diff.map(\.attribute.count).max() ?? 0
        return r.diff.map { change in
            let name = change.attribute.padding(toLength: width)
            switch (change.before, change.after) {
            case (nil, let after?): return Colour.green("+ \(name)  \(after.displayText)")
            case (let before?, nil): return Colour.red("- \(name)  \(before.displayText)")
            case (let before, let after):
                return "~ \(name)  " + Colour.red(before?.displayText ?? "—") + " → " + Colour.green(after?.displayText ?? "—")
            }
        }.joined(separator: "\n")
    }
}

/// A golden record for a person to read.
enum RecordText {
    static func render(_ record: RecordView) -> String {
        let sources = record.sources.map { "\($0.source):\($0.sourceKey)" }.joined(separator: ", ")
        return """
            \(record.entity) \(record.id) version \(record.version) (\(record.state.rawValue)\(record.supersededBy.map { ", merged into \($0)" } ?? "")), sources \(sources), updated \(record.updatedAt)
            \(AttributeText.table(record.attributes))
            \(record.lineage.isEmpty ? "" : "lineage: " + LineageText.inline(record.lineage))
            """ + (record.deliveries.map { list in
                list.isEmpty ? "" : "\ndeliveries: " + list.map { "\($0.consumer) v\($0.version) \($0.state.rawValue)" + ($0.state == .dead ? " (\($0.lastError ?? ""))" : "") }
                    .joined(separator: " · ")
            } ?? "")
    }
}


/// Where values came from, in one line: `name plm:P-1 (trust) · uom steward erin`.
enum LineageText {
    static func inline(_ lineage: [String: Lineage]) -> String {
        lineage.sorted { $0.key < $1.key }.map { name, l in
            if let steward = l.steward { return "\(name) steward \(steward)" }
            return "\(name) \(l.source ?? "?"):\(l.sourceKey ?? "?") (\(l.strategy))"
        }.joined(separator: " · ")
    }
}

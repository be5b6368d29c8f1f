import ArgumentParser
import AurumCore
import Foundation

/// `aurum diff CR`: what a change request changes, and nothing else.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a change request changes against the record's current version (coloured on a terminal).",
        discussion: """
            One line per attribute: + added, - removed, ~ changed (before → after). Colour only on a \
            terminal, never with NO_COLOR set or TERM=dumb. --json prints {"change_request_id", "diff": \
            [{"attribute", "before", "after"}]}.

            Examples:
              aurum diff 42
              aurum diff 42 --json | jq '.diff[].attribute'
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        let request = try await calling { try await api.send(.GET, "/v1/change-requests/\(changeRequest.id)").decode(ChangeRequestView.self) }
        if client.json {
            struct Answer: Encodable {
                var changeRequestID: Int64; var kind: ChangeKind; var recordID: Int64?; var diff: [AttributeChange]
                enum CodingKeys: String, CodingKey { case changeRequestID = "change_request_id", kind, recordID = "record_id", diff }
            }
            return print(JSONOutput.string(Answer(changeRequestID: request.id, kind: request.kind, recordID: request.recordID, diff: request.diff)))
        }
        let what = "\(request.kind.rawValue) \(request.entity)\(request.recordID.map { " \($0)" } ?? "")"
        print("change request \(request.id): \(what), revision \(request.revision)\(request.baseVersion.map { ", against version \($0)" } ?? "")")
        print(DiffText.render(request))
    }
}

/// `aurum history ENTITY ID`: a golden record's versions and decisions.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a golden record's history: every change request, approval, rejection and version, with actors and reasons.",
        discussion: """
            Examples:
              aurum history supplier 7
              aurum history item 12 --json
            """)

    @OptionGroup var record: RecordArguments
    var entity: String { record.entity }
    var id: Int64 { record.id }
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        let history = try await calling { try await api.send(.GET, "/v1/records/\(entity)/\(id)/history").decode(HistoryView.self) }
        if client.json { return print(JSONOutput.string(history)) }
        var table = Table("AT", "ACTOR", "WHAT", "CR", "VERSION", "DETAIL")
        for event in history.events {
            var detail = [String]()
            if let gate = event.gate { detail.append("gate \(gate)") }
            if let state = event.state { detail.append("\(state.from) → \(state.to)") }
            if let reason = event.reason { detail.append(reason) }
            table.add(String(event.at.prefix(19)).replacingOccurrences(of: "T", with: " "), event.actor, event.action,
                      event.changeRequestID.map(String.init) ?? "", event.version.map(String.init) ?? "", detail.joined(separator: " · "))
        }
        print("\(entity) \(id): \(counted(history.events.count, "event"))")
        print(table.render())
    }
}

/// `aurum status`: what waits, per entity.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The status board: per entity, open change requests by gate and age, possible duplicates, blocked records, rejections; deliveries per consumer; the feed's position.",
        discussion: """
            Ages: under a day, one to seven days, over seven days. A gate's "waiting" ones wait for an \
            earlier gate first. TO DELIVER counts deliveries to Odoo and the webhook endpoints not done \
            yet; DEAD those given up (aurum deliveries --state dead, aurum replay); per consumer with \
            the oldest waiting one and the latest error. The same board, for people, is the server's \
            status page (/status in a browser).

            Examples:
              aurum status
              aurum status --json | jq '.entities[] | select(.open.over_7d > 0)'
            """)

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        let board = try await calling { try await api.send(.GET, "/v1/status").decode(StatusBoard.self) }
        if client.json { return print(JSONOutput.string(board)) }
        print(StatusText.render(board))
    }
}

enum StatusText {
    static func render(_ board: StatusBoard) -> String {
        var table = Table("ENTITY", "OPEN", "<1D", "1-7D", ">7D", "DUPLICATES", "BLOCKED", "OBSOLETE", "REJECTED 24H", "TO DELIVER", "DEAD")
        for e in board.entities {
            table.add(e.entity, String(e.open.total), String(e.open.underOneDay), String(e.open.oneToSevenDays), String(e.open.overSevenDays),
                      String(e.possibleDuplicates), String(e.blocked), String(e.obsolete), String(e.rejectedLast24h),
                      String(e.deliveriesPending), String(e.deliveriesDead))
        }
        var lines = ["status at \(board.generatedAt)", table.render()]
        for e in board.entities {
            guard let failure = e.lastDeliveryError else { continue }
            lines.append("\(e.entity): \(e.deliveriesPending) to deliver; \(failure.consumer) failed (next try \(failure.nextAttemptAt.prefix(19))): \(failure.error)")
        }
        if !board.consumers.isEmpty {
            var consumers = Table("CONSUMER", "TO DELIVER", "DEAD", "OLDEST WAITING", "LAST ERROR")
            for c in board.consumers {
                consumers.add(c.consumer, String(c.pending), String(c.dead), c.oldestPendingAt.map { String($0.prefix(19)) } ?? "",
                              c.lastError.map { String($0.prefix(80)) } ?? "")
            }
            lines += ["", consumers.render()]
        }
        lines.append("feed position \(board.feedPosition)")
        let gated = board.entities.filter { !$0.gates.isEmpty }
        if !gated.isEmpty {
            var gates = Table("ENTITY", "GATE", "PENDING", "<1D", "1-7D", ">7D", "WAITING")
            for e in gated {
                for g in e.gates {
                    gates.add(e.entity, g.gate, String(g.pending.total), String(g.pending.underOneDay), String(g.pending.oneToSevenDays),
                              String(g.pending.overSevenDays), String(g.waiting))
                }
            }
            lines += ["", gates.render()]
        }
        return lines.joined(separator: "\n")
    }
}

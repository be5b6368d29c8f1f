import ArgumentParser
import AurumCore
import Foundation

/// Runs a command's call to the server, turning refusals into a message and an exit code.
func calling<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as APIError {
        printError("error: \(error.description)")
        throw error.exitCode
    }
}

/// Posts `body` to the server's `path` and decodes the answer as `T`. With `--json` it prints
/// `json(answer)` and returns nil; otherwise it returns the answer for the command to say in words.
func post<T: Decodable, J: Encodable>(_ path: String, _ body: some Encodable, as type: T.Type, client: ClientOptions,
                                      json: (T) -> J) async throws -> T? {
    let api = try client.client()
    let answer = try await calling { try await api.send(.POST, path, json: body).decode(T.self) }
    if client.json {
        print(JSONOutput.string(json(answer)))
        return nil
    }
    return answer
}

/// `aurum queue`: the change requests waiting for a decision.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List change requests (open ones by default), oldest first.",
        discussion: """
            Examples:
              aurum queue --mine                          # what I may approve now
              aurum queue --entity supplier --gate finance
              aurum queue --older-than 2d --duplicates    # waiting two days or more, flagged as possible duplicates
              aurum queue --status all --source portal --json
            """)

    @Option(help: "open, released, rejected, superseded, withdrawn, approved or all.", completion: Completions.statuses) var status = "open"
    @Option(help: "Only change requests of this entity.", completion: Completions.entities) var entity: String?
    @Option(help: "Only those a candidate of this source opened.", completion: Completions.sources) var source: String?
    @Option(help: "Only those whose gate of this name waits for approvals.", completion: Completions.gates) var gate: String?
    @Flag(help: "Only those I may approve now (an open gate takes me, and I neither submitted nor edited them).") var mine = false
    @Option(name: .customLong("older-than"), help: ArgumentHelp("Only those opened at least this long ago (2d, 12h, 30m).", valueName: "2d"))
    var olderThan: String?
    @Flag(help: "Only those with a possible duplicate no steward has settled.") var duplicates = false
    @Option(help: "At most this many (1 to 1000).") var limit = 100
    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard status == "all" || ChangeRequestStatus(rawValue: status) != nil else {
            throw ValidationError("--status \(status) is unknown; one of all, \(ChangeRequestStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
        if let olderThan, DurationText.seconds(olderThan) == nil {
            throw ValidationError("--older-than \(olderThan) is not a duration; give days, hours or minutes, e.g. 2d, 12h or 30m")
        }
        let rules = ClientRules.load()
        if let entity { try ClientRules.check(entity: entity, in: rules) }
        if let source, source != "steward" { try ClientRules.check(source: source, entity: nil, in: rules) }
        if let gate { try ClientRules.check(gate: gate, in: rules) }
    }

    /// The query the server is asked, its values escaped.
    var query: String {
        var items = [URLQueryItem(name: "limit", value: String(limit))]
        if status != "all" { items.append(URLQueryItem(name: "status", value: status)) }
        for (name, value) in [("entity", entity), ("source", source), ("gate", gate), ("older_than", olderThan)] {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        if mine { items.append(URLQueryItem(name: "mine", value: "true")) }
        if duplicates { items.append(URLQueryItem(name: "duplicates", value: "true")) }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }

    func run() async throws {
        let api = try client.client()
        let requests = try await calling {
            try await api.send(.GET, "/v1/change-requests?\(query)").decode([ChangeRequestView].self)
        }
        if client.json { return print(JSONOutput.string(requests)) }
        if client.quiet { return requests.forEach { print(String($0.id)) } }
        if requests.isEmpty { return print("no \(status == "all" ? "" : status + " ")change requests") }
        var table = Table("ID", "ENTITY", "KIND", "RECORD", "SOURCE KEY", "CHANGES", "WARN", "GATES", "STATUS", "AGE")
        for r in requests {
            let gates = r.gates.filter { $0.status != .satisfied }.map { "\($0.name)\($0.status == .waiting ? " (waits)" : "")" }
            table.add(String(r.id), r.entity, r.kind.rawValue, r.recordID.map(String.init) ?? "new", "\(r.source):\(r.sourceKey)",
                      r.diff.map(\.attribute).joined(separator: ","), String(r.warnings.count), gates.joined(separator: ","),
                      r.status.rawValue, DurationText.age(since: r.createdAt))
        }
        print(table.render())
    }
}

/// `aurum show CR`: one change request in full.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a change request: proposal, diff against the current version, warnings, possible duplicates, gates and approvals.",
        discussion: """
            The diff is coloured on a terminal (never with NO_COLOR set, TERM=dumb, or into a pipe).

            Examples:
              aurum show 42
              aurum show 42 --json
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    var id: Int64 { changeRequest.id }
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        let request = try await calling { try await api.send(.GET, "/v1/change-requests/\(id)").decode(ChangeRequestView.self) }
        if client.json { return print(JSONOutput.string(request)) }
        print(ChangeRequestText.render(request))
    }
}

/// `aurum edit CR --set attr=value`: a steward's override of an open proposal.
struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change an open proposal: the change request's next revision, validated whole.",
        discussion: """
            Four-eyes: whoever edits a proposal can no longer approve it, and approvals of the earlier \
            revision lapse. Values are given as text, as a CSV would carry them (weight=0.5, sale_ok=true). \
            --json prints {"change_request_id", "change_request"}; --quiet the new revision.

            Examples:
              aurum edit 42 --set weight=0.021 --revision 1 --comment "per piece, not per pack"
              aurum edit 42 --set uom=kg --clear purchase_uom --json
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    var id: Int64 { changeRequest.id }
    @Option(name: .customLong("set"), help: ArgumentHelp("An attribute's new value (repeat for several).", valueName: "attr=value"))
    var assignments: [String] = []
    @Option(name: .customLong("clear"), help: ArgumentHelp("An attribute to remove from the proposal (repeat for several).", valueName: "attr"))
    var cleared: [String] = []
    @Option(help: "The revision you reviewed; refused if the proposal changed since.") var revision: Int?
    @Option(help: "Why (kept in the audit trail).") var comment: String?
    @OptionGroup var client: ClientOptions

    func validate() throws {
        if assignments.isEmpty && cleared.isEmpty { throw ValidationError("give at least one --set attr=value or --clear attr") }
        for assignment in assignments where !assignment.contains("=") || assignment.hasPrefix("=") {
            throw ValidationError("--set \(assignment): write it as attribute=value")
        }
    }

    func run() async throws {
        let api = try client.client()
        var set = [String: JSONValue]()
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            set[String(parts[0])] = .string(String(parts[1]))
        }
        for name in cleared { set[name] = .null }
        var body: [String: JSONValue] = ["set": .object(set)]
        if let revision { body["revision"] = .number(Double(revision)) }
        if let comment { body["comment"] = .string(comment) }
        let edited = try await calling { try await api.send(.POST, "/v1/change-requests/\(id)/edit", json: body).decode(ChangeRequestView.self) }
        if client.json { return print(JSONOutput.string(ChangeRequestID(edited))) }
        if client.quiet { return print(edited.revision) }
        print("change request \(id) is at revision \(edited.revision); another steward must approve it")
        print(ChangeRequestText.render(edited))
    }
}

/// `aurum approve CR`, or `aurum approve --filter …` for every change request the filter takes
/// that I may approve now: approve; the last approval releases the next golden version.
struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Approve a change request, or in bulk those a filter takes; the final approval releases a new golden-record version.",
        discussion: """
            The approval counts at the first open gate of the change request that takes you (your \
            token's groups, or your role); the change is released when every gate is satisfied. \
            aurum show lists the gates. Four-eyes: whoever submitted or edited a change cannot approve \
            it, and one person approves it once.

            In bulk (--filter, repeatable: entity=E, source=S, gate=G, older_than=2d, kind=K), the \
            queue is asked for the open change requests you may approve now, and each is approved \
            at the revision listed (a proposal changed since is refused, 409). One flagged as a \
            possible duplicate is skipped: settle it first (aurum link / aurum distinct). \
            --dry-run writes nothing and prints what each approval would do; run the same command \
            without it to decide.

            Examples:
              aurum approve 42 --comment "checked against the drawing"
              aurum approve 42 --revision 3 --json
              aurum approve --filter entity=item --filter gate=procurement --dry-run
              aurum approve --filter entity=item --filter gate=procurement --comment "weekly release"
            """)

    @Argument(help: "The change request id (or use --filter).") var id: Int64?
    @Option(name: .customLong("filter"), help: ArgumentHelp("Approve in bulk what the queue filter takes (repeat): entity=, source=, gate=, older_than=, kind=.",
                                                         valueName: "key=value"), completion: Completions.filters)
    var filters: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Write nothing; print what each approval would do.") var dryRun = false
    @Option(help: "In bulk: at most this many change requests (1 to 1000).") var limit = 100
    @Option(help: "Why you approve (kept in the audit trail).") var comment: String?
    @Option(help: "The revision you reviewed; refused if the proposal changed since.") var revision: Int?
    @OptionGroup var client: ClientOptions

    static let filterKeys = ["entity", "source", "gate", "older_than", "kind"]

    func validate() throws {
        switch (id, filters.isEmpty) {
        case (nil, true): throw ValidationError("give a change request id, or --filter key=value to approve in bulk")
        case (.some, false): throw ValidationError("give either a change request id or --filter, not both")
        case (let id?, true): try ClientRules.check(id: id, "change request id")
        case (nil, false):
            if revision != nil { throw ValidationError("--revision is for one change request; in bulk each is approved at the revision listed") }
            _ = try parsedFilters()
        }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
    }

    /// The filters as (key, value), each key known and given once.
    func parsedFilters() throws -> [String: String] {
        var result = [String: String]()
        for filter in filters {
            let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts.first.map { $0.replacingOccurrences(of: "-", with: "_") } ?? ""
            guard parts.count == 2, Self.filterKeys.contains(key), !parts[1].isEmpty else {
                throw ValidationError("--filter \(filter): write it as key=value with key one of \(Self.filterKeys.joined(separator: ", "))")
            }
            guard result[key] == nil else { throw ValidationError("--filter \(key) is given twice") }
            result[key] = parts[1]
        }
        if let kind = result["kind"], ChangeKind(rawValue: kind) == nil {
            throw ValidationError("--filter kind=\(kind) is unknown; one of \(ChangeKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let age = result["older_than"], DurationText.seconds(age) == nil {
            throw ValidationError("--filter older_than=\(age) is not a duration; give days, hours or minutes, e.g. 2d, 12h or 30m")
        }
        let rules = ClientRules.load()
        if let entity = result["entity"] { try ClientRules.check(entity: entity, in: rules) }
        if let source = result["source"], source != "steward" { try ClientRules.check(source: source, entity: nil, in: rules) }
        return result
    }

    func body(revision: Int?) -> [String: JSONValue] {
        var body = [String: JSONValue]()
        if let comment { body["comment"] = .string(comment) }
        if let revision { body["revision"] = .number(Double(revision)) }
        if dryRun { body["dry_run"] = .bool(true) }
        return body
    }

    func run() async throws {
        let api = try client.client()
        guard let id else { return try await bulk(api) }
        let result = try await calling { try await api.send(.POST, "/v1/change-requests/\(id)/approve", json: body(revision: revision)).decode(DecisionResult.self) }
        if client.json { return print(JSONOutput.string(result)) }
        client.say("change request \(id) " + Self.outcome(result))
    }

    /// In words: what the approval did, or would do.
    static func outcome(_ result: DecisionResult) -> String {
        let gate = result.gate.map { " at gate \($0)" } ?? ""
        switch (result.dryRun, result.status) {
        case (true, .released): return "would be approved\(gate) and released (validated again then); nothing was written"
        case (true, _): return "would be approved\(gate) and wait for more approvals; nothing was written"
        case (false, .released):
            return "approved\(gate): released record \(result.recordID.map(String.init) ?? "?") version \(result.version.map(String.init) ?? "?")"
        case (false, let status): return "approved\(gate); it is \(status.rawValue) and needs more approvals"
        }
    }

    /// The outcome in a table's cell.
    static func brief(_ result: DecisionResult) -> String {
        let gate = result.gate ?? "?"
        switch (result.dryRun, result.status) {
        case (true, .released): return "would release (at \(gate))"
        case (true, _): return "would count at \(gate); more needed"
        case (false, .released): return "released: record \(result.recordID.map(String.init) ?? "?") v\(result.version.map(String.init) ?? "?")"
        case (false, _): return "counted at \(gate); more needed"
        }
    }

    /// What a bulk approval did to one change request.
    struct BulkOutcome: Encodable {
        var changeRequestID: Int64
        var decision: DecisionResult?
        var refused: String?
        var skipped: String?
        enum CodingKeys: String, CodingKey { case changeRequestID = "change_request_id", decision, refused, skipped }
    }

    func bulk(_ api: APIClient) async throws {
        let filter = try parsedFilters()
        var items = [URLQueryItem(name: "status", value: "open"), URLQueryItem(name: "mine", value: "true"),
                     URLQueryItem(name: "limit", value: String(limit))]
        for key in ["entity", "source", "gate", "older_than"] { if let value = filter[key] { items.append(URLQueryItem(name: key, value: value)) } }
        var components = URLComponents()
        components.queryItems = items
        let listed = try await calling {
            try await api.send(.GET, "/v1/change-requests?\(components.percentEncodedQuery ?? "")").decode([ChangeRequestView].self)
        }
        let taken = listed.filter { filter["kind"] == nil || $0.kind.rawValue == filter["kind"] }
        var outcomes = [BulkOutcome]()
        var failure: ExitCode?
        var table = Table("ID", "ENTITY", "KIND", "RECORD", "CHANGES", "OUTCOME")
        for request in taken {
            var outcome = BulkOutcome(changeRequestID: request.id)
            if request.possibleDuplicates.contains(where: { $0.resolution == nil }) {
                outcome.skipped = "a possible duplicate is not settled; aurum link \(request.id) --to ID or aurum distinct \(request.id) first"
            } else {
                do {
                    outcome.decision = try await api.send(.POST, "/v1/change-requests/\(request.id)/approve", json: body(revision: request.revision))
                        .decode(DecisionResult.self)
                } catch let error as APIError {
                    if case .refused = error {} else { printError("error: \(error.description)"); throw error.exitCode }
                    outcome.refused = error.description
                    failure = failure ?? error.exitCode
                }
            }
            outcomes.append(outcome)
            let said = outcome.decision.map(Self.brief) ?? outcome.refused.map { "refused: \($0)" } ?? "skipped: duplicate to settle"
            table.add(String(request.id), request.entity, request.kind.rawValue, request.recordID.map(String.init) ?? "new",
                      request.diff.map(\.attribute).joined(separator: ","), said)
        }
        if client.json {
            print(JSONOutput.string(outcomes))
        } else if taken.isEmpty {
            client.say("no open change request the filter takes is yours to approve now")
        } else {
            client.say(table.render())
            let decided = outcomes.filter { $0.decision != nil }
            let released = decided.filter { $0.decision?.status == .released }.count
            let refused = outcomes.filter { $0.refused != nil }.count, skipped = outcomes.filter { $0.skipped != nil }.count
            client.say(dryRun
                ? "dry run: \(counted(decided.count, "change request")) would be approved (\(released) released), \(refused) refused, \(skipped) skipped; "
                    + "nothing was written. Run it again without --dry-run to decide."
                : "\(counted(decided.count, "change request")) approved (\(released) released), \(refused) refused, \(skipped) skipped")
        }
        if let failure { throw failure }
    }
}

/// `aurum reject CR --reason`: reject with a reason the source can act on.
struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reject a change request; the reason goes back to the source and into the audit trail.",
        discussion: """
            Examples:
              aurum reject 42 --reason "weight is per pack, not per piece; send it per piece"
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    var id: Int64 { changeRequest.id }
    @Option(help: "Why (required).") var reason: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard try await post("/v1/change-requests/\(id)/reject", ["reason": reason], as: DecisionResult.self, client: client, json: { $0 }) != nil
        else { return }
        client.say("change request \(id) rejected")
    }
}

/// `aurum withdraw CR`: close an open change request without deciding it.
struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Withdraw an open change request (sent by mistake, or moot): closed without a decision, the reason in the audit trail.",
        discussion: """
            Examples:
              aurum withdraw 42 --reason "sent twice by the PLM export"
              aurum withdraw 42 --json
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    var id: Int64 { changeRequest.id }
    @Option(help: "Why (optional, kept in the audit trail).") var reason: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let body: JSONValue = reason.map { ["reason": .string($0)] } ?? [:]
        guard try await post("/v1/change-requests/\(id)/withdraw", body, as: DecisionResult.self, client: client, json: { $0 }) != nil
        else { return }
        client.say("change request \(id) withdrawn")
    }
}

/// `aurum comment CR TEXT`: a note for the other stewards.
struct Comment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Comment on a change request; the comment is kept in the audit trail and shown by aurum show.",
        discussion: """
            Examples:
              aurum comment 42 "asked procurement for the new IBAN letter"
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    var id: Int64 { changeRequest.id }
    @Argument(help: "The comment.") var text: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard try await post("/v1/change-requests/\(id)/comments", ["text": text], as: ChangeRequestView.self, client: client,
                             json: ChangeRequestID.init) != nil else { return }
        client.say("comment added to change request \(id)")
    }
}

/// `aurum record ENTITY ID`: a golden record's current version, or its history.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Show a golden record: its current version, --versions for every version, --diff V1 V2 for what changed; --quiet prints the version.",
        discussion: """
            A record is named ENTITY ID, as in its URL (/v1/records/item/7); --entity elsewhere filters or scopes.

            Examples:
              aurum record item 7
              aurum record supplier 3 --versions --json
              aurum record item 7 --diff 1 3
            """)

    @OptionGroup var record: RecordArguments
    var entity: String { record.entity }
    var id: Int64 { record.id }
    @Flag(help: "List every version.") var versions = false
    @Option(name: .customLong("diff"), parsing: .upToNextOption,
            help: ArgumentHelp("Compare two versions: what changed from the first to the second.", valueName: "v1 v2")) var diff: [Int] = []
    @OptionGroup var client: ClientOptions

    /// `GET /v1/records/{entity}/{id}/versions`.
    struct History: Codable { var id: Int64; var entity: String; var versions: [VersionView] }

    func validate() throws {
        guard diff.isEmpty || (diff.count == 2 && diff.allSatisfy { $0 > 0 }) else {
            throw ValidationError("--diff takes two version numbers, e.g. --diff 1 3")
        }
    }

    func run() async throws {
        let api = try client.client()
        if diff.count == 2 {
            let history = try await calling { try await api.send(.GET, "/v1/records/\(entity)/\(id)/versions").decode(History.self) }
            let byNumber = Dictionary(history.versions.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
            guard let from = byNumber[diff[0]], let to = byNumber[diff[1]] else {
                let missing = diff.first { byNumber[$0] == nil } ?? 0
                printError("error: \(entity) \(id) has no version \(missing); it has versions 1 to \(history.versions.map(\.version).max() ?? 0)")
                throw ExitStatus.notFound
            }
            let changes = AttributeChange.diff(from: from.attributes, to: to.attributes)
                + (from.state == to.state ? [] : [AttributeChange(attribute: "(state)", before: .string(from.state.rawValue), after: .string(to.state.rawValue))])
            if client.json {
                struct Diff: Encodable { var id: Int64; var entity: String; var from: Int; var to: Int; var changes: [AttributeChange] }
                return print(JSONOutput.string(Diff(id: id, entity: entity, from: diff[0], to: diff[1], changes: changes)))
            }
            if client.quiet { return changes.forEach { print($0.attribute) } }
            guard !changes.isEmpty else { return print("\(entity) \(id): versions \(diff[0]) and \(diff[1]) hold the same values") }
            var table = Table("ATTRIBUTE", "VERSION \(diff[0])", "VERSION \(diff[1])")
            for change in changes { table.add(change.attribute, change.before?.displayText ?? "—", change.after?.displayText ?? "—") }
            return print(table.render())
        }
        if versions {
            let history = try await calling { try await api.send(.GET, "/v1/records/\(entity)/\(id)/versions").decode(History.self) }
            if client.json { return print(JSONOutput.string(history)) }
            if client.quiet { return history.versions.forEach { print("\($0.version)") } }
            var table = Table("VERSION", "CHANGE REQUEST", "RELEASED BY", "RELEASED AT", "ATTRIBUTES")
            for v in history.versions {
                table.add(String(v.version), v.changeRequestID.map(String.init) ?? "", v.releasedBy, v.releasedAt, AttributeText.inline(v.attributes))
            }
            return print(table.render())
        }
        let record = try await calling { try await api.send(.GET, "/v1/records/\(entity)/\(id)").decode(RecordView.self) }
        if client.json { return print(JSONOutput.string(record)) }
        if client.quiet { return print("\(record.version)") }
        print(RecordText.render(record))
    }
}

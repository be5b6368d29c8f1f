import ArgumentParser
import AurumCore

/// `aurum link CR --to ID`: a possible duplicate is the same thing as a golden record.
struct Link: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle a possible duplicate as the same thing: the change request becomes an update of the record.",
        discussion: """
            The open create becomes an update of the golden record; on release its source key is \
            linked to that record and each golden value is chosen by the entity's survive: rules. \
            Like an edit, it raises the revision: you can no longer approve it yourself.

            Examples:
              aurum link 42 --to 7
              aurum link 42 --to 7 --comment "same VAT, new address" --json
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    var id: Int64 { changeRequest.id }
    @Option(name: .customLong("to"), help: ArgumentHelp("The golden record it is a change of.", valueName: "id")) var record: Int64
    @Option(help: "Why (kept in the audit trail).") var comment: String?
    @OptionGroup var client: ClientOptions

    func validate() throws { try ClientRules.check(id: record) }

    func run() async throws {
        let api = try client.client()
        var body: [String: JSONValue] = ["record_id": .number(Double(record))]
        if let comment { body["comment"] = .string(comment) }
        let linked = try await calling { try await api.send(.POST, "/v1/change-requests/\(id)/link", json: body).decode(ChangeRequestView.self) }
        if client.json { return print(JSONOutput.string(ChangeRequestID(linked))) }
        client.say("change request \(id) is now an update of \(linked.entity) \(record) at revision \(linked.revision); another steward must approve it")
        client.say(ChangeRequestText.render(linked))
    }
}

/// `aurum distinct CR`: a possible duplicate is a different thing.
struct Distinct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle a change request's possible duplicates as different things, never to be asked again.",
        discussion: """
            The pairs of source keys are remembered: no later candidate of these keys is flagged \
            against each other again. The change request stays what it was (a create) for approval.

            Examples:
              aurum distinct 42
              aurum distinct 42 --comment "two branches of one company" --json
            """)

    @OptionGroup var changeRequest: ChangeRequestArgument
    var id: Int64 { changeRequest.id }
    @Option(help: "Why (kept in the audit trail).") var comment: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        var body = [String: JSONValue]()
        if let comment { body["comment"] = .string(comment) }
        let settled = try await calling { try await api.send(.POST, "/v1/change-requests/\(id)/distinct", json: body).decode(ChangeRequestView.self) }
        if client.json { return print(JSONOutput.string(ChangeRequestID(settled))) }
        client.say("change request \(id): \(counted(settled.possibleDuplicates.count, "possible duplicate")) settled as distinct")
    }
}

/// What a command that changes a change request prints with --json: its id first, then the rest.
struct ChangeRequestID: Encodable {
    var request: ChangeRequestView
    init(_ request: ChangeRequestView) { self.request = request }

    enum CodingKeys: String, CodingKey { case changeRequestID = "change_request_id", changeRequest = "change_request" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(request.id, forKey: .changeRequestID)
        try c.encode(request, forKey: .changeRequest)
    }
}

/// `aurum merge ENTITY ID --into ID2 --reason R`: two golden records are one thing.
struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose merging a golden record into another (a change request through approval).",
        discussion: """
            On release the record becomes superseded, pointing at the one it went into; its source \
            keys move there, and that record gets a new version chosen by survivorship over both. \
            Ids never change; `aurum unmerge` undoes it. Whoever proposes it cannot approve it.

            Examples:
              aurum merge supplier 12 --into 7 --reason "same VAT, registered twice"
            """)

    @Argument(help: "item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
    @Argument(help: "The golden record merged away.") var id: Int64
    @Option(name: .customLong("into"), help: ArgumentHelp("The golden record that stays.", valueName: "id")) var into: Int64
    @Option(help: "Why (required; kept in the audit trail).") var reason: String
    @OptionGroup var client: ClientOptions

    func validate() throws {
        try ClientRules.check(entity: entity)
        try ClientRules.check(id: id)
        try ClientRules.check(id: into)
    }

    func run() async throws {
        let api = try client.client()
        let body: [String: JSONValue] = ["into": .number(Double(into)), "reason": .string(reason)]
        let opened = try await calling { try await api.send(.POST, "/v1/records/\(entity)/\(id)/merge", json: body).decode(ChangeRequestView.self) }
        if client.json { return print(JSONOutput.string(ChangeRequestID(opened))) }
        if client.quiet { return print(opened.id) }
        print("change request \(opened.id) proposes merging \(entity) \(id) into \(into); another steward must approve it")
        print(ChangeRequestText.render(opened))
    }
}

/// `aurum unmerge ENTITY ID --reason R`: a merge undone.
struct Unmerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose undoing a merge (a change request through approval).",
        discussion: """
            On release the merged record is active again with its own source keys and its values as \
            they were, and the record it had gone into gets a new version without them.

            Examples:
              aurum unmerge supplier 12 --reason "two plants of one group, kept apart"
            """)

    @Argument(help: "item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
    @Argument(help: "The golden record that was merged away.") var id: Int64
    @Option(help: "Why (required; kept in the audit trail).") var reason: String
    @OptionGroup var client: ClientOptions

    func validate() throws {
        try ClientRules.check(entity: entity)
        try ClientRules.check(id: id)
    }

    func run() async throws {
        guard let opened = try await post("/v1/records/\(entity)/\(id)/unmerge", ["reason": reason], as: ChangeRequestView.self, client: client,
                                          json: ChangeRequestID.init) else { return }
        if client.quiet { return print(opened.id) }
        print("change request \(opened.id) proposes restoring \(entity) \(id); another steward must approve it")
        print(ChangeRequestText.render(opened))
    }
}

/// `aurum block|unblock|obsolete ENTITY ID --reason R`: a golden record's lifecycle state,
/// changed through approval.
enum StateChangeCommand {
    /// One command per state change; they differ only in the change.
    struct Options: ParsableArguments {
        @OptionGroup var record: RecordArguments
        @Option(help: "Why (required; kept in the audit trail and shown to the approvers).") var reason: String
        @OptionGroup var client: ClientOptions
        var entity: String { record.entity }
        var id: Int64 { record.id }

        func run(_ change: RecordStateChange) async throws {
            guard let opened = try await post("/v1/records/\(entity)/\(id)/\(change.rawValue)", ["reason": reason], as: ChangeRequestView.self,
                                              client: client, json: ChangeRequestID.init) else { return }
            if client.quiet { return print(opened.id) }
            print("change request \(opened.id) proposes that \(entity) \(id) be \(change.pastParticiple); another steward must approve it")
            print(ChangeRequestText.render(opened))
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose blocking a golden record: it stays readable, but no new change may reference it.",
            discussion: """
                On release the record's next version is blocked: its values stay as they are and \
                readable, and a candidate or edit that names it in a reference (an item's vendor) is \
                rejected saying so. Whoever proposes it cannot approve it.

                Examples:
                  aurum block supplier 7 --reason "bank details under review"
                  aurum block supplier 7 --reason "insolvent" --json
                """)
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.block) }
    }

    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose unblocking a blocked golden record (through approval).",
            discussion: """
                Examples:
                  aurum unblock supplier 7 --reason "bank details confirmed by phone"
                """)
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.unblock) }
    }

    struct Obsolete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose making a golden record obsolete, for good (through approval).",
            discussion: """
                An obsolete record stays readable with its history; it cannot be referenced, blocked \
                or unblocked again.

                Examples:
                  aurum obsolete item 12 --reason "discontinued, replaced by item 40"
                """)
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.obsolete) }
    }
}

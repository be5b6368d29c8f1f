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

    @Argument(help: "The change request id.") var id: Int64
    @Option(name: .customLong("to"), help: ArgumentHelp("The golden record it is a change of.", valueName: "id")) var record: Int64
    @Option(help: "Why (kept in the audit trail).") var comment: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        var body: [String: JSONValue] = ["record_id": .number(Double(record))]
        if let comment { body["comment"] = .string(comment) }
        let linked = try await calling { try await api.send(.POST, "/v1/change-requests/\(id)/link", json: body).decode(ChangeRequestView.self) }
        if client.json { return print(JSONOutput.string(ChangeRequestID(linked))) }
        print("change request \(id) is now an update of \(linked.entity) \(record) at revision \(linked.revision); another steward must approve it")
        print(ChangeRequestText.render(linked))
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

    @Argument(help: "The change request id.") var id: Int64
    @Option(help: "Why (kept in the audit trail).") var comment: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        var body = [String: JSONValue]()
        if let comment { body["comment"] = .string(comment) }
        let settled = try await calling { try await api.send(.POST, "/v1/change-requests/\(id)/distinct", json: body).decode(ChangeRequestView.self) }
        if client.json { return print(JSONOutput.string(ChangeRequestID(settled))) }
        print("change request \(id): \(settled.possibleDuplicates.count) possible duplicate(s) settled as distinct")
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

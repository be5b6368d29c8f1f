import ArgumentParser
import AurumCore
import AurumRules
import Foundation

/// `aurum ingest FILE`: imports a CSV or NDJSON file through the API, in batches.
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a CSV or NDJSON file of candidates through the API, in batches.",
        discussion: """
            CSV (RFC 4180): a header row of attribute names plus source_key; empty cells are left out.

            NDJSON: one object per line with source_key and the attributes (inline or under "attributes").

            The entity, the source and the file's columns are checked against the rules here \
            ($AURUM_RULES, else rules/) before anything is sent, and a problem of the whole file is \
            said once. Each batch is one transaction; batches go one after the other, so that each \
            create is matched against the ones before it. The summary lists each row's change \
            request (or why it was rejected) and its warnings; a change an auto-approve gate \
            released at once is shown as released. A progress bar is drawn on standard error when \
            it is a terminal. Exit code 1 when any row was rejected or refused.

            Each batch carries an Idempotency-Key made of its content: a batch whose answer was lost is sent again (twice at most) and stored once, and running the same file again after a failure answers the batches already stored as they were answered (for 24 hours, AURUM_IDEMPOTENCY_KEEP on the server) and sends the rest.

            Examples:
              aurum ingest examples/items.csv --entity item --source plm
              aurum ingest suppliers.ndjson --entity supplier --source portal --batch 1000 --json
              aurum ingest items.csv --entity item --source plm --quiet   # the summary line only
            """)

    @Argument(help: "The file (.csv, .ndjson or .jsonl).") var file: String
    @Option(help: "The entity of every row: item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
    @Option(help: "The source system the rows come from (see rules/aurum.yaml).", completion: Completions.sources) var source: String
    @Option(help: "Rows per request (at most 1000).") var batch = 500
    @Flag(help: "Submit every batch as new work, even one an earlier run stored (it gets a new Idempotency-Key).")
    var resend = false
    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard (1...1000).contains(batch) else { throw ValidationError("--batch must be between 1 and 1000") }
        let rules = ClientRules.load()
        try ClientRules.check(entity: entity, in: rules)
        try ClientRules.check(source: source, entity: entity, in: rules)
    }

    func run() async throws {
        let api = try client.client()
        let rows: [ImportFile.Row]
        do { rows = try ImportFile(path: file).rows } catch {
            printError("error: \(error)")
            throw ExitStatus.refused
        }
        if let problem = Self.unknownColumns(rows, entity: entity, rules: ClientRules.load()) {
            printError("error: \(file): \(problem); nothing was sent")
            throw ExitStatus.refused
        }
        var outcomes = [RowOutcome]()
        let progress = Progress(total: rows.count)
        var fileRefusal: String?
        var repeated = 0
        let salt = resend ? UUID().uuidString : ""
        for start in stride(from: 0, to: rows.count, by: batch) {
            let slice = Array(rows[start..<min(start + batch, rows.count)])
            if let fileRefusal {
                outcomes += slice.map { RowOutcome(line: $0.line, sourceKey: $0.sourceKey ?? "", status: "refused", message: fileRefusal) }
                continue
            }
            let sent: (outcomes: [RowOutcome], fileRefusal: String?, replayed: Bool)
            do { sent = try await send(slice, api: api, salt: salt) } catch let error as APIError {
                // Cut off (the server went away, the network failed): say what is stored and that
                // running the same command again is safe.
                progress.finish()
                printError("error: \(error.description)")
                printError(Self.cutOff(file: file, storedRows: outcomes.count, batches: start / batch, nextLine: slice.first?.line ?? 0))
                throw error.exitCode
            }
            if sent.replayed { repeated += slice.count }
            outcomes += sent.outcomes
            fileRefusal = sent.fileRefusal
            progress.update(done: outcomes.count, summary: Summary(outcomes).short)
        }
        progress.finish()
        let summary = Summary(outcomes)
        if let fileRefusal { printError("error: \(file): \(fileRefusal); nothing of the file was stored") }
        if repeated > 0 {
            printError("note: \(counted(repeated, "row")) had been sent and stored by an earlier run; their answers are repeated "
                       + "as given then (their change requests may have been decided since). --resend submits them again")
        }
        if client.json {
            print(JSONOutput.string(outcomes))
        } else if client.quiet {
            print(summary.headline(file: file))
        } else {
            print(summary.report(file: file, fileRefusal: fileRefusal))
        }
        if summary.rejected + summary.refused > 0 { throw ExitStatus.refused }
    }

    /// The columns of the file the entity does not define, said once for the file.
    static func unknownColumns(_ rows: [ImportFile.Row], entity: String, rules: RuleSet?) -> String? {
        guard let schema = rules?.entities[entity] else { return nil }
        var columns = Set<String>()
        for row in rows { columns.formUnion(row.attributes.keys) }
        let unknown = columns.filter { schema.attribute($0) == nil }.sorted()
        guard !unknown.isEmpty else { return nil }
        let names = schema.attributes.map(\.name)
        let listed = unknown.map { "\($0)\(Suggestion.didYouMean($0, in: names))" }.joined(separator: ", ")
        return "\(unknown.count == 1 ? "column" : "columns") \(listed) \(unknown.count == 1 ? "is not an attribute" : "are not attributes") "
            + "of \(entity); remove \(unknown.count == 1 ? "it" : "them") or declare \(unknown.count == 1 ? "it" : "them") in rules/\(entity).yaml"
    }

    /// Sends one batch. A refusal that holds for every row alike (an unknown entity, source or
    /// column) is the file's, returned once so the rest of the file is not sent.
    func send(_ rows: [ImportFile.Row], api: APIClient, salt: String = "") async throws -> (outcomes: [RowOutcome], fileRefusal: String?, replayed: Bool) {
        let candidates: [JSONValue] = rows.map {
            ["entity": .string(entity), "source": .string(source), "source_key": .string($0.sourceKey ?? ""), "attributes": .object($0.attributes)]
        }
        do {
            let reply = try await api.sendOnce(.POST, "/v1/candidates", json: candidates, salt: salt)
            struct Batch: Decodable { var results: [IngestResult] }
            let results = try reply.decode(Batch.self).results
            return (zip(rows, results).map { RowOutcome(row: $0, result: $1) }, nil, reply.replayed)
        } catch APIError.refused(let status, let problem) where status != 401 && status != 403 {
            let stored = problem.stored ?? []
            var own = [Int: [String]]()
            for item in problem.errors ?? [] {
                guard let (index, rest) = Self.candidateIndex(item.path) else { continue }
                own[index, default: []].append(rest.isEmpty ? item.message : "\(rest): \(item.message)")
            }
            // A problem every row has is the file's (the same message for every candidate).
            var shared = Set(own[0] ?? [])
            for index in rows.indices.dropFirst() { shared.formIntersection(own[index] ?? []) }
            if stored.isEmpty, !shared.isEmpty, rows.count > 1 {
                let message = shared.sorted().joined(separator: "; ")
                return (rows.map { RowOutcome(line: $0.line, sourceKey: $0.sourceKey ?? "", status: "refused", message: message) }, message, false)
            }
            let outcomes = rows.enumerated().map { index, row in
                if index < stored.count { return RowOutcome(row: row, result: stored[index]) }
                let what = problem.stored == nil ? "the batch was refused" : "not stored"
                let message = own[index].map { $0.joined(separator: "; ") } ?? "\(what) (\(status)): \(problem.detail ?? "")"
                return RowOutcome(line: row.line, sourceKey: row.sourceKey ?? "", status: "refused", message: message)
            }
            return (outcomes, nil, false)
        }
    }

    /// What an ingest cut off after `storedRows` rows (`batches` answered batches) says.
    static func cutOff(file: String, storedRows: Int, batches: Int, nextLine: Int) -> String {
        (storedRows == 0 ? "note: nothing of \(file) had been answered" : "note: \(counted(storedRows, "row")) of \(file) (\(counted(batches, "batch", "batches"))) "
            + "were answered and stored before this")
            + "; the batch from line \(nextLine) may or may not have been stored. Running the same command again is safe: each batch "
            + "carries an Idempotency-Key made of its content, so a batch stored already is answered as it was, and nothing is stored twice"
    }

    /// `candidates[3].attributes.colour` → (3, "attributes.colour").
    static func candidateIndex(_ path: String) -> (Int, String)? {
        guard path.hasPrefix("candidates["), let close = path.firstIndex(of: "]"),
              let index = Int(path[path.index(path.startIndex, offsetBy: 11)..<close]) else { return nil }
        var rest = path[path.index(after: close)...]
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        return (index, String(rest))
    }
}

/// What happened to one row of the file.
struct RowOutcome: Codable {
    var line: Int
    var sourceKey: String
    /// proposed, unchanged, rejected (failed validation) or refused (the server would not read it).
    var status: String
    var candidateID: Int64?
    var changeRequestID: Int64?
    var errors: [Finding] = []
    var warnings: [Finding] = []
    var message: String?
    /// Set when an auto-approve gate released the change at once.
    var released: IngestResult.Release?

    init(line: Int, sourceKey: String, status: String, message: String) {
        self.line = line; self.sourceKey = sourceKey; self.status = status; self.message = message
    }

    init(row: ImportFile.Row, result: IngestResult) {
        line = row.line; sourceKey = row.sourceKey ?? ""; status = result.status.rawValue
        candidateID = result.candidateID; changeRequestID = result.changeRequestID
        errors = result.errors; warnings = result.warnings; released = result.released
    }

    enum CodingKeys: String, CodingKey {
        case line, sourceKey = "source_key", status, candidateID = "candidate_id", changeRequestID = "change_request_id"
        case errors, warnings, message, released
    }
}

/// Counts by outcome, and the report printed at the end.
struct Summary {
    var outcomes: [RowOutcome]
    init(_ outcomes: [RowOutcome]) { self.outcomes = outcomes }

    func count(_ status: String) -> Int { outcomes.filter { $0.status == status }.count }
    var rejected: Int { count("rejected") }
    var refused: Int { count("refused") }
    var released: Int { outcomes.filter { $0.released != nil }.count }
    var short: String { "proposed \(count("proposed")) · unchanged \(count("unchanged")) · rejected \(rejected + refused)" }

    /// The rows listed one by one in the report, at most; `--json` lists them all.
    static let listed = 50

    func headline(file: String) -> String {
        var parts = ["\(count("proposed") - released) proposed"]
        if released > 0 { parts.append("\(released) released at once") }
        parts += ["\(count("unchanged")) unchanged", "\(rejected) rejected"]
        if refused > 0 { parts.append("\(refused) refused") }
        let warned = outcomes.filter { !$0.warnings.isEmpty }.count
        if warned > 0 { parts.append("\(counted(warned, "row")) with warnings") }
        return "\(file): \(counted(outcomes.count, "row")) — " + parts.joined(separator: ", ")
    }

    func report(file: String, fileRefusal: String? = nil) -> String {
        var lines = [headline(file: file)]
        let shown = outcomes.filter { fileRefusal == nil || $0.status != "refused" }
        for outcome in shown.prefix(Self.listed) { lines.append("  " + Self.line(outcome)) }
        if shown.count > Self.listed { lines.append("  … and \(shown.count - Self.listed) more rows; --json lists every row") }
        return lines.joined(separator: "\n")
    }

    /// One row: what became of it, its change request, and its problems or warnings.
    static func line(_ o: RowOutcome) -> String {
        let at = "line \(o.line) (\(o.sourceKey))"
        let warnings = o.warnings.map { " · warning \($0.attribute) [\($0.rule)]: \($0.message)" }.joined()
        switch o.status {
        case "rejected":
            return "\(at) rejected: " + o.errors.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; ")
        case "refused":
            return "\(at) refused: \(o.message ?? "")"
        default:
            let request = o.changeRequestID.map { "change request \($0)" } ?? "no change request"
            if let released = o.released {
                return "\(at) released: \(request), by gate \(released.gate), record \(released.recordID) version \(released.version)\(warnings)"
            }
            return "\(at) \(o.status): \(request)\(warnings)"
        }
    }
}

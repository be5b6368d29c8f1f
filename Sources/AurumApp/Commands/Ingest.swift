import ArgumentParser
import AurumCore
import Foundation

/// `aurum ingest FILE`: imports a CSV or NDJSON file through the API, in batches.
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a CSV or NDJSON file of candidates through the API, in batches.",
        discussion: """
            CSV (RFC 4180): a header row of attribute names plus source_key; empty cells are left out.

            NDJSON: one object per line with source_key and the attributes (inline or under "attributes").

            Each batch commits candidate by candidate; a batch the server refuses is reported and the \
            rest goes on. A progress bar is drawn on standard error when it is a terminal. \
            Exit code 1 when any row was rejected or refused.
            """)

    @Argument(help: "The file (.csv, .ndjson or .jsonl).") var file: String
    @Option(help: "The entity of every row: item, supplier, customer or warehouse.") var entity: String
    @Option(help: "The source system the rows come from (see rules/aurum.yaml).") var source: String
    @Option(help: "Rows per request (at most 1000).") var batch = 500
    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard (1...1000).contains(batch) else { throw ValidationError("--batch must be between 1 and 1000") }
    }

    func run() async throws {
        let api = try client.client()
        let rows: [ImportFile.Row]
        do { rows = try ImportFile(path: file).rows } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        var outcomes = [RowOutcome]()
        let progress = Progress(total: rows.count)
        for start in stride(from: 0, to: rows.count, by: batch) {
            let slice = Array(rows[start..<min(start + batch, rows.count)])
            outcomes += try await send(slice, api: api)
            progress.update(done: outcomes.count, summary: Summary(outcomes).short)
        }
        progress.finish()
        let summary = Summary(outcomes)
        if client.json {
            print(JSONOutput.string(outcomes))
        } else {
            print(summary.report(file: file))
        }
        if summary.rejected + summary.refused > 0 { throw ExitCode.failure }
    }

    func send(_ rows: [ImportFile.Row], api: APIClient) async throws -> [RowOutcome] {
        let candidates: [JSONValue] = rows.map {
            ["entity": .string(entity), "source": .string(source), "source_key": .string($0.sourceKey ?? ""), "attributes": .object($0.attributes)]
        }
        do {
            let reply = try await api.send(.POST, "/v1/candidates", json: candidates)
            struct Batch: Decodable { var results: [IngestResult] }
            let results = try reply.decode(Batch.self).results
            return zip(rows, results).map { RowOutcome(row: $0, result: $1) }
        } catch APIError.refused(let status, let problem) where status != 401 {
            let stored = problem.stored ?? []
            return rows.enumerated().map { index, row in
                if index < stored.count { return RowOutcome(row: row, result: stored[index]) }
                let own = (problem.errors ?? []).filter { $0.path.hasPrefix("candidates[\(index)]") }.map(\.message)
                let what = problem.stored == nil ? "the batch was refused" : "not stored"
                let message = own.isEmpty ? "\(what) (\(status)): \(problem.detail ?? "")" : own.joined(separator: "; ")
                return RowOutcome(line: row.line, sourceKey: row.sourceKey ?? "", status: "refused", message: message)
            }
        } catch let error as APIError {
            printError("error: \(error.description)")
            if case .unreachable = error { throw ExitCode(69) }
            throw ExitCode.failure
        }
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

    init(line: Int, sourceKey: String, status: String, message: String) {
        self.line = line; self.sourceKey = sourceKey; self.status = status; self.message = message
    }

    init(row: ImportFile.Row, result: IngestResult) {
        line = row.line; sourceKey = row.sourceKey ?? ""; status = result.status.rawValue
        candidateID = result.candidateID; changeRequestID = result.changeRequestID
        errors = result.errors; warnings = result.warnings
    }

    enum CodingKeys: String, CodingKey {
        case line, sourceKey = "source_key", status, candidateID = "candidate_id", changeRequestID = "change_request_id"
        case errors, warnings, message
    }
}

/// Counts by outcome, and the report printed at the end.
struct Summary {
    var outcomes: [RowOutcome]
    init(_ outcomes: [RowOutcome]) { self.outcomes = outcomes }

    func count(_ status: String) -> Int { outcomes.filter { $0.status == status }.count }
    var rejected: Int { count("rejected") }
    var refused: Int { count("refused") }
    var short: String { "proposed \(count("proposed")) · unchanged \(count("unchanged")) · rejected \(rejected + refused)" }

    func report(file: String) -> String {
        var lines = ["\(file): \(outcomes.count) rows — \(count("proposed")) proposed, \(count("unchanged")) unchanged, \(rejected) rejected"
                     + (refused > 0 ? ", \(refused) refused" : "")]
        for outcome in outcomes where outcome.status == "rejected" || outcome.status == "refused" {
            let reasons = outcome.errors.isEmpty ? (outcome.message ?? "") : outcome.errors.map { "\($0.attribute) [\($0.rule)]: \($0.message)" }.joined(separator: "; ")
            lines.append("  line \(outcome.line) (\(outcome.sourceKey)) \(outcome.status): \(reasons)")
        }
        return lines.joined(separator: "\n")
    }
}

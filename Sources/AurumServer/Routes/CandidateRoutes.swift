import AurumCore
import Hummingbird

/// `POST /v1/candidates`: one candidate (a JSON object), or a batch (a JSON array or NDJSON).
struct CandidateRoutes {
    let store: any StewardshipStore
    let rules: RuleSet
    let limits: ServerLimits
    let metrics: AurumMetrics

    func add(to group: RouterGroup<AurumRequestContext>) {
        group.post("candidates", use: submit)
    }

    @Sendable func submit(_ request: Request, context: AurumRequestContext) async throws -> Response {
        let caller = try context.caller()
        let body = try await JSONBody.bytes(of: request, limit: limits.maxBodyBytes)
        let (documents, isBatch) = try documents(in: body, contentType: request.headers[.contentType])
        guard documents.count <= limits.maxBatch else {
            throw Problem.tooLarge("the batch holds \(documents.count) candidates; the limit is \(limits.maxBatch). Split it")
        }
        guard !documents.isEmpty else { throw Problem.unprocessable("the batch is empty; send at least one candidate") }
        let submissions = try parse(documents, isBatch: isBatch)
        for (index, submission) in submissions.enumerated() where !caller.may(.submit(entity: submission.entity, source: submission.source)) {
            let at = isBatch ? " (candidates[\(index)])" : ""
            throw Problem.forbidden("\(Self.describe(caller)) may not submit \(submission.entity) candidates as source \(submission.source)\(at); "
                                    + "nothing was accepted")
        }
        do {
            return try await context.answer({ (results: [IngestResult]) in
                let visible = results.map { $0.visible(to: caller) }
                return isBatch ? JSONBody.stored(["results": visible]) : JSONBody.stored(visible[0])
            }) {
                let results = try await store.ingest(submissions, by: caller, requestID: context.requestID)
                metrics.ingested(submissions, results)
                return results
            }
        } catch var interrupted as BatchInterrupted {
            guard isBatch else { throw interrupted.cause }
            interrupted.stored = interrupted.stored.map { $0.visible(to: caller) }
            throw interrupted
        }
    }

    /// Who the caller is, for a refusal: its role, and the sources a source token speaks for.
    static func describe(_ caller: Principal) -> String {
        guard caller.role == .source else { return "\(caller.name) (\(caller.role.rawValue))" }
        let sources = caller.sources.isEmpty ? "no source: create a new token with --source" : "source " + caller.sources.joined(separator: ", ")
        return "\(caller.name) (a source token for \(sources))"
    }

    /// The JSON documents in the body: NDJSON lines, the elements of an array, or one object.
    func documents(in body: ByteBuffer, contentType: String?) throws -> ([JSONValue], Bool) {
        if let contentType, contentType.lowercased().hasPrefix("application/x-ndjson") || contentType.lowercased().hasPrefix("application/ndjson") {
            let lines = Array(buffer: body).split(separator: 0x0A, omittingEmptySubsequences: false)
            var documents = [JSONValue]()
            for (number, line) in lines.enumerated() where !line.allSatisfy({ [0x20, 0x09, 0x0D].contains($0) }) {
                do {
                    documents.append(try JSONParser.parse(Array(line)))
                } catch {
                    throw Problem.badRequest("the body is not valid NDJSON: line \(number + 1), column \(error.column): \(error.message)")
                }
            }
            return (documents, true)
        }
        switch try JSONBody.parse(body) {
        case .array(let elements): return (elements, true)
        case let single: return ([single], false)
        }
    }

    /// Reads every submission, reporting all shape problems at once; nothing is stored if any is wrong.
    func parse(_ documents: [JSONValue], isBatch: Bool) throws -> [CandidateSubmission] {
        var submissions = [CandidateSubmission]()
        var errors = [SubmissionError]()
        for (index, document) in documents.enumerated() {
            do {
                submissions.append(try CandidateSubmission.parse(document, path: isBatch ? "candidates[\(index)]" : "candidate", rules: rules))
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else {
            let detail = errors.count == 1 ? errors[0].description : "\(errors.count) candidates cannot be read; see errors"
            throw Problem.unprocessable(detail + "; nothing was accepted", errors: errors)
        }
        return submissions
    }
}

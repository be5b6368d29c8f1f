import AurumCore
import Hummingbird

/// An RFC 9457 problem: what went wrong, in words a caller can act on.
public struct Problem: Error, Sendable {
    public var status: HTTPResponse.Status
    /// A short, stable slug; the problem's `type` is `/problems/<slug>`.
    public var slug: String
    public var title: String
    public var detail: String
    /// Individual problems in a request body (`candidates[2].entity: is missing`).
    public var errors: [SubmissionError] = []
    public var headers: HTTPFields = [:]
    /// Further members of the problem object (RFC 9457 extension members), e.g. `stored`.
    public var members: [String: JSONValue] = [:]

    public init(_ status: HTTPResponse.Status, _ slug: String, title: String, detail: String, errors: [SubmissionError] = []) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
    }

    static func badRequest(_ detail: String) -> Problem {
        Problem(.badRequest, "malformed-request", title: "The request body cannot be read", detail: detail)
    }

    static func unprocessable(_ detail: String, errors: [SubmissionError] = []) -> Problem {
        Problem(.unprocessableContent, "invalid-request", title: "The request is well-formed but not acceptable", detail: detail, errors: errors)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, "not-found", title: "Not found", detail: detail)
    }

    static func conflict(_ detail: String) -> Problem {
        Problem(.conflict, "conflict", title: "Conflict with the current state", detail: detail)
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, "forbidden", title: "Not allowed", detail: detail)
    }

    static func tooLarge(_ detail: String) -> Problem {
        Problem(.contentTooLarge, "too-large", title: "The request is too large", detail: detail)
    }
}

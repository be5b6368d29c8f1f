import AurumCore
import Foundation
import Hummingbird

/// A request's query parameters, parsed into bounded values: anything out of range, of the
/// wrong kind, or unreasonably long is a 422 problem naming the parameter and what it may be,
/// so that no arithmetic on a caller's number can trap the process.
struct QueryValues {
    let parameters: Parameters

    /// The longest value any query parameter may have.
    static let maxLength = 1_000

    init(_ request: Request) {
        self.parameters = request.uri.queryParameters
    }

    /// The parameter's text, when given: at most `maxLength` characters and no control characters.
    func text(_ name: String) throws -> String? {
        guard let value = parameters.get(name) else { return nil }
        guard value.utf8.count <= Self.maxLength, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Self.problem(name, value, "text of at most \(Self.maxLength) characters without control characters")
        }
        return String(value)
    }

    /// A whole number within `range`; `default` when absent.
    func integer<T: FixedWidthInteger>(_ name: String, in range: ClosedRange<T>, default fallback: T? = nil) throws -> T? {
        guard let text = try text(name) else { return fallback }
        guard let value = T(text), range.contains(value) else {
            throw Self.problem(name, text, "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A whole number that is moved into `range` when it lies outside it (a follower asks the
    /// same way each time); one that is not a number at all is refused.
    func clampedInteger(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let text = try text(name) else { return fallback }
        guard let value = Int(text) ?? (text.first == "-" ? Int.min : text.allSatisfy(\.isNumber) ? Int.max : nil) else {
            throw Self.problem(name, text, "a whole number (from \(range.lowerBound) to \(range.upperBound); others are moved into that range)")
        }
        return min(max(value, range.lowerBound), range.upperBound)
    }

    /// Seconds as a finite decimal number, moved into `range` when outside it; NaN and infinities refused.
    func clampedSeconds(_ name: String, in range: ClosedRange<Double>, default fallback: Double) throws -> Double {
        guard let text = try text(name) else { return fallback }
        guard let value = Double(text), value.isFinite else {
            throw Self.problem(name, text, "a number of seconds (from \(range.lowerBound) to \(range.upperBound); others are moved into that range)")
        }
        return min(max(value, range.lowerBound), range.upperBound)
    }

    /// A duration such as `2d`, `12h` or `30m`, in seconds.
    func duration(_ name: String) throws -> Int? {
        guard let text = try text(name) else { return nil }
        guard let seconds = DurationText.seconds(text) else { throw Self.problem(name, text, DurationText.allowed) }
        return seconds
    }

    /// An ISO 8601 instant with its zone.
    func instant(_ name: String) throws -> Date? {
        guard let text = try text(name) else { return nil }
        guard let instant = Instant.parse(text) else {
            throw Self.problem(name, text, "an ISO 8601 time with its zone between the years 1 and 9999, e.g. 2026-12-01T09:30:00Z")
        }
        return instant
    }

    /// A flag: absent or `false` is off, `true` on.
    func flag(_ name: String) throws -> Bool {
        switch try text(name) {
        case nil, "false": return false
        case "true": return true
        case let text?: throw Self.problem(name, text, "true or false")
        }
    }

    /// One of a closed set of words.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, of type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try text(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw Self.problem(name, text, "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    /// A name the rules define (an entity, a source): `known` lists them.
    func name(_ name: String, among known: [String], what: String) throws -> String? {
        guard let text = try text(name) else { return nil }
        guard known.contains(text) else {
            throw Problem.unprocessable("\(name) \"\(Self.shown(text))\" is not a known \(what); the rules define \(known.sorted().joined(separator: ", "))")
        }
        return text
    }

    /// The 422 for a parameter whose value is not what it may be.
    static func problem(_ name: String, _ value: some StringProtocol, _ allowed: String) -> Problem {
        Problem.unprocessable("query parameter \(name) \"\(shown(value))\" is not allowed: give \(allowed)",
                              errors: [SubmissionError(path: name, message: "must be \(allowed)")])
    }

    /// A caller's value as an error message quotes it: the start of it, control characters escaped.
    static func shown(_ value: some StringProtocol) -> String {
        let start = value.prefix(40).unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return value.count > 40 ? start + "…" : start
    }
}

/// Path parameters, parsed the same way.
extension AurumRequestContext {
    /// A positive id from the path; any other value is a 404 saying what an id is.
    func pathID(_ name: String = "id", what: String) throws -> Int64 {
        guard let text = parameters.get(name), text.utf8.count <= 19, let id = Int64(text), id > 0 else {
            throw Problem.notFound("\(what) id is a positive whole number up to \(Int64.max)")
        }
        return id
    }

    /// A text segment of the path, at most `maxLength` characters without control characters.
    func pathText(_ name: String, maxLength: Int = 200) throws -> String {
        let text = parameters.get(name) ?? ""
        guard !text.isEmpty, text.utf8.count <= maxLength, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Problem.notFound("\(name) must be 1 to \(maxLength) characters without control characters")
        }
        return text
    }
}

/// Why a call to Odoo failed, classified once so that callers decide on the kind, never on a
/// fault string: permanent failures need a person (fix the data, the mapping or the rights),
/// transient ones are retried.
public struct OdooFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        // Permanent: retrying the same call fails the same way.
        /// ValidationError or UserError: a constraint or a required value (duplicate barcode, ...).
        case validation
        /// MissingError: the record was deleted.
        case missingRecord = "missing_record"
        /// AccessDenied or a refused API key: wrong login, password or key.
        case authentication
        /// AccessError: the user lacks the rights for this model or operation.
        case accessError = "access_error"
        case unknownModel = "unknown_model"
        case unknownMethod = "unknown_method"
        case unknownField = "unknown_field"
        /// A value Odoo refuses (a bad selection value), or a malformed call (wrong arguments).
        case badRequest = "bad_request"
        /// The database does not exist or the URL is not an Odoo endpoint.
        case configuration
        /// Anything else Odoo raised.
        case application
        // Transient: the same call may succeed later.
        /// Serialization failure, deadlock or lock error inside Odoo's database.
        case concurrency
        /// HTTP 429: Odoo (or a proxy before it) limits the rate of calls.
        case rateLimited = "rate_limited"
        /// HTTP 502, 503 or 504.
        case unavailable
        /// No answer in time.
        case timeout
        /// The connection failed or broke.
        case connection
    }

    public var kind: Kind
    /// Odoo's exception class when it named one (`odoo.exceptions.ValidationError`).
    public var exception: String?
    public var message: String
    /// Seconds the server asked to wait (`Retry-After`).
    public var retryAfter: Double?

    public init(kind: Kind, exception: String? = nil, message: String, retryAfter: Double? = nil) {
        self.kind = kind
        self.exception = exception
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Whether retrying the same call later may succeed.
    public var isTransient: Bool {
        switch kind {
        case .concurrency, .rateLimited, .unavailable, .timeout, .connection: true
        default: false
        }
    }

    public var description: String {
        "Odoo \(kind.rawValue)" + (exception.map { " (\($0))" } ?? "") + ": " + message
    }

    /// Classifies an exception Odoo named (JSON-RPC `error.data.name`, JSON-2 body `name`, or the
    /// last traceback line of an XML-RPC fault) with its message.
    public static func classify(exception: String, message: String) -> Kind {
        let name = exception.split(separator: ".").last.map(String.init) ?? exception
        switch name {
        case "ValidationError": return .validation
        case "UserError": return message.hasPrefix("Object ") && message.hasSuffix(" doesn't exist") ? .unknownModel : .validation
        case "MissingError": return .missingRecord
        case "AccessDenied", "Unauthorized": return .authentication
        case "AccessError", "Forbidden": return .accessError
        case "AttributeError": return message.contains("does not exist") || message.contains("has no attribute") ? .unknownMethod : .application
        case "NotFound": return message.contains("model") && !message.contains("method") ? .unknownModel
            : message.contains("method") && message.contains("does not exist") ? .unknownMethod : .configuration
        case "ValueError": return message.hasPrefix("Invalid field") ? .unknownField : .badRequest
        case "TypeError", "BadRequest", "UnprocessableEntity", "UnsupportedMediaType": return .badRequest
        case "SerializationFailure", "TransactionRollbackError", "DeadlockDetected", "LockNotAvailable", "LockError", "ConcurrencyError":
            return .concurrency
        case "OperationalError":
            return message.contains("does not exist") ? .configuration : .concurrency
        default: return .application
        }
    }

    /// An XML-RPC fault: 3 is AccessDenied and 4 AccessError; 2 carries only the message of a
    /// UserError, ValidationError or MissingError; 1 a traceback ending `Class: message`.
    public static func fault(_ fault: XMLRPC.Fault) -> OdooFailure {
        switch fault.code {
        case 3: return OdooFailure(kind: .authentication, exception: "odoo.exceptions.AccessDenied", message: fault.string)
        case 4: return OdooFailure(kind: .accessError, exception: "odoo.exceptions.AccessError", message: fault.string)
        case 2:
            let message = fault.string
            if message.hasPrefix("Object "), message.hasSuffix(" doesn't exist") {
                return OdooFailure(kind: .unknownModel, exception: "odoo.exceptions.UserError", message: message)
            }
            if message.hasPrefix("Record does not exist or has been deleted") {
                return OdooFailure(kind: .missingRecord, exception: "odoo.exceptions.MissingError", message: message)
            }
            return OdooFailure(kind: .validation, message: message)
        default:
            let last = fault.string.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? fault.string
            guard let colon = last.firstIndex(of: ":"), !last[..<colon].contains(" ") else {
                return OdooFailure(kind: .application, message: last)
            }
            let exception = String(last[..<colon])
            let message = last[last.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return OdooFailure(kind: classify(exception: exception, message: message), exception: exception, message: message)
        }
    }

    /// A JSON-RPC `error` object or a JSON-2 error body (`{"name","message",...}`), or for JSON-2
    /// an HTTP status without a JSON body.
    public static func error(name: String?, message: String?, status: Int? = nil, retryAfter: Double? = nil) -> OdooFailure {
        if status == 429 {
            return OdooFailure(kind: .rateLimited, exception: name, message: message ?? "HTTP 429 Too Many Requests", retryAfter: retryAfter)
        }
        if let status, [502, 503, 504].contains(status) {
            return OdooFailure(kind: .unavailable, exception: name, message: message ?? "HTTP \(status)", retryAfter: retryAfter)
        }
        if let name {
            return OdooFailure(kind: classify(exception: name, message: message ?? ""), exception: name, message: message ?? "")
        }
        let kind: Kind = switch status {
        case 401: .authentication
        case 403: .accessError
        case 404: .configuration  // an HTML 404: no such database, or not an Odoo endpoint
        case 409: .concurrency
        case 400, 415, 422: .badRequest
        default: .application
        }
        return OdooFailure(kind: kind, message: message ?? "HTTP \(status ?? 0)")
    }
}

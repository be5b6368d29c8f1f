import AurumPublish

/// An exception as Odoo raises it: its Python class and message, and how each protocol reports
/// it (XML-RPC fault code and string, JSON-RPC error data, JSON-2 status and body).
public struct OdooException: Error, Sendable, Hashable {
    public enum Class: String, Sendable, Hashable {
        case validation = "odoo.exceptions.ValidationError"
        case user = "odoo.exceptions.UserError"
        case missing = "odoo.exceptions.MissingError"
        case accessDenied = "odoo.exceptions.AccessDenied"
        case access = "odoo.exceptions.AccessError"
        case value = "builtins.ValueError"
        case type = "builtins.TypeError"
        case attribute = "builtins.AttributeError"
        case index = "builtins.IndexError"
        case operational = "psycopg2.OperationalError"
        case serialization = "psycopg2.errors.SerializationFailure"
        case notFound = "werkzeug.exceptions.NotFound"
        case unauthorized = "werkzeug.exceptions.Unauthorized"
        case badRequest = "werkzeug.exceptions.BadRequest"
        case unprocessable = "werkzeug.exceptions.UnprocessableEntity"
    }

    public var exceptionClass: Class
    public var message: String

    public init(_ exceptionClass: Class, _ message: String) {
        self.exceptionClass = exceptionClass
        self.message = message
    }

    /// XML-RPC fault code on `/xmlrpc/2`: 2 for user, validation and missing-record errors, 3 for
    /// AccessDenied, 4 for AccessError, 1 for anything else.
    public var faultCode: Int {
        switch exceptionClass {
        case .validation, .user, .missing: 2
        case .accessDenied: 3
        case .access: 4
        default: 1
        }
    }

    /// The fault string: the message for codes 2 to 4, a traceback ending `Class: message` for 1.
    public var faultString: String {
        faultCode == 1 ? traceback : message
    }

    /// A Python-style traceback whose last line names the class, as Odoo's debug text does.
    public var traceback: String {
        "Traceback (most recent call last):\n  File \"odoo-double\", line 1, in execute_kw\n\(tracebackName): \(message)\n"
    }

    /// The class as the last traceback line names it: built-ins without their module.
    var tracebackName: String {
        exceptionClass.rawValue.hasPrefix("builtins.") ? String(exceptionClass.rawValue.dropFirst("builtins.".count)) : exceptionClass.rawValue
    }

    /// The JSON-2 status for this class.
    public var json2Status: Int {
        switch exceptionClass {
        case .unauthorized, .accessDenied: 401
        case .access: 403
        case .missing, .notFound: 404
        case .validation, .user, .unprocessable: 422
        case .badRequest: 400
        default: 500
        }
    }

    /// `{"name","message","arguments","context","debug"}`, as JSON-RPC's `error.data` and JSON-2's body.
    public var errorData: OdooValue {
        ["name": .string(exceptionClass.rawValue), "message": .string(message), "arguments": [.string(message)], "context": [:],
         "debug": .string(traceback)]
    }

    // Messages Odoo uses, shared by the methods that raise them.
    static func unknownModel(_ model: String) -> OdooException { OdooException(.user, "Object \(model) doesn't exist") }
    static let accessDenied = OdooException(.accessDenied, "Access Denied")
}

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// XML-RPC (xmlrpc.com/spec) as Odoo speaks it on `/xmlrpc/2/common` and `/xmlrpc/2/object`:
/// method calls, responses and faults, every value type Odoo sends (int, i4, i8, boolean, double,
/// string and the untyped `<value>`, array, struct, nil, dateTime.iso8601, base64).
public enum XMLRPC {
    /// A `<fault>`: Odoo's fault code (1 application error, 2 user/validation/missing, 3 access
    /// denied, 4 access error) and its fault string.
    public struct Fault: Error, Sendable, Hashable {
        public var code: Int
        public var string: String
        public init(code: Int, string: String) {
            self.code = code
            self.string = string
        }
    }

    /// Why a document is not XML-RPC.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    // MARK: Encoding

    /// A `<methodCall>` document.
    public static func call(_ method: String, _ params: [OdooValue]) -> String {
        var out = "<?xml version=\"1.0\"?>\n<methodCall>\n<methodName>\(escape(method))</methodName>\n<params>\n"
        for param in params { out += "<param>\n"; write(param, to: &out); out += "</param>\n" }
        return out + "</params>\n</methodCall>\n"
    }

    /// A `<methodResponse>` with one value. `declaration` is the XML declaration's quote style:
    /// Odoo 17 writes `'1.0'`, 18 and 19 `"1.0"`.
    public static func response(_ value: OdooValue, singleQuotedDeclaration: Bool = false) -> String {
        var out = declaration(singleQuotedDeclaration) + "<methodResponse>\n<params>\n<param>\n"
        write(value, to: &out)
        return out + "</param>\n</params>\n</methodResponse>\n"
    }

    /// A `<methodResponse>` holding a fault.
    public static func fault(_ fault: Fault, singleQuotedDeclaration: Bool = false) -> String {
        var out = declaration(singleQuotedDeclaration) + "<methodResponse>\n<fault>\n"
        write(["faultCode": .int(fault.code), "faultString": .string(fault.string)], to: &out)
        return out + "</fault>\n</methodResponse>\n"
    }

    static func declaration(_ single: Bool) -> String {
        single ? "<?xml version='1.0'?>\n" : "<?xml version=\"1.0\"?>\n"
    }

    static func write(_ value: OdooValue, to out: inout String) {
        out += "<value>"
        switch value {
        case .none: out += "<nil/>"
        case .bool(let b): out += "<boolean>\(b ? 1 : 0)</boolean>"
        case .int(let i): out += "<int>\(i)</int>"
        case .double(let d): out += "<double>\(d)</double>"
        case .string(let s): out += "<string>\(escape(s))</string>"
        case .dateTime(let s): out += "<dateTime.iso8601>\(escape(s))</dateTime.iso8601>"
        case .base64(let bytes): out += "<base64>\n\(Data(bytes).base64EncodedString())\n</base64>"
        case .array(let items):
            out += "<array><data>\n"
            for item in items { write(item, to: &out); out += "\n" }
            out += "</data></array>"
        case .struct(let members):
            out += "<struct>\n"
            for name in members.keys.sorted() {
                out += "<member>\n<name>\(escape(name))</name>\n"
                write(members[name]!, to: &out)
                out += "\n</member>\n"
            }
            out += "</struct>"
        }
        out += "</value>"
    }

    /// Escapes text for element content, as Python's xmlrpc.client does (&, <, >).
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    // MARK: Decoding

    /// The method name and parameters of a `<methodCall>`.
    public static func parseCall(_ data: Data) throws(FormatError) -> (method: String, params: [OdooValue]) {
        let root = try document(data, root: "methodCall")
        guard let name = child(root, "methodName")?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else {
            throw FormatError(description: "methodCall has no methodName")
        }
        guard let params = child(root, "params") else { return (name, []) }
        return (name, try values(in: params, "param"))
    }

    /// The value of a `<methodResponse>`, or its fault.
    public static func parseResponse(_ data: Data) throws(FormatError) -> Result<OdooValue, Fault> {
        let root = try document(data, root: "methodResponse")
        if let fault = child(root, "fault") {
            guard let value = child(fault, "value") else { throw FormatError(description: "fault has no value") }
            let members = try parse(value)
            guard let code = members["faultCode"].int else { throw FormatError(description: "fault has no integer faultCode") }
            return .failure(Fault(code: code, string: members["faultString"].string ?? ""))
        }
        guard let params = child(root, "params") else { throw FormatError(description: "methodResponse has neither params nor fault") }
        let all = try values(in: params, "param")
        guard all.count == 1 else { throw FormatError(description: "methodResponse has \(all.count) params; XML-RPC allows one") }
        return .success(all[0])
    }

    static func document(_ data: Data, root name: String) throws(FormatError) -> XMLElement {
        let document: XMLDocument
        do { document = try XMLDocument(data: data, options: []) } catch {
            throw FormatError(description: "not well-formed XML: \(error.localizedDescription)")
        }
        guard let root = document.rootElement(), root.name == name else {
            throw FormatError(description: "expected <\(name)>, found <\(document.rootElement()?.name ?? "nothing")>")
        }
        return root
    }

    static func elements(_ node: XMLElement) -> [XMLElement] {
        (node.children ?? []).compactMap { $0 as? XMLElement }
    }

    static func child(_ node: XMLElement, _ name: String) -> XMLElement? {
        elements(node).first { $0.name == name }
    }

    /// The values of each `<param>` (or other wrapper) element under `node`.
    static func values(in node: XMLElement, _ wrapper: String) throws(FormatError) -> [OdooValue] {
        var result = [OdooValue]()
        for element in elements(node) where element.name == wrapper {
            guard let value = child(element, "value") else { throw FormatError(description: "<\(wrapper)> has no <value>") }
            result.append(try parse(value))
        }
        return result
    }

    /// One `<value>` element.
    static func parse(_ value: XMLElement) throws(FormatError) -> OdooValue {
        guard let typed = elements(value).first else { return .string(value.stringValue ?? "") }  // untyped: a string
        let text = typed.stringValue ?? ""
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch typed.name {
        case "int", "i4", "i8", "biginteger":
            guard let int = Int(trimmed) else { throw FormatError(description: "<\(typed.name ?? "")> holds \"\(trimmed)\"") }
            return .int(int)
        case "boolean":
            guard trimmed == "0" || trimmed == "1" else { throw FormatError(description: "<boolean> holds \"\(trimmed)\"; XML-RPC allows 0 or 1") }
            return .bool(trimmed == "1")
        case "double", "float":
            guard let double = Double(trimmed) else { throw FormatError(description: "<double> holds \"\(trimmed)\"") }
            return .double(double)
        case "string": return .string(text)
        case "nil": return .none
        case "dateTime.iso8601": return .dateTime(trimmed)
        case "base64":
            guard let data = Data(base64Encoded: trimmed, options: .ignoreUnknownCharacters) else { throw FormatError(description: "<base64> is not base64") }
            return .base64(Array(data))
        case "array":
            guard let data = child(typed, "data") else { throw FormatError(description: "<array> has no <data>") }
            var items = [OdooValue]()
            for element in elements(data) where element.name == "value" { items.append(try parse(element)) }
            return .array(items)
        case "struct":
            var members = [String: OdooValue]()
            for member in elements(typed) where member.name == "member" {
                guard let name = child(member, "name")?.stringValue, let value = child(member, "value") else {
                    throw FormatError(description: "<member> needs <name> and <value>")
                }
                members[name] = try parse(value)
            }
            return .struct(members)
        default:
            throw FormatError(description: "unknown XML-RPC type <\(typed.name ?? "")>")
        }
    }
}

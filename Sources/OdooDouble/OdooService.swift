import AurumPublish

/// Odoo's external API over the double's database: the `common` and `object` services of
/// XML-RPC and JSON-RPC, and JSON-2's named-argument calls, each checking credentials, model,
/// method and arguments in the order Odoo does and failing with Odoo's exception classes.
public struct OdooService: Sendable {
    public let database: OdooDatabase
    /// Other database names the server claims to host (JSON-2 then needs `X-Odoo-Database`).
    public let otherDatabases: [String]

    public init(database: OdooDatabase, otherDatabases: [String] = []) {
        self.database = database
        self.otherDatabases = otherDatabases
    }

    var version: OdooVersion { database.version }

    func checkDatabase(_ name: OdooValue) throws(OdooException) {
        guard name.string == database.name else {
            throw OdooException(.operational, "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"\(name.string ?? "")\" does not exist")
        }
    }

    // MARK: XML-RPC and JSON-RPC

    /// `common`: version, authenticate, login.
    public func common(_ method: String, _ params: [OdooValue]) throws(OdooException) -> OdooValue {
        switch method {
        case "version":
            return version.versionInfo
        case "authenticate", "login":
            guard params.count >= 3 else { throw OdooException(.type, "\(method)() missing required positional arguments") }
            try checkDatabase(params[0])
            return authenticate(login: params[1].string ?? "", secret: params[2].string ?? "").map(OdooValue.int) ?? false
        default:
            throw OdooException(.attribute, "module 'odoo.service.common' has no attribute 'exp_\(method)'")
        }
    }

    /// The user whose login and password (or API key) these are.
    func authenticate(login: String, secret: String) -> Int? {
        guard !secret.isEmpty else { return nil }
        return database.users.first { $0.value.login == login && ($0.value.password == secret || $0.value.apiKeys.contains(secret)) }?.key
    }

    /// `object`: execute_kw(db, uid, password, model, method, args, kwargs) and execute(db, uid, password, model, method, *args).
    public func object(_ method: String, _ params: [OdooValue]) throws(OdooException) -> OdooValue? {
        guard method == "execute_kw" || method == "execute" else {
            throw OdooException(.attribute, "module 'odoo.service.model' has no attribute 'exp_\(method)'")
        }
        guard params.count >= 5 else { throw OdooException(.type, "execute_kw() missing required positional arguments") }
        try checkDatabase(params[0])
        guard let uid = params[1].int, let user = database.users[uid],
              let secret = params[2].string, user.password == secret || user.apiKeys.contains(secret) else {
            throw OdooException.accessDenied
        }
        let model = params[3].string ?? "", name = params[4].string ?? ""
        let args = method == "execute_kw" ? params.count > 5 ? params[5].array ?? [] : [] : Array(params.dropFirst(5))
        let kwargs = method == "execute_kw" && params.count > 6 ? params[6].members ?? [:] : [:]
        try checkMethod(model, name, json2: false)
        let bound = try BoundCall.bind(name, MethodSignature.table[name]!, args: args, kwargs: kwargs, version: version)
        return try database.call(uid: uid, model: model, method: name, ids: bound.ids, arguments: bound.arguments,
                                 context: bound.context) { result throws(OdooException) in try bound.adapt(name, result, version: version) }
    }

    /// Model, then private method, then unknown method, as Odoo checks them.
    func checkMethod(_ model: String, _ method: String, json2: Bool) throws(OdooException) {
        guard database.models[model] != nil else {
            throw json2 ? OdooException(.notFound, "the model '\(model)' does not exist") : OdooException.unknownModel(model)
        }
        if method.hasPrefix("_") {
            throw OdooException(.access, version >= .v18 ? "Private methods (such as '\(model).\(method)') cannot be called remotely."
                                : "Private methods (such as \(method)) cannot be called remotely.")
        }
        guard database.knows(method, on: model) else {
            if json2 { throw OdooException(.notFound, "The method '\(model).\(method)' does not exist") }
            throw OdooException(.attribute, version >= .v18 ? "The method '\(model).\(method)' does not exist"
                                : "The method '\(method)' does not exist on the model '\(model)'")
        }
    }

    // MARK: JSON-2

    /// The user an API key belongs to (JSON-2 takes API keys only, never passwords).
    func user(apiKey: String) -> Int? {
        database.users.first { $0.value.apiKeys.contains(apiKey) }?.key
    }

    /// `POST /json/2/<model>/<method>` with a JSON object of named arguments, by the user `uid`.
    public func json2(uid: Int, model: String, method: String, body: [String: OdooValue]) throws(OdooException) -> OdooValue? {
        try checkMethod(model, method, json2: true)
        let signature = MethodSignature.table[method]!
        var arguments = body
        let ids = arguments.removeValue(forKey: "ids").map(Domain.ids)
        let context = arguments.removeValue(forKey: "context")?.members ?? [:]
        if ids != nil, !signature.onRecords {
            throw OdooException(.unprocessable, "cannot call \(model).\(method) with ids")
        }
        for required in signature.parameters where signature.required.contains(required) && arguments[required] == nil {
            throw OdooException(.unprocessable, "missing a required argument: '\(required)'")
        }
        for unknown in arguments.keys.sorted() where !signature.parameters.contains(unknown) {
            if signature.passesKeywordsToRead { throw OdooException(.type, "BaseModel._read_format() got an unexpected keyword argument '\(unknown)'") }
            throw OdooException(.unprocessable, "got an unexpected keyword argument '\(unknown)'")
        }
        let result = try database.call(uid: uid, model: model, method: method, ids: ids ?? [], arguments: arguments, context: context)
        if method == "create", let id = result?.int { return [.int(id)] }  // JSON-2's create always answers a list
        return result
    }
}

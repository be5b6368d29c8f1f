import AurumPublish

/// An RPC call bound to a method's parameters the way Odoo's `call_kw` and Python bind it.
///
/// Over XML-RPC and JSON-RPC a call carries positional `args` and keyword `kwargs`. Odoo's
/// dispatcher (`call_kw`: `odoo/api.py` up to 18, `odoo/service/model.py` in 19) takes the record
/// ids as `args[0]` for record methods, pops `context` from the keywords, calls the method with
/// the rest, and for `create` reads `args[0]` again *after* the call to choose between one id and
/// a list. So a record method without positional arguments, and a `create` whose values travel
/// only as the keyword `vals_list`, fail with IndexError (fault 1); the create's transaction rolls
/// back. Python's own binding refuses a parameter given twice, too many positional arguments and
/// unknown keywords with TypeError.
struct BoundCall: Sendable {
    var ids: [Int] = []
    var arguments: [String: OdooValue] = [:]
    var context: [String: OdooValue] = [:]
    /// `create` only: whether its first positional argument was one dict (answer an id) or a list.
    var createdFromOneDict: Bool?

    /// Binds `args` and `kwargs` to `method`'s signature; throws as Odoo does for a call it refuses
    /// before running the method.
    static func bind(_ method: String, _ signature: MethodSignature, args: [OdooValue], kwargs: [String: OdooValue],
                     version: OdooVersion) throws(OdooException) -> BoundCall {
        var call = BoundCall()
        var positional = args[...]
        if signature.onRecords {
            guard let ids = positional.first else { throw indexError(version) }
            call.ids = Domain.ids(ids)
            positional = positional.dropFirst()
        }
        var keywords = kwargs
        call.context = keywords.removeValue(forKey: "context")?.members ?? [:]
        guard positional.count <= signature.parameters.count else {
            throw OdooException(.type, "BaseModel.\(method)() takes from 1 to \(signature.parameters.count + 1) positional arguments "
                                + "but \(positional.count + 1) were given")
        }
        for (parameter, value) in zip(signature.parameters, positional) {
            if keywords[parameter] != nil { throw OdooException(.type, "BaseModel.\(method)() got multiple values for argument '\(parameter)'") }
            call.arguments[parameter] = value
        }
        for name in keywords.keys.sorted() where !signature.parameters.contains(name) {
            let owner = signature.passesKeywordsToRead ? "_read_format" : method
            throw OdooException(.type, "BaseModel.\(owner)() got an unexpected keyword argument '\(name)'")
        }
        call.arguments.merge(keywords) { positional, _ in positional }
        for required in signature.parameters where signature.required.contains(required) && call.arguments[required] == nil {
            throw OdooException(.type, "BaseModel.\(method)() missing 1 required positional argument: '\(required)'")
        }
        if method == "create" {
            call.createdFromOneDict = positional.first.map { $0.members != nil }
        }
        return call
    }

    /// The answer as `call_kw` adapts it: for `create`, one id for one dict and a list for a list,
    /// and IndexError when there was no positional argument to look at (the create is undone).
    func adapt(_ method: String, _ result: OdooValue?, version: OdooVersion) throws(OdooException) -> OdooValue? {
        guard method == "create" else { return result }
        guard let oneDict = createdFromOneDict else { throw Self.indexError(version) }
        let ids = result?.array ?? result.map { [$0] } ?? []
        return oneDict ? ids.first : .array(ids)
    }

    /// `args[0]` on empty arguments: a tuple up to 18 (`execute_kw` spreads them with `*args`), a
    /// list in 19 (passed through as sent).
    static func indexError(_ version: OdooVersion) -> OdooException {
        OdooException(.index, version >= .v19 ? "list index out of range" : "tuple index out of range")
    }
}

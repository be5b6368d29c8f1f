/// Reads a model's records page by page, in id order, each page asking for the ids after the
/// last one read (`search_read` with `id > last`): never by offset, so records created or
/// archived meanwhile neither shift a page nor are read twice, and a read interrupted resumes
/// from the last id it kept.
public struct OdooReader: Sendable {
    public let client: OdooClient
    public let pageSize: Int

    public init(client: OdooClient, pageSize: Int = 500) {
        self.client = client
        self.pageSize = pageSize
    }

    /// Every record of `model` matching `domain` with an id above `after` (archived ones too),
    /// `fields` of each, a page at a time; `page` returns false to stop. Returns the last id read.
    @discardableResult
    public func forEachPage(_ model: String, fields: [String], domain: [OdooValue] = [], after: Int = 0,
                            _ page: ([OdooValue]) async throws -> Bool) async throws -> Int {
        var last = after
        let wanted = Array(Set(fields + ["id"])).sorted().map(OdooValue.string)
        while true {
            let records = try await client.call(OdooCall(model, "search_read", [
                "domain": .array(domain + [["id", ">", .int(last)]]), "fields": .array(wanted), "limit": .int(pageSize), "order": "id",
            ], context: ["active_test": false])).array ?? []
            guard let lastID = records.last?["id"].int else { return last }
            last = lastID
            guard try await page(records), records.count == pageSize else { return last }
        }
    }

    /// The `field` value of each record of `model` in `ids` (a look-up's `by` field), read in pages.
    public func values(of field: String, in model: String, ids: Set<Int>) async throws -> [Int: String] {
        var found = [Int: String]()
        let sorted = ids.sorted()
        for start in stride(from: 0, to: sorted.count, by: pageSize) {
            let chunk = Array(sorted[start..<min(start + pageSize, sorted.count)])
            let records = try await client.call(OdooCall(model, "read", ids: chunk, ["fields": [.string(field)]], context: ["active_test": false])).array ?? []
            for record in records { if let id = record["id"].int, let value = record[field].string { found[id] = value } }
        }
        return found
    }

    /// The golden ids Aurum's external ids (`<module>.<entity>_<id>`) give the records of `model`
    /// in `ids`: which Odoo records are already golden records.
    public func goldenIDs(module: String, entity: String, model: String, ids: Set<Int>) async throws -> [Int: Int64] {
        var found = [Int: Int64]()
        let sorted = ids.sorted(), prefix = "\(entity)_"
        for start in stride(from: 0, to: sorted.count, by: pageSize) {
            let chunk = Array(sorted[start..<min(start + pageSize, sorted.count)]).map(OdooValue.int)
            let records = try await client.call(OdooCall("ir.model.data", "search_read", [
                "domain": [["module", "=", .string(module)], ["model", "=", .string(model)], ["res_id", "in", .array(chunk)]],
                "fields": ["name", "res_id"],
            ])).array ?? []
            for record in records {
                guard let name = record["name"].string, name.hasPrefix(prefix), let golden = Int64(name.dropFirst(prefix.count)),
                      let id = record["res_id"].int else { continue }
                found[id] = golden
            }
        }
        return found
    }
}

import AurumPublish

/// What a fresh Odoo database holds before anyone syncs into it (modules base, product, uom,
/// stock and purchase, no demo data), with the ids and sequences the recorded servers had, so a
/// recorded request that names an id finds the same record here.
enum SeedData {
    /// Where each version's sequences stood when the recording started.
    static func sequences(_ version: OdooVersion) -> [String: Int] {
        switch version {
        case .v16, .v17: ["res.partner": 7, "res.users": 6, "stock.location": 17, "ir.model.data": 20040]
        case .v18: ["res.partner": 7, "res.users": 6, "stock.location": 17, "ir.model.data": 34088]
        case .v19: ["res.partner": 6, "res.users": 5, "stock.location": 13, "ir.model.data": 36971]
        }
    }

    /// German states in Odoo's data order, the first id per version.
    static let germanStates = [("DE-BW", "Baden-Württemberg"), ("DE-BY", "Bayern"), ("DE-BE", "Berlin"), ("DE-BB", "Brandenburg"), ("DE-HB", "Bremen"),
                               ("DE-HH", "Hamburg"), ("DE-HE", "Hessen"), ("DE-MV", "Mecklenburg-Vorpommern"), ("DE-NI", "Niedersachsen"),
                               ("DE-NW", "Nordrhein-Westfalen"), ("DE-RP", "Rheinland-Pfalz"), ("DE-SL", "Saarland"), ("DE-SN", "Sachsen"),
                               ("DE-ST", "Sachsen-Anhalt"), ("DE-SH", "Schleswig-Holstein"), ("DE-TH", "Thüringen")]

    /// Countries: Germany (57) and the United States (233) carry Odoo's ids; the others are the double's own.
    static let countries: [(Int, String, String)] = [
        (13, "AT", "Austria"), (21, "BE", "Belgium"), (43, "CH", "Switzerland"), (56, "CZ", "Czech Republic"), (57, "DE", "Germany"),
        (59, "DK", "Denmark"), (68, "ES", "Spain"), (75, "FR", "France"), (77, "GB", "United Kingdom"), (109, "IT", "Italy"),
        (165, "NL", "Netherlands"), (176, "PL", "Poland"), (198, "SE", "Sweden"), (233, "US", "United States"),
    ]

    static func load(into db: OdooDatabase, login: String, apiKey: String, password: String) {
        let version = db.version
        db.seed("res.currency", 1, ["name": "USD", "symbol": "$", "active": true])
        db.seed("res.currency", version == .v18 ? 125 : 126, ["name": "EUR", "symbol": "€", "active": false])
        db.seed("res.currency", 130, ["name": "CHF", "symbol": "CHF", "active": false])
        db.seed("res.currency", 131, ["name": "GBP", "symbol": "£", "active": false])
        for (id, code, name) in countries { db.seed("res.country", id, ["name": .string(name), "code": .string(code)]) }
        let firstState = version == .v19 ? 1359 : version == .v18 ? 1388 : 1387
        for (offset, (code, name)) in germanStates.enumerated() {
            db.seed("res.country.state", firstState + offset, ["name": .string(name), "code": .string(code), "country_id": 57])
        }
        db.seed("res.partner", 1, ["name": "My Company", "is_company": true, "country_id": 233])
        db.seed("res.partner", 2, ["name": "OdooBot", "active": false])
        db.seed("res.partner", 3, ["name": "Administrator", "email": "admin@example.com"])
        db.seed("res.partner", 4, ["name": "Public user", "active": false])
        db.seed("res.company", 1, ["name": "My Company", "currency_id": 1, "country_id": 233, "partner_id": 1])
        db.seed("res.groups", 1, ["name": "Internal User"])
        db.seed("res.groups", 2, ["name": "Settings"])
        let groupsField = version >= .v19 ? "group_ids" : "groups_id"
        db.seed("res.users", 1, ["name": "OdooBot", "login": "__system__", "active": false, "partner_id": 2])
        db.seed("res.users", 2, ["name": "Administrator", "login": .string(login), "partner_id": 3, groupsField: [1, 2]])
        db.users[2] = .init(login: login, password: password, apiKeys: [apiKey], limited: false)
        if version <= .v18 {
            db.seed("uom.category", 1, ["name": "Unit"])
            db.seed("uom.category", 2, ["name": "Weight"])
            db.seed("uom.category", 3, ["name": "Length / Distance"])
            db.seed("uom.category", 4, ["name": "Volume"])
            db.seed("uom.uom", 1, ["name": "Units", "category_id": 1, "uom_type": "reference", "factor": 1.0])
            db.seed("uom.uom", 2, ["name": "Dozens", "category_id": 1, "uom_type": "bigger", "factor": .double(1.0 / 12)])
            db.seed("uom.uom", 12, ["name": "kg", "category_id": 2, "uom_type": "reference", "factor": 1.0])
            db.seed("uom.uom", 5, ["name": "m", "category_id": 3, "uom_type": "reference", "factor": 1.0])
            db.seed("uom.uom", 10, ["name": "L", "category_id": 4, "uom_type": "reference", "factor": 1.0])
            db.seed("uom.category", 5, ["name": "Working Time"])
            db.seed("uom.uom", 6, ["name": "Hours", "category_id": 5, "uom_type": "reference", "factor": 1.0])
            db.seed("product.category", 1, ["name": "All"])
            db.seed("product.category", 2, ["name": "Saleable", "parent_id": 1])
            db.seed("product.category", 3, ["name": "Expenses", "parent_id": 1])
        } else {
            db.seed("uom.uom", 1, ["name": "Units", "relative_factor": 1.0])
            db.seed("uom.uom", 2, ["name": "Dozens", "relative_factor": 12.0, "relative_uom_id": 1])
            db.seed("uom.uom", 12, ["name": "kg", "relative_factor": 1.0])
            db.seed("uom.uom", 5, ["name": "m", "relative_factor": 1.0])
            db.seed("uom.uom", 10, ["name": "L", "relative_factor": 1.0])
            db.seed("uom.uom", 6, ["name": "Hours", "relative_factor": 1.0])
            db.seed("product.category", 1, ["name": "Goods"])
            db.seed("product.category", 2, ["name": "Expenses"])
            db.seed("product.category", 3, ["name": "Services"])
        }
        db.seed("stock.location", 7, ["name": "WH", "usage": "view"])
        db.seed("stock.location", 8, ["name": "Stock", "usage": "internal", "location_id": 7])
        db.seed("stock.warehouse", 1, ["name": "My Company", "code": "WH", "company_id": 1, "partner_id": 1, "view_location_id": 7, "lot_stock_id": 8])
        let unitXMLID = version == .v19 ? 6515 : version == .v18 ? 6188 : 5397
        db.seed("ir.model.data", 5, ["module": "base", "name": "group_user", "model": "res.groups", "res_id": 1, "noupdate": false])
        db.seed("ir.model.data", 1, ["module": "base", "name": "main_company", "model": "res.company", "res_id": 1, "noupdate": true])
        db.seed("ir.model.data", 2, ["module": "base", "name": "main_partner", "model": "res.partner", "res_id": 1, "noupdate": true])
        db.seed("ir.model.data", 3, ["module": "base", "name": "user_admin", "model": "res.users", "res_id": 2, "noupdate": true])
        db.seed("ir.model.data", unitXMLID, ["module": "uom", "name": "product_uom_unit", "model": "uom.uom", "res_id": 1, "noupdate": true])
        // Seeding moves each sequence past its highest seeded id; the recorded servers' stood further on.
        for (model, next) in sequences(version) { db.sequences[model] = next }
    }
}

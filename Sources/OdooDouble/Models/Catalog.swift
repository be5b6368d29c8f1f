import AurumPublish

/// The models the double serves, per Odoo version, with the fields, labels, defaults and
/// constraints the recorded servers showed (`Tests/Fixtures/odoo-wire`).
enum Catalog {
    static func models(_ version: OdooVersion) -> [ModelSpec] {
        [product(version), variant(), category(), uom(version), uomCategory(), partner(version), bank(), partnerBank(), supplierinfo(version),
         warehouse(), location(), country(), state(), currency(), company(), users(version), groups(), modelData()]
    }

    static func product(_ version: OdooVersion) -> ModelSpec {
        var fields: [FieldSpec] = [
            .char("name", "Name", required: true), .char("default_code", "Internal Reference"), .char("barcode", "Barcode"),
            .many2one("uom_id", version >= .v19 ? "Unit" : "Unit of Measure", "uom.uom", required: true, default: 1),
            .many2one("categ_id", "Product Category", "product.category", required: version < .v19, default: version < .v19 ? 1 : false),
            .boolean("sale_ok", version >= .v18 ? "Sales" : "Can be Sold", default: true),
            .boolean("purchase_ok", version >= .v18 ? "Purchase" : "Can be Purchased", default: true),
            // Digits as real 17, 18 and 19 declare them ("Product Price" has none on 19 by default).
            .boolean("active", "Active", default: true), .float("list_price", "Sales Price", default: 1, digits: version < .v19 ? (16, 2) : nil),
            .float("standard_price", "Cost", digits: version < .v19 ? (16, 2) : nil),
            .text("description", "Description"), .text("description_purchase", "Purchase Description"), .text("description_sale", "Sales Description"),
            .float("weight", "Weight", digits: (16, 2)), .float("volume", "Volume", digits: (16, 2)),
            .selection("tracking", "Tracking", [("serial", "By Unique Serial Number"), ("lot", "By Lots"), ("none", version >= .v18 ? "By Quantity" : "No Tracking")],
                       required: true, default: "none"),
            .computed("product_variant_ids", .one2many("product.product", inverse: "product_tmpl_id"), "Products") { record, db in
                .array(db.variants(of: record["id"]?.int ?? 0).map(OdooValue.int))
            },
            .computed("product_variant_id", .many2one("product.product"), "Product") { record, db in
                guard let id = db.variants(of: record["id"]?.int ?? 0).first else { return false }
                return [.int(id), .string(db.displayName("product.product", id))]
            },
            .one2many("seller_ids", "Vendors", "product.supplierinfo", inverse: "product_tmpl_id"),
            .many2one("company_id", "Company", "res.company"),
        ]
        if version <= .v17 {
            let types = [("consu", "Consumable"), ("service", "Service"), ("product", "Storable Product")]
            fields.append(.selection("detailed_type", "Product Type", types, required: true, default: "consu"))
            fields.append(FieldSpec(name: "type", kind: .selection(types), label: "Type", compute: { record, _ in record["detailed_type"] ?? "consu" }))
        } else {
            fields.append(.selection("type", "Product Type", [("consu", "Goods"), ("service", "Service"), ("combo", "Combo")], required: true, default: "consu"))
            fields.append(.boolean("is_storable", "Track Inventory"))
        }
        if version <= .v18 {
            fields.append(.many2one("uom_po_id", version >= .v18 ? "Purchase Unit" : "Purchase UoM", "uom.uom", required: true, default: 1))
        } else {
            fields.append(.many2many("uom_ids", "Packagings", "uom.uom"))
        }
        var spec = ModelSpec("product.template", "Product", fields)
        spec.order = "name"
        spec.displayName = { record, _ in
            let name = record["name"]?.string ?? ""
            guard let code = record["default_code"]?.string, !code.isEmpty else { return name }
            return "[\(code)] \(name)"
        }
        spec.constraints = [{ record, db in db.barcodeConflict(record) }]
        spec.afterCreate = { id, db in
            let variant = db.nextID("product.product")
            db.tables["product.product", default: [:]][variant] = ["id": .int(variant), "product_tmpl_id": .int(id), "active": db.record("product.template", id)?["active"] ?? true,
                                                                  "create_date": .string(db.now), "write_date": .string(db.now)]
        }
        return spec
    }

    static func variant() -> ModelSpec {
        func fromTemplate(_ name: String) -> @Sendable (Record, OdooDatabase) -> OdooValue {
            { record, db in db.record("product.template", record["product_tmpl_id"]?.int ?? 0)?[name] ?? false }
        }
        var spec = ModelSpec("product.product", "Product Variant", [
            .many2one("product_tmpl_id", "Product Template", "product.template", required: true),
            .boolean("active", "Active", default: true),
            .computed("name", .char, "Name", fromTemplate("name")), .computed("default_code", .char, "Internal Reference", fromTemplate("default_code")),
            .computed("barcode", .char, "Barcode", fromTemplate("barcode")),
        ])
        spec.displayName = { record, db in db.displayName("product.template", record["product_tmpl_id"]?.int ?? 0) }
        return spec
    }

    static func category() -> ModelSpec {
        var spec = ModelSpec("product.category", "Product Category", [
            .char("name", "Name", required: true), .many2one("parent_id", "Parent Category", "product.category"),
            .computed("complete_name", .char, "Complete Name") { record, db in .string(db.categoryPath(record)) },
        ])
        spec.order = "complete_name"
        spec.displayName = { record, db in db.categoryPath(record) }
        return spec
    }

    static func uom(_ version: OdooVersion) -> ModelSpec {
        var fields: [FieldSpec] = [.char("name", "Unit", required: true), .boolean("active", "Active", default: true), .float("rounding", "Rounding Precision", default: 0.01)]
        if version <= .v18 {
            fields += [.many2one("category_id", "Category", "uom.category", required: true),
                       .selection("uom_type", "Type", [("bigger", "Bigger than the reference Unit of Measure"), ("reference", "Reference Unit of Measure for this category"),
                                                       ("smaller", "Smaller than the reference Unit of Measure")], required: true, default: "reference"),
                       .float("factor", "Ratio", default: 1)]
        } else {
            fields += [.float("relative_factor", "Contains", default: 1), .many2one("relative_uom_id", "Reference Unit", "uom.uom")]
        }
        return ModelSpec("uom.uom", "Product Unit of Measure", fields)
    }

    static func uomCategory() -> ModelSpec { ModelSpec("uom.category", "Product UoM Categories", [.char("name", "Unit of Measure Category", required: true)]) }

    static func partner(_ version: OdooVersion) -> ModelSpec {
        var fields: [FieldSpec] = [
            .char("name", "Name"), .boolean("is_company", "Is a Company"), .integer("supplier_rank", "Supplier Rank"), .integer("customer_rank", "Customer Rank"),
            .many2one("country_id", "Country", "res.country"), .many2one("state_id", "State", "res.country.state"), .char("vat", "Tax ID"),
            .char("email", "Email"), .char("phone", "Phone"), .char("street", "Street"), .char("street2", "Street2"), .char("city", "City"),
            .char("zip", "Zip"), .char("ref", "Reference"), .char("company_registry", "Company ID"), .boolean("active", "Active", default: true),
            .many2one("parent_id", "Related Company", "res.partner"), .one2many("bank_ids", "Banks", "res.partner.bank", inverse: "partner_id"),
            .many2one("company_id", "Company", "res.company"), .selection("lang", "Language", [("en_US", "English (US)"), ("de_DE", "German / Deutsch")], default: "en_US"),
            .char("website", "Website Link"), .text("comment", "Notes"),
        ]
        if version <= .v18 { fields += [.char("mobile", "Mobile"), .many2one("title", "Title", "res.partner.title")] }
        var spec = ModelSpec("res.partner", "Contact", fields)
        spec.order = "name"
        spec.constraints = [{ record, _ in
            (record["name"] ?? .none).isEmpty ? OdooException(.validation, "Contacts require a name") : nil
        }]
        return spec
    }

    static func bank() -> ModelSpec { ModelSpec("res.bank", "Bank", [.char("name", "Name", required: true), .char("bic", "Bank Identifier Code")]) }

    static func partnerBank() -> ModelSpec {
        var spec = ModelSpec("res.partner.bank", "Bank Accounts", [
            .char("acc_number", "Account Number", required: true),
            .computed("sanitized_acc_number", .char, "Sanitized Account Number") { record, _ in .string(OdooDatabase.sanitize(record["acc_number"]?.string ?? "")) },
            .many2one("partner_id", "Account Holder", "res.partner", required: true), .many2one("bank_id", "Bank", "res.bank"),
            .computed("acc_type", .selection([("bank", "Normal")]), "Type") { _, _ in "bank" },
            .many2one("company_id", "Company", "res.company"), .many2one("currency_id", "Currency", "res.currency"),
            .boolean("active", "Active", default: true), .char("acc_holder_name", "Account Holder Name"),
        ])
        spec.recName = "acc_number"
        spec.constraints = [{ record, db in
            let number = OdooDatabase.sanitize(record["acc_number"]?.string ?? "")
            let clash = (db.tables["res.partner.bank"] ?? [:]).values.contains { other in
                other["id"] != record["id"] && other["partner_id"] == record["partner_id"] && OdooDatabase.sanitize(other["acc_number"]?.string ?? "") == number
            }
            return clash ? OdooException(.validation, "The operation cannot be completed: The combination Account Number/Partner must be unique.") : nil
        }]
        return spec
    }

    static func supplierinfo(_ version: OdooVersion) -> ModelSpec {
        let uomField = version >= .v19 ? "product_uom_id" : "product_uom"
        var spec = ModelSpec("product.supplierinfo", "Supplier Pricelist", [
            .many2one("partner_id", "Vendor", "res.partner", required: true), .many2one("product_tmpl_id", "Product Template", "product.template"),
            .many2one("product_id", "Product Variant", "product.product"), .char("product_code", "Vendor Product Code"),
            .char("product_name", "Vendor Product Name"), .float("min_qty", "Quantity"), .float("price", "Price"),
            .many2one("currency_id", "Currency", "res.currency", required: true, default: 1), .integer("delay", "Delivery Lead Time", default: 1),
            .many2one("company_id", "Company", "res.company", default: 1), FieldSpec(name: "date_start", kind: .date, label: "Start Date"),
            FieldSpec(name: "date_end", kind: .date, label: "End Date"), .integer("sequence", "Sequence", default: 1),
            .many2one(uomField, "Unit", "uom.uom"),
        ])
        spec.displayName = { record, db in db.displayName("res.partner", record["partner_id"]?.int ?? 0) }
        spec.afterCreate = { id, db in  // the unit (and in 19 the variant) come from the product
            guard var record = db.record("product.supplierinfo", id) else { return }
            if let template = record["product_tmpl_id"]?.int, let product = db.record("product.template", template) {
                if (record[uomField] ?? .none).isEmpty { record[uomField] = product[version >= .v19 ? "uom_id" : "uom_po_id"] ?? 1 }
                if version >= .v19, (record["product_id"] ?? .none).isEmpty, let variant = db.variants(of: template).first { record["product_id"] = .int(variant) }
            }
            db.tables["product.supplierinfo"]![id] = record
        }
        return spec
    }

    static func warehouse() -> ModelSpec {
        var spec = ModelSpec("stock.warehouse", "Warehouse", [
            .char("name", "Warehouse", required: true), .char("code", "Short Name", required: true, size: 5),
            .many2one("company_id", "Company", "res.company", required: true, default: 1), .many2one("partner_id", "Address", "res.partner", default: 1),
            .many2one("view_location_id", "View Location", "stock.location"), .many2one("lot_stock_id", "Location Stock", "stock.location"),
            .boolean("active", "Active", default: true), .integer("sequence", "Sequence", default: 10),
            .selection("reception_steps", "Incoming Shipments", [("one_step", "Receive and Store (1 step)"), ("two_steps", "Receive then Store (2 steps)"),
                                                                  ("three_steps", "Receive, Quality Control, then Store (3 steps)")], required: true, default: "one_step"),
            .selection("delivery_steps", "Outgoing Shipments", [("ship_only", "Deliver (1 step)"), ("pick_ship", "Pick then Deliver (2 steps)"),
                                                                 ("pick_pack_ship", "Pick, Pack, then Deliver (3 steps)")], required: true, default: "ship_only"),
        ])
        spec.normalize = { record in
            if let code = record["code"]?.string, code.count > 5 { record["code"] = .string(String(code.prefix(5))) }  // size 5: Odoo cuts silently
        }
        spec.constraints = [{ record, db in
            let others = (db.tables["stock.warehouse"] ?? [:]).values.filter { $0["id"] != record["id"] && $0["company_id"] == record["company_id"] }
            if others.contains(where: { $0["code"] == record["code"] }) {
                return OdooException(.validation, "The operation cannot be completed: The short name of the warehouse must be unique per company!")
            }
            if others.contains(where: { $0["name"] == record["name"] }) {
                return OdooException(.validation, "The operation cannot be completed: The name of the warehouse must be unique per company!")
            }
            return nil
        }]
        spec.afterCreate = { id, db in
            let code = db.record("stock.warehouse", id)?["code"] ?? "WH"
            let view = db.nextID("stock.location"), stock = db.nextID("stock.location")
            db.tables["stock.location", default: [:]][view] = ["id": .int(view), "name": code, "usage": "view", "location_id": false, "active": true]
            db.tables["stock.location", default: [:]][stock] = ["id": .int(stock), "name": "Stock", "usage": "internal", "location_id": .int(view), "active": true]
            db.tables["stock.warehouse"]![id]!["view_location_id"] = .int(view)
            db.tables["stock.warehouse"]![id]!["lot_stock_id"] = .int(stock)
        }
        return spec
    }

    static func location() -> ModelSpec {
        var spec = ModelSpec("stock.location", "Inventory Locations", [
            .char("name", "Location Name", required: true), .many2one("location_id", "Parent Location", "stock.location"),
            .selection("usage", "Location Type", [("view", "View"), ("internal", "Internal Location")], default: "internal"),
            .boolean("active", "Active", default: true),
            .computed("complete_name", .char, "Full Location Name") { record, db in .string(db.locationPath(record)) },
        ])
        spec.displayName = { record, db in db.locationPath(record) }
        return spec
    }

    static func country() -> ModelSpec {
        ModelSpec("res.country", "Country", [.char("name", "Country Name", required: true), .char("code", "Country Code"),
                                             .many2one("currency_id", "Currency", "res.currency")])
    }

    static func state() -> ModelSpec {
        var spec = ModelSpec("res.country.state", "Country state", [.char("name", "State Name", required: true), .char("code", "State Code", required: true),
                                                                    .many2one("country_id", "Country", "res.country", required: true)])
        spec.displayName = { record, db in
            "\(record["name"]?.string ?? "") (\(db.record("res.country", record["country_id"]?.int ?? 0)?["code"]?.string ?? ""))"
        }
        return spec
    }

    static func currency() -> ModelSpec {
        var spec = ModelSpec("res.currency", "Currency", [.char("name", "Currency", required: true), .char("symbol", "Symbol", required: true),
                                                           .boolean("active", "Active", default: true), .float("rounding", "Rounding Factor", default: 0.01)])
        spec.order = "name"
        return spec
    }

    static func company() -> ModelSpec {
        ModelSpec("res.company", "Companies", [.char("name", "Company Name", required: true), .many2one("currency_id", "Currency", "res.currency", required: true),
                                               .many2one("country_id", "Country", "res.country"), .many2one("partner_id", "Partner", "res.partner")])
    }

    static func users(_ version: OdooVersion) -> ModelSpec {
        let groupsField = version >= .v19 ? "group_ids" : "groups_id"
        var spec = ModelSpec("res.users", "User", [.char("name", "Name", required: true), .char("login", "Login", required: true), .char("password", "Password"),
                                        .boolean("active", "Active", default: true), .many2one("partner_id", "Related Partner", "res.partner"),
                                        .many2one("company_id", "Company", "res.company", default: 1),
                                        .many2many(groupsField, "Groups", "res.groups")])
        spec.afterCreate = { id, db in  // the login can now authenticate; the password is not kept readable
            guard var record = db.record("res.users", id) else { return }
            let groups = Domain.ids(record[groupsField] ?? [])
            db.users[id] = .init(login: record["login"]?.string ?? "", password: record["password"]?.string ?? "", apiKeys: [], limited: !groups.contains(2))
            record["password"] = ""
            if (record["partner_id"] ?? .none).isEmpty {
                let partner = db.nextID("res.partner")
                db.tables["res.partner", default: [:]][partner] = ["id": .int(partner), "name": record["name"] ?? "", "active": true, "lang": "en_US",
                                                                   "create_date": .string(db.now), "write_date": .string(db.now)]
                record["partner_id"] = .int(partner)
            }
            db.tables["res.users"]![id] = record
        }
        return spec
    }

    static func groups() -> ModelSpec { ModelSpec("res.groups", "Access Groups", [.char("name", "Name", required: true)]) }

    static func modelData() -> ModelSpec {
        var spec = ModelSpec("ir.model.data", "Model Data", [
            .char("module", "Module", required: true), .char("name", "External Identifier", required: true), .char("model", "Model Name", required: true),
            FieldSpec(name: "res_id", kind: .integer, label: "Record ID"), .boolean("noupdate", "Non Updatable"),
            .computed("complete_name", .char, "Complete ID") { record, _ in .string("\(record["module"]?.string ?? "").\(record["name"]?.string ?? "")") },
        ])
        spec.order = "module,name"
        spec.displayName = { record, _ in "\(record["module"]?.string ?? "").\(record["name"]?.string ?? "")" }
        spec.constraints = [{ record, db in
            let clash = (db.tables["ir.model.data"] ?? [:]).values.contains { $0["id"] != record["id"] && $0["module"] == record["module"] && $0["name"] == record["name"] }
            guard clash else { return nil }
            return OdooException(.validation, "The operation cannot be completed: duplicate key value violates unique constraint \"ir_model_data_module_name_uniq_index\"\n"
                                 + "DETAIL:  Key (module, name)=(\(record["module"]?.string ?? ""), \(record["name"]?.string ?? "")) already exists.")
        }]
        return spec
    }
}

extension OdooDatabase {
    func variants(of template: Int) -> [Int] {
        (tables["product.product"] ?? [:]).values.filter { $0["product_tmpl_id"]?.int == template }.compactMap { $0["id"]?.int }.sorted()
    }

    func categoryPath(_ record: Record) -> String {
        let name = record["name"]?.string ?? ""
        guard let parent = record["parent_id"]?.int, let parentRecord = self.record("product.category", parent) else { return name }
        return categoryPath(parentRecord) + " / " + name
    }

    func locationPath(_ record: Record) -> String {
        let name = record["name"]?.string ?? ""
        guard let parent = record["location_id"]?.int, let parentRecord = self.record("stock.location", parent) else { return name }
        return locationPath(parentRecord) + "/" + name
    }

    /// Account numbers as Odoo compares them: letters and digits only, upper case.
    static func sanitize(_ number: String) -> String {
        String(number.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.map(Character.init)).uppercased()
    }

    /// Odoo's duplicate-barcode ValidationError, naming every product that holds the barcode.
    func barcodeConflict(_ record: Record) -> OdooException? {
        guard let barcode = record["barcode"]?.string, !barcode.isEmpty else { return nil }
        let holders = (tables["product.template"] ?? [:]).values.filter { $0["id"] != record["id"] && $0["barcode"]?.string == barcode }
        guard !holders.isEmpty else { return nil }
        let spec = models["product.template"]!
        let names = (holders + [record]).map { spec.displayName!($0, self) }
        return OdooException(.validation, "Barcode(s) already assigned:\n\n- Barcode \"\(barcode)\" already assigned to product(s): "
                             + names.joined(separator: " and ") + "\n\nNote: products that you don't have access to will not be shown above.")
    }
}

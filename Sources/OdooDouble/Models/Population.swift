import AurumCore
import AurumPublish

/// A company's master data as years of work in Odoo leave it, for a first import: products with
/// codes, some with barcodes, weights and vendor lines; products typed in twice (another code
/// spelling, the name in other case, no barcode); suppliers and customers with addresses, VAT
/// numbers and bank accounts; warehouses; some products and partners archived. Made from a seed, so a run can be repeated exactly.
public struct Population: Sendable, Hashable {
    public var products = 0
    /// Products entered a second time, among `products`.
    public var duplicates = 0
    public var partners = 0
    public var warehouses = 0
    public var seed: UInt64 = 1

    public init(products: Int = 0, duplicates: Int = 0, partners: Int = 0, warehouses: Int = 0, seed: UInt64 = 1) {
        self.products = products
        self.duplicates = duplicates
        self.partners = partners
        self.warehouses = warehouses
        self.seed = seed
    }

    /// Reads `products=2000,duplicates=40,partners=500,warehouses=3,seed=7`.
    public init(_ text: String) throws(PopulationError) {
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let number = UInt64(pair[1]), number <= 1_000_000 else {
                throw PopulationError("\(part): expected name=number (a whole number up to 1000000)")
            }
            switch pair[0] {
            case "products": products = Int(number)
            case "duplicates": duplicates = Int(number)
            case "partners": partners = Int(number)
            case "warehouses": warehouses = Int(number)
            case "seed": seed = number
            default: throw PopulationError("\(pair[0]) is not one of products, duplicates, partners, warehouses, seed")
            }
        }
        guard duplicates <= products / 2 else { throw PopulationError("duplicates (\(duplicates)) may be at most half of products (\(products))") }
        guard warehouses <= 99 else { throw PopulationError("warehouses may be at most 99") }
    }

    /// What a population made: the ids of each kind, and each duplicate with the product it repeats.
    public struct Made: Sendable {
        public var products = [Int]()
        public var duplicates = [(original: Int, duplicate: Int)]()
        public var suppliers = [Int]()
        public var customers = [Int]()
        public var warehouses = [Int]()
        /// Products and partners archived (`active` false), one in forty products and one in sixty partners.
        public var archived = [(model: String, id: Int)]()
    }
}

public struct PopulationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension OdooDatabase {
    /// Creates `population` through the ORM (as the administrator, in one transaction), every
    /// record dated as written in the past (`2025-06-02` onwards), as a database in use would be.
    @discardableResult
    public func populate(_ population: Population) throws -> Population.Made {
        try transaction { () throws(OdooException) -> Population.Made in
            var maker = PopulationMaker(population: population, version: version)
            return try maker.make(in: self)
        }
    }
}

/// Makes a population: word lists drawn from a seeded generator.
struct PopulationMaker {
    let population: Population
    let version: OdooVersion
    var random: SeededRandom
    var clock = 0

    init(population: Population, version: OdooVersion) {
        self.population = population
        self.version = version
        self.random = SeededRandom(seed: population.seed)
    }

    mutating func below(_ n: Int) -> Int { Int(random.next() % UInt64(max(n, 1))) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// The next past instant, a few minutes after the one before.
    mutating func stamp() -> OdooValue {
        clock += 60 + below(600)
        let day = 2 + clock / 86_400, rest = clock % 86_400
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let month = 6 + (day - 1) / 28, dayOfMonth = 1 + (day - 1) % 28
        return .string("2025-\(two(month))-\(two(dayOfMonth)) \(two(rest / 3_600)):\(two(rest % 3_600 / 60)):\(two(rest % 60))")
    }

    static let kinds = ["hex bolt", "hex nut", "flat washer", "wing nut", "socket cap screw", "threaded rod", "dowel pin", "spring pin",
                        "blind rivet", "anchor bolt", "eye bolt", "carriage bolt", "set screw", "lock nut", "flange nut", "cable tie",
                        "hose clamp", "angle bracket", "butt hinge", "shaft collar"]
    static let materials = ["Steel", "Stainless steel", "Brass", "Zinc plated steel", "Aluminium", "Nylon", "Galvanised steel", "Bronze"]
    static let sizes = ["M3x10", "M4x12", "M5x16", "M6x20", "M6x30", "M8x25", "M8x40", "M10x30", "M10x50", "M12x40", "M12x60",
                        "M16x50", "M16x80", "M20x60", "M20x100"]
    static let surnames = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
                           "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun", "Hofmann", "Zimmermann",
                           "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Herrmann", "Walter", "Kaiser"]
    static let trades = ["Stahlbau", "Metallhandel", "Schrauben", "Werkzeugbau", "Logistik", "Kunststofftechnik", "Elektrotechnik",
                         "Maschinenbau", "Verpackung", "Antriebstechnik", "Hydraulik", "Oberflächentechnik", "Gießerei", "Feinmechanik",
                         "Industriebedarf", "Lagertechnik", "Drahtwerk", "Federnfabrik", "Dichtungstechnik", "Normteile"]
    static let forms = ["GmbH", "AG", "KG", "GmbH & Co. KG", "e.K."]
    static let cities = [("Hamburg", "20457", "DE-HH"), ("München", "80331", "DE-BY"), ("Stuttgart", "70173", "DE-BW"), ("Köln", "50667", "DE-NW"),
                         ("Dortmund", "44135", "DE-NW"), ("Leipzig", "04109", "DE-SN"), ("Hannover", "30159", "DE-NI"), ("Nürnberg", "90402", "DE-BY"),
                         ("Bremen", "28195", "DE-HB"), ("Kassel", "34117", "DE-HE")]
    static let streets = ["Hauptstraße", "Industriestraße", "Bahnhofstraße", "Gewerbepark", "Hafenstraße", "Am Werk", "Lindenweg", "Ringstraße"]

    mutating func make(in db: OdooDatabase) throws(OdooException) -> Population.Made {
        var made = Population.Made()
        let states = Dictionary((db.tables["res.country.state"] ?? [:]).values.compactMap { record in
            record["code"]?.string.map { ($0, record["id"] ?? false) } }, uniquingKeysWith: { first, _ in first })
        // Partners: suppliers, customers, and some that are both.
        var names = Set<String>()
        for index in 0..<population.partners {
            var name: String
            repeat { name = "\(pick(Self.surnames)) \(pick(Self.trades)) \(pick(Self.forms))" } while !names.insert(name).inserted
            let (city, zip, state) = pick(Self.cities)
            let role = index % 10
            let supplier = role < 6 || role == 9, customer = role >= 6
            let slug = name.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) }.map(String.init).joined().prefix(24)
            var vals: [String: OdooValue] = [
                "name": .string(name), "is_company": true, "street": .string("\(pick(Self.streets)) \(1 + below(120))"), "city": .string(city),
                "zip": .string(zip), "state_id": states[state] ?? false, "country_id": 57, "vat": .string("DE\(100_000_000 + index * 7_919 % 900_000_000)"),
                "email": .string("info@\(slug).example"), "phone": .string("+49 \(30 + below(60)) \(100_000 + below(899_999))"),
                "ref": .string((supplier ? "V" : "C") + String(10_000 + index)),
                "supplier_rank": .int(supplier ? 1 : 0), "customer_rank": .int(customer ? 1 : 0),
            ]
            if version >= .v19 { vals["company_registry"] = .string("HRB \(1_000 + below(90_000))") }
            if index % 60 == 59 { vals["active"] = false }
            let id = try create(db, "res.partner", vals)
            if index % 60 == 59 { made.archived.append(("res.partner", id)) }
            if supplier { made.suppliers.append(id) }
            if customer { made.customers.append(id) }
            if supplier, below(2) == 0 { _ = try create(db, "res.partner.bank", ["partner_id": .int(id), "acc_number": .string(iban(index))]) }
        }
        // Products, each a distinct kind, material and size.
        var combinations = [(Int, Int, Int)]()
        for kind in Self.kinds.indices { for material in Self.materials.indices { for size in Self.sizes.indices { combinations.append((kind, material, size)) } } }
        for index in combinations.indices.reversed() { combinations.swapAt(index, below(index + 1)) }
        var codes = Set<Int>(), barcodes = 0
        let originals = population.products - population.duplicates
        var kept = [(id: Int, name: String, code: String, vals: [String: OdooValue])]()
        for index in 0..<originals {
            let (kind, material, size) = combinations[index % combinations.count]
            var number: Int
            repeat { number = 100_000 + below(900_000) } while !codes.insert(number).inserted
            let name = "\(Self.materials[material]) \(Self.kinds[kind]) \(Self.sizes[size])" + (index >= combinations.count ? " type \(index / combinations.count + 1)" : "")
            let code = "FA-\(number)"
            var vals: [String: OdooValue] = [
                "name": .string(name), "default_code": .string(code), "weight": .double(Double(1 + below(5_000)) / 1000),
                "list_price": .double(Double(10 + below(50_000)) / 100), "standard_price": .double(Double(5 + below(25_000)) / 100),
                "uom_id": 1, "sale_ok": true, "purchase_ok": true,
            ]
            if version >= .v18 { vals["type"] = "consu"; vals["is_storable"] = true } else { vals["detailed_type"] = "product" }
            if below(2) == 0 { barcodes += 1; vals["barcode"] = .string(gtin(barcodes)) }
            if index % 40 == 39 { vals["active"] = false }
            let id = try create(db, "product.template", vals)
            made.products.append(id)
            if index % 40 == 39 { made.archived.append(("product.template", id)) }
            vals["active"] = nil
            kept.append((id, name, code, vals))
            if !made.suppliers.isEmpty, below(3) > 0 {
                _ = try create(db, "product.supplierinfo", ["product_tmpl_id": .int(id), "partner_id": .int(pick(made.suppliers)), "price": vals["standard_price"]!])
            }
        }
        // Products typed in a second time: the code without its dash, the name in lower case, no barcode.
        var chosen = Set<Int>()
        for _ in 0..<population.duplicates {
            var index: Int
            repeat { index = below(kept.count) } while !chosen.insert(index).inserted
            let original = kept[index]
            var vals = original.vals
            vals["name"] = .string(original.name.lowercased())
            vals["default_code"] = .string(original.code.replacingOccurrences(of: "-", with: ""))
            vals["barcode"] = nil
            let id = try create(db, "product.template", vals)
            made.products.append(id)
            made.duplicates.append((original.id, id))
        }
        for index in 0..<population.warehouses {
            let (city, _, _) = Self.cities[index % Self.cities.count]
            made.warehouses.append(try create(db, "stock.warehouse", ["name": .string("Lager \(city)"), "code": .string("L\(index + 1)")]))
        }
        return made
    }

    /// Creates one record through the ORM and dates it in the past.
    mutating func create(_ db: OdooDatabase, _ model: String, _ vals: [String: OdooValue]) throws(OdooException) -> Int {
        let id = try db.perform(uid: 2, model: model, method: "create", ids: [], arguments: ["vals_list": .array([.struct(vals)])], context: [:])?.array?.first?.int ?? 0
        let stamp = stamp()
        db.tables[model]?[id]?["create_date"] = stamp
        db.tables[model]?[id]?["write_date"] = stamp
        if model == "product.template" {
            for variant in db.variants(of: id) {
                db.tables["product.product"]?[variant]?["create_date"] = stamp
                db.tables["product.product"]?[variant]?["write_date"] = stamp
            }
        }
        return id
    }

    /// A valid EAN-13 from a running number.
    func gtin(_ number: Int) -> String {
        let body = "400" + String(String(100_000_000 + number).suffix(9))
        return body + String(CheckDigits.gtinCheckDigit(for: body.compactMap(\.wholeNumberValue)))
    }

    /// A valid German IBAN from a running number.
    func iban(_ number: Int) -> String {
        CheckDigits.iban(country: "DE", bban: "37040044" + String(String(1_000_000_000 + number * 37).suffix(10)))
    }
}

/// Word lists for generated master data: places, name parts, company words, products.
enum BenchVocabulary {
    struct Place { let country: String; let city: String; let zip: String; let phonePrefix: String }

    static let places: [Place] = [
        Place(country: "DE", city: "München", zip: "80331", phonePrefix: "089"), Place(country: "DE", city: "Köln", zip: "50667", phonePrefix: "0221"),
        Place(country: "DE", city: "Stuttgart", zip: "70173", phonePrefix: "0711"), Place(country: "DE", city: "Düsseldorf", zip: "40213", phonePrefix: "0211"),
        Place(country: "DE", city: "Nürnberg", zip: "90402", phonePrefix: "0911"), Place(country: "DE", city: "Berlin", zip: "10115", phonePrefix: "030"),
        Place(country: "DE", city: "Hamburg", zip: "20095", phonePrefix: "040"), Place(country: "DE", city: "Ulm", zip: "89073", phonePrefix: "0731"),
        Place(country: "DE", city: "Künzelsau", zip: "74653", phonePrefix: "07940"), Place(country: "DE", city: "Bielefeld", zip: "33602", phonePrefix: "0521"),
        Place(country: "AT", city: "Wien", zip: "1010", phonePrefix: "01"), Place(country: "AT", city: "Graz", zip: "8010", phonePrefix: "0316"),
        Place(country: "CH", city: "Zürich", zip: "8001", phonePrefix: "044"), Place(country: "CH", city: "Zug", zip: "6300", phonePrefix: "041"),
        Place(country: "FR", city: "Lyon", zip: "69001", phonePrefix: "04"), Place(country: "FR", city: "Paris", zip: "75001", phonePrefix: "01"),
        Place(country: "IT", city: "Milano", zip: "20121", phonePrefix: "02"), Place(country: "NL", city: "Eindhoven", zip: "5611", phonePrefix: "040"),
        Place(country: "PL", city: "Wrocław", zip: "50-001", phonePrefix: "071"), Place(country: "CZ", city: "Brno", zip: "60200", phonePrefix: "05"),
        Place(country: "SE", city: "Göteborg", zip: "41101", phonePrefix: "031"), Place(country: "GB", city: "Birmingham", zip: "B1 1AA", phonePrefix: "0121"),
        Place(country: "US", city: "Chicago", zip: "60601", phonePrefix: "312"), Place(country: "ES", city: "Zaragoza", zip: "50001", phonePrefix: "976"),
    ]

    /// Syllables that make surnames and company names by the million without running out.
    static let onsets = ["Ba", "Be", "Bra", "Ch", "Da", "Dre", "Eb", "Fa", "Fri", "Ga", "Gro", "Ha", "He", "Ja", "Ka", "Ke", "Klo", "La",
                         "Le", "Ma", "Mei", "Mü", "Na", "No", "Ob", "Pa", "Pe", "Ra", "Re", "Ro", "Sa", "Schu", "Se", "Sta", "Ta", "Te",
                         "Tho", "Ul", "Va", "Ve", "Wa", "We", "Wi", "Za", "Zie", "Lö", "Bö", "Kö", "Ar", "Os"]
    static let middles = ["", "ll", "r", "n", "ck", "st", "ns", "rt", "nd", "ss", "tz", "lm", "rk", "ch", "b", "d", "g", "m", "p", "v"]
    static let endings = ["er", "mann", "berg", "stein", "feld", "hoff", "ler", "ner", "sen", "son", "ski", "ini", "elli", "ard",
                          "ot", "ez", "os", "ing", "au", "ow", "ich", "ke", "litz", "bach", "dorf", "heim", "rich", "wald", "ter", "ius"]
    static let givenNames = ["Anna", "Lukas", "Marie", "Jonas", "Sophie", "Felix", "Laura", "Paul", "Lena", "Max", "Julia", "Leon",
                             "Sarah", "Tim", "Lisa", "Jan", "Hannah", "Ben", "Emma", "Noah", "Clara", "Elias", "Mia", "David",
                             "Nina", "Tobias", "Eva", "Simon", "Katharina", "Florian", "Pierre", "Claire", "Marco", "Giulia", "Erik", "Ingrid"]
    static let industries = ["Metallbau", "Präzisionstechnik", "Verbindungstechnik", "Kunststofftechnik", "Antriebstechnik", "Logistik",
                             "Industrieservice", "Fasteners", "Components", "Engineering", "Hydraulik", "Elektrotechnik", "Werkzeugbau",
                             "Normteile", "Supply", "Industrial", "Drehteile", "Stanztechnik", "Oberflächentechnik", "Systems"]
    static let legalForms: [String: [String]] = [
        "DE": ["GmbH", "GmbH & Co. KG", "AG", "KG"], "AT": ["GmbH", "AG"], "CH": ["AG", "GmbH", "SA"], "FR": ["S.A.", "SAS", "SARL"],
        "IT": ["S.p.A.", "S.r.l."], "NL": ["B.V.", "N.V."], "PL": ["Sp. z o.o."], "CZ": ["s.r.o."], "SE": ["AB"], "GB": ["Ltd", "PLC"],
        "US": ["Inc.", "LLC", "Corp."], "ES": ["S.L.", "S.A."],
    ]
    static let streets = ["Hauptstraße", "Industriestraße", "Bahnhofstraße", "Gewerbestraße", "Am Hafen", "Lindenweg", "Mühlenweg",
                          "Schillerstraße", "Goethestraße", "Werkstraße", "Kirchplatz", "Rue de la Paix", "Via Roma", "High Street",
                          "Main Street", "Industrieweg", "Ringstraße", "Dorfstraße", "Bergstraße", "Feldstraße"]
    static let domains = ["com", "de", "eu", "net"]

    static let productTypes = ["Hex bolt", "Socket screw", "Hex nut", "Washer", "Threaded rod", "Wood screw", "Countersunk screw",
                               "Flange nut", "Wing nut", "Set screw", "Carriage bolt", "Spring pin", "Rivet", "Anchor bolt", "Eye bolt"]
    static let materials = ["steel", "zinc plated", "stainless A2", "stainless A4", "brass", "galvanised", "black oxide"]
    /// Every fastener of the catalogue is specified by its standard: one without would read the same as
    /// the item of that standard, and the truth could not tell them apart.
    static let standards = ["DIN 933", "DIN 912", "ISO 4017", "ISO 4762", "DIN 934", "DIN 125", "ISO 7089", "DIN 976"]
    static let diameters = [3, 4, 5, 6, 8, 10, 12, 16, 20, 24]
    static let lengths = [6, 8, 10, 12, 16, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 120, 150, 200]
}

@testable import AurumCore
import Testing

@Suite struct NormalizerTests {
    func apply(_ n: MatchNormalizer, _ value: String, country: String? = nil) -> String? {
        n.apply(value, context: NormalizationContext(country: country))
    }

    @Test func diacriticsFoldAndGermanTransliterationsMeet() {
        #expect(apply(.text, "Müller") == "muller")
        #expect(apply(.text, "Mueller") == "muller")
        #expect(apply(.text, "MULLER") == "muller")
        #expect(apply(.text, "Gießerei Šimůnek") == "giesserei simunek")
        #expect(apply(.text, "Société Générale") == "societe generale")
        #expect(apply(.text, "  O'Neil,   Ltd. ") == "oneil ltd")
    }

    /// ASCII text takes a byte path; it must split and fold exactly as the scalar path does.
    @Test func asciiWordsMatchTheScalarPath() {
        let samples = ["S.p.A. Acme, Ltd.", "O'Neil & Sons", "8,4 kg; 12.5mm", "MUELLER-Lüdenscheid", "Hauptstrasse 12a",
                       "a,b.c", ",leading and trailing.", "..", "Bolt M8x40 DIN933", "info@acme.example", "  spaced   out  "]
        for sample in samples where sample.utf8.allSatisfy({ $0 < 0x80 }) {
            for reduce in [true, false] {
                #expect(TextFolding.asciiWords(sample, reduce: reduce) == TextFolding.scalarWords(sample, reduce: reduce), "\(sample)")
            }
        }
        #expect(TextFolding.asciiWords("Müller", reduce: true) == nil, "non-ASCII text takes the scalar path")
    }

    @Test func legalFormsAreDropped() {
        #expect(apply(.companyName, "Würth GmbH & Co. KG") == "wurth")
        #expect(apply(.companyName, "WUERTH GMBH") == "wurth")
        #expect(apply(.companyName, "Bossard AG") == "bossard")
        #expect(apply(.companyName, "Fastenal Company Inc.") == "fastenal")
        #expect(apply(.companyName, "Fiat S.p.A.") == "fiat")
        #expect(apply(.companyName, "Philips B.V.") == "philips")
        #expect(apply(.companyName, "Acme, LLC") == "acme")
        #expect(apply(.companyName, "Renault S.A.") == "renault")
    }

    @Test func streetWordsAreUnified() {
        #expect(apply(.street, "Hauptstraße 5") == apply(.street, "Hauptstrasse 5"))
        #expect(apply(.street, "Haupt Str. 5") == "haupt str 5")
        #expect(apply(.street, "12 Main Street") == apply(.street, "12 Main St."))
        #expect(apply(.street, "5th Avenue") == "5th ave")
        #expect(apply(.street, "Steinhauserstrasse 70") == apply(.street, "Steinhauserstr. 70"))
        #expect(apply(.street, "Gewerbestraße 12") == "gewerbestr 12")
    }

    @Test func phonesBecomeE164UsingTheCountry() {
        #expect(apply(.phone, "07931 91-0", country: "DE") == "+49793191" + "0")
        #expect(apply(.phone, "+49 (0)7931 910") == "+4907931910")
        #expect(apply(.phone, "0049 7931 910", country: "FR") == "+497931910")
        #expect(apply(.phone, "(212) 555-0100", country: "US") == "+12125550100")
        #expect(apply(.phone, "06 12 34 56 78", country: "FR") == "+33612345678")
        #expect(apply(.phone, "02 1234 5678", country: "IT") == "+390212345678")
        #expect(apply(.phone, "1234", country: "DE") == nil)
        #expect(apply(.phone, "07931 910") == nil)
    }

    @Test func emailVatCodeAndCountry() {
        #expect(apply(.email, " Info@Wuerth.COM ") == "info@wuerth.com")
        #expect(apply(.vat, "DE 811.193-231") == "DE811193231")
        #expect(apply(.vat, "811193231", country: "DE") == "DE811193231")
        #expect(apply(.vat, "094259216", country: "GR") == "EL094259216")
        #expect(apply(.code, "b-1001") == "B1001")
        #expect(apply(.code, "B 1001") == apply(.code, "B1001"))
        #expect(apply(.country, " de ") == "DE")
        #expect(apply(.alphanumeric, "D-97980") == "D97980")
    }

    @Test func itemNamesMeetAcrossDimensionFormats() {
        #expect(apply(.itemName, "Hex bolt M8x40") == apply(.itemName, "HEX BOLT M8 x 40 mm"))
        #expect(apply(.itemName, "Hex bolt M8x40") == "hex bolt m 8 x 40")
        #expect(apply(.itemName, "Hex bolt M8x40") != apply(.itemName, "Hex bolt M8x45"))
        #expect(apply(.itemName, "Washer 8,4 mm") == "washer 8.4")
    }

    @Test func emptyResultsAreNil() {
        #expect(apply(.companyName, "GmbH") == nil)
        #expect(apply(.text, " - ") == nil)
    }
}

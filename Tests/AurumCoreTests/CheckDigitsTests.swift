import AurumCore
import Testing

@Suite struct CheckDigitsTests {
    @Test(arguments: [
        "4006381333931",   // EAN-13 printed on a Stabilo pen, the textbook example
        "5901234123457",   // GS1's own EAN-13 example
        "036000291452",    // UPC-A (GTIN-12)
        "96385074",        // EAN-8
        "10614141000415",  // GTIN-14 from GS1's check-digit calculator
    ])
    func acceptsRealGTINs(_ code: String) {
        #expect(CheckDigits.isValidGTIN(code))
    }

    @Test(arguments: ["4006381333932", "5901234123450", "036000291453", "96385075", "400638133393", "40063813339311", "4006381333a31", ""])
    func rejectsWrongGTINs(_ code: String) {
        #expect(!CheckDigits.isValidGTIN(code))
    }

    @Test func computesTheGS1CheckDigit() {
        #expect(CheckDigits.gtinCheckDigit(for: [4, 0, 0, 6, 3, 8, 1, 3, 3, 3, 9, 3]) == 1)
        #expect(CheckDigits.gtinCheckDigit(for: [9, 6, 3, 8, 5, 0, 7]) == 4)
    }

    @Test(arguments: [
        "DE89370400440532013000",          // Deutsche Bundesbank's example
        "DE89 3704 0044 0532 0130 00",     // the same, printed in groups of four
        "GB82WEST12345698765432",          // the UK example from the IBAN registry
        "FR1420041010050500013M02606",     // French IBAN with a letter in the account part
        "NL91ABNA0417164300",
        "CH9300762011623852957",
    ])
    func acceptsRealIBANs(_ iban: String) {
        #expect(CheckDigits.isValidIBAN(iban))
    }

    @Test(arguments: [
        "DE89370400440532013001",   // one digit off: mod 97 fails
        "DE8937040044053201300",    // one digit short for Germany (22)
        "GB82WEST1234569876543",    // one short for the UK
        "XX89370400440532013000",   // no such country, and the check fails
        "DE89-3704-0044",
        "",
    ])
    func rejectsWrongIBANs(_ iban: String) {
        #expect(!CheckDigits.isValidIBAN(iban))
    }
}

@Suite struct IBANMakingTests {
    @Test func madeIBANsPassTheCheck() {
        #expect(CheckDigits.iban(country: "DE", bban: "370400440532013000") == "DE89370400440532013000")
        for number in [0, 1, 37, 99_999, 1_234_567] {
            let made = CheckDigits.iban(country: "DE", bban: "37040044" + String(String(1_000_000_000 + number).suffix(10)))
            #expect(CheckDigits.isValidIBAN(made), "\(made)")
        }
        #expect(CheckDigits.isValidIBAN(CheckDigits.iban(country: "GB", bban: "NWBK60161331926819")))
    }
}

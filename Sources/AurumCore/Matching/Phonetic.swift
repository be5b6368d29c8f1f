/// Phonetic codes that group names which sound alike, for blocking keys.
public enum Phonetic {
    /// American Soundex (the National Archives' rules): the first letter and three digits;
    /// H and W do not separate letters with the same code, vowels do.
    public static func soundex(_ text: String) -> String {
        if let code = asciiSoundex(text) { return code }
        let letters = text.uppercased().unicodeScalars.filter { $0.value >= 65 && $0.value <= 90 }
        guard let first = letters.first else { return "" }
        var result = String(Character(first))
        var last = code(first)
        for scalar in letters.dropFirst() {
            let digit = code(scalar)
            if digit != 0, digit != last { result.append(Character(String(digit))) }
            if scalar != "H" && scalar != "W" { last = digit }
            if result.count == 4 { break }
        }
        return result.padding(toLength: 4, withPad: "0")
    }

    /// `soundex` over the bytes of ASCII text (what the normalizers leave), without a Unicode pass.
    static func asciiSoundex(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var result: [UInt8] = [0x30, 0x30, 0x30, 0x30]
            var count = 0, last = 0
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                let upper = byte >= 97 && byte <= 122 ? byte - 32 : byte
                guard upper >= 65 && upper <= 90 else { continue }
                let scalar = Unicode.Scalar(upper)
                let digit = code(scalar)
                if count == 0 {
                    result[0] = upper
                    count = 1
                } else if digit != 0, digit != last {
                    result[count] = UInt8(48 + digit)
                    count += 1
                }
                if upper != 72 && upper != 87 { last = digit }  // H and W do not separate letters
                if count == 4 { break }
            }
            return count == 0 ? "" : String(decoding: result, as: UTF8.self)
        }
    }

    static func code(_ scalar: Unicode.Scalar) -> Int {
        switch scalar {
        case "B", "F", "P", "V": 1
        case "C", "G", "J", "K", "Q", "S", "X", "Z": 2
        case "D", "T": 3
        case "L": 4
        case "M", "N": 5
        case "R": 6
        default: 0
        }
    }
}

extension String {
    /// The string cut or padded with `pad` to exactly `length` characters.
    func padding(toLength length: Int, withPad pad: Character) -> String {
        count >= length ? String(prefix(length)) : self + String(repeating: pad, count: length - count)
    }
}

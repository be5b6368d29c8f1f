/// Blocking-key values that let near-equal values meet: one-character deletions (typo
/// neighbourhoods) and MinHash bands (locality-sensitive hashing of word or q-gram sets).
public enum KeyVariants {
    /// `value` and every variant of it with one character deleted, so that two values one
    /// substitution, insertion, deletion or adjacent transposition apart share a variant. Long
    /// values (over 12 characters) give only themselves: this is for postcodes and numbers.
    public static func deletions(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            guard bytes.count > 1, bytes.count <= 12 else { return [value] }
            var result = [value]
            result.reserveCapacity(bytes.count + 1)
            for index in bytes.indices {
                let text = String(decoding: bytes[..<index] + bytes[(index + 1)...], as: UTF8.self)
                if result.last != text { result.append(text) }
            }
            return result
        }
        let characters = Array(value)
        guard characters.count > 1, characters.count <= 12 else { return [value] }
        var result = [value]
        for index in characters.indices {
            var variant = characters
            variant.remove(at: index)
            let text = String(variant)
            if result.last != text { result.append(text) }
        }
        return result
    }

    /// `bands` band values of a MinHash signature of `rows` × `bands` hash functions over the
    /// words of `value` (or its character q-grams of length `qgram` when above 0), each named by
    /// its band so that only the same band of two records can meet.
    public static func minhash(_ value: String, bands: Int, rows: Int, qgram: Int = 0) -> [String] {
        let shingles = Self.shingles(value, qgram: qgram)
        guard !shingles.isEmpty, bands > 0, rows > 0 else { return [] }
        var result = [String]()
        result.reserveCapacity(bands)
        for band in 0..<bands {
            var combined: UInt64 = 0xcbf2_9ce4_8422_2325
            for row in 0..<rows {
                let seed = UInt64(band * rows + row + 1) &* 0x9E37_79B9_7F4A_7C15
                var minimum = UInt64.max
                for shingle in shingles { minimum = min(minimum, mix(shingle ^ seed)) }
                combined = (combined ^ minimum) &* 0x0000_0100_0000_01B3
            }
            result.append("\(band)#\(String(combined, radix: 36))")
        }
        return result
    }

    /// The distinct words of `value`, or its character q-grams, hashed.
    static func shingles(_ value: String, qgram: Int) -> [UInt64] {
        var hashes = Set<UInt64>()
        if qgram > 0 {
            let characters = Array(value.filter { $0 != " " })
            guard characters.count >= qgram else { return characters.isEmpty ? [] : [Blocking.hash(String(characters))] }
            for start in 0...(characters.count - qgram) { hashes.insert(Blocking.hash(String(characters[start..<start + qgram]))) }
        } else {
            for word in value.split(separator: " ") { hashes.insert(Blocking.hash(String(word))) }
        }
        return Array(hashes)
    }

    /// SplitMix64's finalizer: a well-mixed 64-bit permutation.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

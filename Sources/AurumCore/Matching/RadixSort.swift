/// A stable least-significant-digit radix sort by a 64-bit key, 16 bits a pass: for the tens of
/// millions of blocking entries and pairs of a large file, where a comparison sort is the
/// slowest step of blocking. A pass whose digit is the same for every item is skipped.
enum RadixSort {
    static func sort<T>(_ items: inout [T], by key: (T) -> UInt64) {
        guard items.count > 1024 else {
            items.sort { key($0) < key($1) }  // stable, as the radix passes are
            return
        }
        var buffer = items
        var counts = [Int](repeating: 0, count: 1 << 16)
        var sortedInItems = true
        for shift in stride(from: UInt64(0), to: 64, by: 16) {
            for index in counts.indices { counts[index] = 0 }
            let source = sortedInItems ? items : buffer
            for item in source { counts[Int((key(item) >> shift) & 0xFFFF)] += 1 }
            if counts.contains(source.count) { continue }
            var offset = 0
            for index in counts.indices {
                let count = counts[index]
                counts[index] = offset
                offset += count
            }
            if sortedInItems {
                buffer.withUnsafeMutableBufferPointer { target in
                    for item in items {
                        let digit = Int((key(item) >> shift) & 0xFFFF)
                        target[counts[digit]] = item
                        counts[digit] += 1
                    }
                }
            } else {
                items.withUnsafeMutableBufferPointer { target in
                    for item in buffer {
                        let digit = Int((key(item) >> shift) & 0xFFFF)
                        target[counts[digit]] = item
                        counts[digit] += 1
                    }
                }
            }
            sortedInItems.toggle()
        }
        if !sortedInItems { items = buffer }
    }
}

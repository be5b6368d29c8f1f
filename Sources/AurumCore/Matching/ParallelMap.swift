/// Maps `0..<count` with `body` on `parallelism` child tasks, keeping the order: for per-record
/// work (validation, preparation) that is independent from record to record.
public func parallelMap<T: Sendable>(_ count: Int, parallelism: Int, _ body: @escaping @Sendable (Int) -> T) async -> [T] {
    let workers = max(parallelism, 1)
    let chunk = max(1, (count + workers - 1) / workers)
    var parts = [(Int, [T])]()
    await withTaskGroup(of: (Int, [T]).self) { group in
        for start in stride(from: 0, to: count, by: chunk) {
            group.addTask { (start, (start..<min(start + chunk, count)).map(body)) }
        }
        for await part in group { parts.append(part) }
    }
    return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
}

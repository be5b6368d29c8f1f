/// A plain-text table with aligned columns, for people (scripts use --json).
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func render() -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { Self.clip($0[column]).count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { Self.clip(row[$0]).padding(toLength: widths[$0]) }.joined(separator: "  ")
                .trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    static func clip(_ text: String) -> String {
        let flat = text.replacingNewlines()
        return flat.count > 48 ? String(flat.prefix(47)) + "…" : flat
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    func trimmingTrailingSpaces() -> String {
        String(reversed().drop { $0 == " " }.reversed())
    }

    func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}

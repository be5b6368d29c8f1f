import Foundation

/// A plain-text table with aligned columns, for people (scripts use --json). On a terminal it
/// fits the terminal's width, the widest columns giving way first.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }

    /// `maxWidth`: the most characters a line may take; default the terminal's width, none when
    /// standard output is not a terminal.
    func render(maxWidth: Int? = Table.terminalWidth) -> String {
        let all = [headers] + rows
        var widths = headers.indices.map { column in all.map { Self.clip($0[column]).count }.max() ?? 0 }
        if let maxWidth {
            let gaps = 2 * (widths.count - 1)
            while widths.reduce(0, +) + gaps > maxWidth, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
                  widths[widest] > max(6, headers[widest].count) {
                widths[widest] -= 1
            }
        }
        return all.map { row in
            row.indices.map { Self.fit(Self.clip(row[$0]), widths[$0]).padding(toLength: widths[$0]) }.joined(separator: "  ")
                .trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    static func clip(_ text: String) -> String {
        let flat = text.replacingNewlines()
        return flat.count > 48 ? String(flat.prefix(47)) + "…" : flat
    }

    static func fit(_ text: String, _ width: Int) -> String {
        text.count > width ? String(text.prefix(max(width - 1, 0))) + "…" : text
    }

    /// The terminal's width in columns (COLUMNS, else the terminal asked), or nil when standard
    /// output is not a terminal or a capture takes it.
    static var terminalWidth: Int? {
        guard Console.capture == nil, isatty(STDOUT_FILENO) != 0 else { return nil }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 80
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

import Foundation

/// Splits a SQL script into statements at top-level semicolons, leaving semicolons inside quotes,
/// dollar-quoted bodies ($$ ... $$, $fn$ ... $fn$) and comments alone. The extended query protocol
/// PostgresNIO speaks runs one statement at a time.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let chars = Array(script)
        var statements = [String](), current = "", i = 0
        func flush() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty, !isOnlyComments(trimmed) { statements.append(trimmed) }
            current = ""
        }
        while i < chars.count {
            let c = chars[i]
            if c == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                let end = chars[i...].firstIndex(of: "\n") ?? chars.count
                current += String(chars[i..<end]); i = end
            } else if c == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                let end = find(["*", "/"], in: chars, from: i + 2).map { $0 + 2 } ?? chars.count
                current += String(chars[i..<end]); i = end
            } else if c == "'" || c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != c { j += 1 }
                let end = min(j + 1, chars.count)
                current += String(chars[i..<end]); i = end
            } else if c == "$", let tag = dollarTag(chars, at: i) {
                let end = find(tag, in: chars, from: i + tag.count).map { $0 + tag.count } ?? chars.count
                current += String(chars[i..<end]); i = end
            } else if c == ";" {
                flush(); i += 1
            } else {
                current.append(c); i += 1
            }
        }
        flush()
        return statements
    }

    /// The dollar-quote opening at `index` (`$$` or `$tag$`), if there is one.
    static func dollarTag(_ chars: [Character], at index: Int) -> [Character]? {
        var j = index + 1
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
        guard j < chars.count, chars[j] == "$" else { return nil }
        if j > index + 1, chars[index + 1].isNumber { return nil }  // $1 is a parameter, not a tag
        return Array(chars[index...j])
    }

    static func find(_ needle: [Character], in chars: [Character], from start: Int) -> Int? {
        guard needle.count <= chars.count else { return nil }
        var i = start
        while i + needle.count <= chars.count {
            if Array(chars[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}


import AurumPublish
import Foundation

/// An Odoo search domain (`[["code", "=", "DE"], "|", [...], [...]]`) parsed and evaluated
/// against stored records: prefix `&`, `|` and `!`, an implicit `&` between terms, the
/// comparison operators, `like` family, `in`, and one level of `field.subfield`.
indirect enum Domain {
    case all
    case leaf(field: String, op: String, value: OdooValue, raw: OdooValue)
    case and(Domain, Domain)
    case or(Domain, Domain)
    case not(Domain)

    /// Parses `value` (a list of terms); an empty or missing domain matches everything.
    static func parse(_ value: OdooValue) throws(OdooException) -> Domain {
        guard case .array(let terms) = value else {
            if value.isEmpty { return .all }
            throw OdooException(.value, "Invalid domain: \(value)")
        }
        var index = 0
        var parts = [Domain]()
        while index < terms.count { parts.append(try parse(terms, &index)) }
        return parts.reduce(Domain.all) { result, part in
            if case .all = result { return part }
            return .and(result, part)
        }
    }

    private static func parse(_ terms: [OdooValue], _ index: inout Int) throws(OdooException) -> Domain {
        guard index < terms.count else { throw OdooException(.value, "Invalid domain: an operator is missing its operands") }
        let term = terms[index]
        index += 1
        switch term {
        case "&": return .and(try parse(terms, &index), try parse(terms, &index))
        case "|": return .or(try parse(terms, &index), try parse(terms, &index))
        case "!": return .not(try parse(terms, &index))
        case .array(let leaf) where leaf.count == 3:
            if leaf[0] == 1 || leaf[0] == 0 { return leaf[0] == 1 ? .all : .not(.all) }  // TRUE_LEAF / FALSE_LEAF
            guard let field = leaf[0].string, let op = leaf[1].string?.lowercased() else {
                throw OdooException(.value, "Invalid leaf \(term)")
            }
            return .leaf(field: field, op: op, value: leaf[2], raw: term)
        default:
            throw OdooException(.value, "Invalid leaf \(term)")
        }
    }

    /// Whether the domain names `field` (so that `active_test` does not add its own `active` term).
    func mentions(_ field: String) -> Bool {
        switch self {
        case .all: false
        case .leaf(let name, _, _, _): name == field || name.hasPrefix(field + ".")
        case .and(let a, let b), .or(let a, let b): a.mentions(field) || b.mentions(field)
        case .not(let a): a.mentions(field)
        }
    }

    /// Checks every field the domain names exists, as Odoo does before searching.
    func validate(_ spec: ModelSpec, _ db: OdooDatabase) throws(OdooException) {
        switch self {
        case .all: return
        case .leaf(let field, _, _, let raw):
            let first = String(field.split(separator: ".").first ?? "")
            guard let fieldSpec = spec.fields[first] else { throw db.invalidLeaf(spec.name, first, raw) }
            if field.contains("."), let relation = fieldSpec.kind.relation, let target = db.models[relation] {
                let rest = field.split(separator: ".").dropFirst().joined(separator: ".")
                try Domain.leaf(field: rest, op: "=", value: false, raw: raw).validate(target, db)
            }
        case .and(let a, let b), .or(let a, let b):
            try a.validate(spec, db)
            try b.validate(spec, db)
        case .not(let a): try a.validate(spec, db)
        }
    }

    func matches(_ record: Record, _ spec: ModelSpec, _ db: OdooDatabase) -> Bool {
        switch self {
        case .all: return true
        case .and(let a, let b): return a.matches(record, spec, db) && b.matches(record, spec, db)
        case .or(let a, let b): return a.matches(record, spec, db) || b.matches(record, spec, db)
        case .not(let a): return !a.matches(record, spec, db)
        case .leaf(let path, let op, let value, _):
            let parts = path.split(separator: ".").map(String.init)
            guard let field = spec.fields[parts[0]] else { return false }
            if parts.count > 1, let relation = field.kind.relation, let target = db.models[relation] {
                let ids = Self.ids(db.readValue(spec, field, record))
                let rest = Domain.leaf(field: parts.dropFirst().joined(separator: "."), op: op, value: value, raw: value)
                let hit = ids.contains { id in db.record(relation, id).map { rest.matches($0, target, db) } ?? false }
                return op.hasPrefix("not") || op == "!=" ? !ids.isEmpty && hit : hit
            }
            return Self.compare(db.readValue(spec, field, record), op, value, relational: field.kind.relation != nil)
        }
    }

    static func ids(_ value: OdooValue) -> [Int] {
        switch value {
        case .array(let items) where items.count == 2 && items[1].string != nil: items[0].int.map { [$0] } ?? []
        case .array(let items): items.compactMap(\.int)
        case .int(let id): [id]
        default: []
        }
    }

    /// Compares a record's read value with a domain value under `op`.
    static func compare(_ actual: OdooValue, _ op: String, _ expected: OdooValue, relational: Bool) -> Bool {
        // A relational field compares by id, or by display name when given text.
        var left = actual
        if relational {
            if expected.string != nil || (op.contains("like")) {
                if case .array(let pair) = actual, pair.count == 2 { left = pair[1] } else { left = false }
            } else if case .array(let items) = actual {
                let ids = ids(.array(items))
                switch op {
                case "=": return expected.isEmpty ? ids.isEmpty : ids.contains { $0 == expected.int }
                case "!=", "<>": return expected.isEmpty ? !ids.isEmpty : !ids.contains { $0 == expected.int }
                case "in": return ids.contains { id in expected.array?.contains { $0.int == id } ?? false } || (ids.isEmpty && expected.array?.contains(false) == true)
                case "not in": return !ids.contains { id in expected.array?.contains { $0.int == id } ?? false }
                default: return false
                }
            }
        }
        switch op {
        case "=", "==": return equal(left, expected)
        case "!=", "<>": return !equal(left, expected)
        case "in": return expected.array?.contains { equal(left, $0) } ?? false
        case "not in": return !(expected.array?.contains { equal(left, $0) } ?? false)
        case "like", "ilike", "not like", "not ilike", "=like", "=ilike":
            let negate = op.hasPrefix("not")
            guard let text = left.string, let pattern = expected.string else { return negate ? !left.isEmpty || expected.isEmpty : false }
            let insensitive = op.contains("ilike")
            let hit = op.hasPrefix("=") ? wildcard(text, pattern, insensitive) : wildcard(text, "%" + pattern + "%", insensitive)
            return negate ? !hit : hit
        case ">", "<", ">=", "<=":
            guard let order = order(left, expected) else { return false }
            switch op {
            case ">": return order > 0
            case "<": return order < 0
            case ">=": return order >= 0
            default: return order <= 0
            }
        default: return false
        }
    }

    /// Equality as Odoo's SQL sees it: numbers by value, and `false` matching any empty value.
    static func equal(_ a: OdooValue, _ b: OdooValue) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        if b == .bool(false) || b == .none { return a.isEmpty }
        return a == b
    }

    static func number(_ value: OdooValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// -1, 0 or 1; nil when the two cannot be ordered.
    static func order(_ a: OdooValue, _ b: OdooValue) -> Int? {
        if let x = number(a), let y = number(b) { return x < y ? -1 : x > y ? 1 : 0 }
        if let x = a.string, let y = b.string { return x < y ? -1 : x > y ? 1 : 0 }
        if let x = a.bool, let y = b.bool { return x == y ? 0 : (x ? 1 : -1) }
        return nil
    }

    /// SQL LIKE: `%` any run, `_` any one character, a backslash makes the next one literal.
    static func wildcard(_ text: String, _ pattern: String, _ insensitive: Bool) -> Bool {
        let t = Array(insensitive ? text.lowercased() : text), p = Array(insensitive ? pattern.lowercased() : pattern)
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: p.count + 1), count: t.count + 1)
        func match(_ i: Int, _ j: Int) -> Bool {
            if let known = memo[i][j] { return known }
            let result: Bool
            if j == p.count { result = i == t.count }
            else if p[j] == "\\", j + 1 < p.count { result = i < t.count && t[i] == p[j + 1] && match(i + 1, j + 2) }
            else if p[j] == "%" { result = match(i, j + 1) || (i < t.count && match(i + 1, j)) }
            else { result = i < t.count && (p[j] == "_" || p[j] == t[i]) && match(i + 1, j + 1) }
            memo[i][j] = result
            return result
        }
        return match(0, 0)
    }
}

/// A fact validation needs from the store: whether a referenced golden record exists and is
/// active, or whether another golden record already holds a unique value.
///
/// Validation is pure: it lists the lookups it needs, the store answers them, and the
/// verdict is computed from the answers.
public enum Lookup: Sendable, Hashable {
    case reference(entity: String, recordID: Int64)
    case unique(entity: String, attribute: String, value: JSONValue)
}

/// The store's answer to a `Lookup`.
public enum LookupAnswer: Sendable, Hashable {
    /// The referenced record exists in this state (`active`, `blocked`, ...), or does not (`nil`).
    case record(state: String?)
    /// The golden records that already hold the value.
    case holders([Int64])
}

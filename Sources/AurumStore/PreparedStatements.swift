import PostgresNIO

/// A statement every request runs, prepared once per connection: PostgreSQL parses it once and,
/// after a few runs, plans it once, which for the look-ups of a single candidate was a quarter of
/// the time each statement took. Its values are binds, appended in the order of its `$n`.
protocol PreparedLookup: PostgresPreparedStatement where Row == PostgresRow {
    var bindings: PostgresBindings { get }
}

extension PreparedLookup {
    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresBindings {
    /// Bindings of `values`, in order.
    static func of(_ values: any PostgresNonThrowingEncodable...) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { bindings.append(value) }
        return bindings
    }
}

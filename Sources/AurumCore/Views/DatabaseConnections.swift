/// How much of its connection pool a process uses: its connections by PostgreSQL's state (spaces
/// and brackets as underscores: `idle_in_transaction`).
public struct DatabaseConnections: Sendable, Hashable {
    public var byState: [String: Int]

    public init(byState: [String: Int] = [:]) {
        self.byState = byState
    }

    /// PostgreSQL's states, as metric label values.
    public static let states = ["active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "fastpath_function_call", "disabled"]

    /// `idle in transaction (aborted)` as `idle_in_transaction_aborted`.
    public static func label(_ state: String) -> String {
        state.map { $0.isLetter ? String($0) : $0 == " " ? "_" : "" }.joined()
    }
}

/// One approval gate of an entity's rules (`approve:`): when it applies, who approves at it, how
/// many distinct people it needs, and which gates must be satisfied before it opens.
///
/// A gate with a `when` applies to the changes its condition holds for; the gates without one
/// are the default and apply only when no gate with a condition does. An auto-approve gate
/// releases a change at once when it is the only kind of gate that applies; when a gate that
/// needs people applies beside it, that gate is asked as usual.
public struct ApprovalGate: Sendable, Hashable {
    public var name: String
    /// When the gate applies; nil for a default gate.
    public var when: GateCondition?
    /// Who may approve at it; nil for an auto-approve gate.
    public var approvers: GateApprovers?
    /// How many distinct people must approve at it.
    public var needs: Int
    /// Gates that must be satisfied before this one takes approvals (those of them that apply).
    public var after: [String]

    public init(name: String, when: GateCondition? = nil, approvers: GateApprovers?, needs: Int = 1, after: [String] = []) {
        self.name = name
        self.when = when
        self.approvers = approvers
        self.needs = approvers == nil ? 0 : max(1, needs)
        self.after = after
    }

    /// Whether the gate releases what it applies to without anyone's approval.
    public var autoApproves: Bool { approvers == nil }
}

/// Who may approve at a gate.
public enum GateApprovers: Sendable, Hashable, CustomStringConvertible {
    /// The stewards whose token puts them in the group.
    case group(String)
    /// Anyone of the role (a steward gate takes admins too, as admins may do what stewards do).
    case role(Role)

    /// Whether `approver` is among them.
    public func include(_ approver: Approver) -> Bool {
        guard approver.role == .steward || approver.role == .admin else { return false }
        switch self {
        case .group(let group): return approver.groups.contains(group)
        case .role(let role): return approver.role == role || (role == .steward && approver.role == .admin)
        }
    }

    public var description: String {
        switch self {
        case .group(let group): "group \(group)"
        case .role(let role): "role \(role.rawValue)"
        }
    }
}

/// A person deciding on a change, as the gates see them.
public struct Approver: Sendable, Hashable {
    public var name: String
    public var role: Role
    public var groups: Set<String>

    public init(name: String, role: Role, groups: Set<String> = []) {
        self.name = name
        self.role = role
        self.groups = groups
    }
}

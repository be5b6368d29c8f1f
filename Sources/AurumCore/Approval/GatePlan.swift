/// The gates one change must pass, chosen from its entity's gates, and how far it has come.
///
/// Pure: built from the rules and the change, then asked about the approvals recorded so far
/// (those of the current revision). The store keeps the approvals; the plan says what they mean.
public struct GatePlan: Sendable, Hashable {
    /// The gates that need people, in the rules' order. For a change an auto-approve gate
    /// releases, the default gates: what stewards approve if it is not released at once after all
    /// (the store holds back a change flagged as a possible duplicate).
    public let gates: [ApprovalGate]
    /// The auto-approve gate that releases the change at once, if one does.
    public let autoApprovedBy: String?

    /// The gates of `rules` that apply to `change`: those whose condition holds, else the default
    /// ones (without a condition), else one steward's approval. Auto-approve gates release the
    /// change only when no gate that needs people applies.
    public init(_ rules: [ApprovalGate], for change: GateSubject) {
        let conditional = rules.filter { $0.when?.holds(for: change) ?? false }
        var applying = conditional.isEmpty ? rules.filter { $0.when == nil } : conditional
        if applying.isEmpty { applying = [Self.stewardGate] }
        let people = applying.filter { !$0.autoApproves }
        if people.isEmpty, let auto = applying.first {
            let defaults = rules.filter { $0.when == nil && !$0.autoApproves }
            gates = defaults.isEmpty ? [Self.stewardGate] : defaults
            autoApprovedBy = auto.name
        } else {
            gates = people
            autoApprovedBy = nil
        }
    }

    /// What a change needs when its entity's rules name no gate for it.
    public static let stewardGate = ApprovalGate(name: "steward", approvers: .role(.steward))

    /// One steward's approval, as every change needs without gates.
    public static let oneSteward = GatePlan([], for: GateSubject(kind: .update, changed: []))

    /// Whether every gate has the approvals it needs.
    public func isSatisfied(by approvals: [GateApproval]) -> Bool {
        gates.allSatisfy { count(at: $0.name, in: approvals) >= $0.needs }
    }

    /// Where each gate stands.
    public func states(given approvals: [GateApproval]) -> [GateState] {
        gates.map { gate in
            let given = approvals.filter { $0.gate == gate.name }
            let waitingFor = waitingFor(gate, given: approvals)
            let status: GateState.Status = given.count >= gate.needs ? .satisfied : waitingFor.isEmpty ? .pending : .waiting
            return GateState(name: gate.name, status: status, approvers: gate.approvers, needs: gate.needs, approvals: given, waitingFor: waitingFor)
        }
    }

    /// The gate `approver`'s approval counts at: the first gate in the rules' order that is not
    /// satisfied, waits for no other, and takes them. One approval counts at one gate only, so two
    /// gates (or a gate needing two) always need two different people.
    public func gate(for approver: Approver, given approvals: [GateApproval]) throws(GateRefusal) -> String {
        let open = gates.filter { count(at: $0.name, in: approvals) < $0.needs }
        let theirs = open.filter { $0.approvers?.include(approver) ?? false }
        if let gate = theirs.first(where: { waitingFor($0, given: approvals).isEmpty }) { return gate.name }
        if let gate = theirs.first { throw .waiting(actor: approver.name, gate: gate.name, for: waitingFor(gate, given: approvals)) }
        throw .notAnApprover(actor: approver.name, open: open.compactMap { gate in
            gate.approvers.map { GateRefusal.OpenGate(gate.name, gate.needs - count(at: gate.name, in: approvals), $0) }
        })
    }

    /// The gates `gate` waits for: those it comes after that apply and are not satisfied yet.
    func waitingFor(_ gate: ApprovalGate, given approvals: [GateApproval]) -> [String] {
        gate.after.filter { name in
            guard let earlier = gates.first(where: { $0.name == name }) else { return false }
            return count(at: earlier.name, in: approvals) < earlier.needs
        }
    }

    func count(at gate: String, in approvals: [GateApproval]) -> Int {
        approvals.filter { $0.gate == gate }.count
    }
}

/// An approval as the gates count it: who, at which gate.
public struct GateApproval: Sendable, Hashable {
    public var by: String
    public var gate: String

    public init(by: String, gate: String) {
        self.by = by
        self.gate = gate
    }
}

/// One gate of a change and where it stands.
public struct GateState: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// It waits for gates it comes after.
        case waiting
        /// It takes approvals now.
        case pending
        case satisfied
    }

    public var name: String
    public var status: Status
    public var approvers: GateApprovers?
    public var needs: Int
    public var approvals: [GateApproval]
    public var waitingFor: [String]
}

/// Why an approval does not count at any gate.
public enum GateRefusal: Error, Sendable, Hashable {
    /// The approver is in none of the gates still open.
    case notAnApprover(actor: String, open: [OpenGate])
    /// The approver's gate waits for others.
    case waiting(actor: String, gate: String, for: [String])

    /// A gate that still needs approvals: its name, how many more it needs, and from whom.
    public struct OpenGate: Sendable, Hashable {
        public var gate: String
        public var needs: Int
        public var approvers: GateApprovers

        public init(_ gate: String, _ needs: Int, _ approvers: GateApprovers) {
            self.gate = gate
            self.needs = needs
            self.approvers = approvers
        }
    }

    /// A sentence for the caller: what happened and what to do.
    public var message: String {
        switch self {
        case .notAnApprover(let actor, let open):
            let gates = open.map { "\($0.gate) needs \($0.needs) of \($0.approvers)" }.joined(separator: "; ")
            return "\(actor) is not among the approvers of the gates still open (\(gates)); ask one of them to approve"
        case .waiting(let actor, let gate, let earlier):
            return "\(actor) approves at gate \(gate), which waits for \(earlier.joined(separator: " and ")); those must approve first"
        }
    }
}

extension RuleSet {
    /// Every gate a change request can wait at: the rules' own, and the one steward's gate that
    /// stands where an entity's rules name none.
    public var gateNames: Set<String> {
        Set(entities.values.flatMap { $0.gates.map(\.name) } + [GatePlan.stewardGate.name])
    }
}

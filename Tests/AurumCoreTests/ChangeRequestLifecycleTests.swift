import AurumCore
import Testing

@Suite struct ChangeRequestLifecycleTests {
    func open(required: Int = 1) -> ChangeRequestLifecycle {
        ChangeRequestLifecycle(status: .open, submittedBy: "plm-sync", revision: 2, requiredApprovals: required)
    }

    @Test func anEditRaisesTheRevisionLapsesApprovalsAndBarsTheEditor() throws {
        var lifecycle = open(required: 2)
        _ = try lifecycle.approve(by: "alice")
        #expect(throws: ChangeRequestError.staleRevision(seen: 1, current: 2)) { try lifecycle.edit(by: "bob", seenRevision: 1) }
        #expect(try lifecycle.edit(by: "bob", seenRevision: 2) == .recordRevision(3))
        #expect(lifecycle.revision == 3 && lifecycle.approvers.isEmpty && lifecycle.editedBy == ["bob"])
        #expect(throws: ChangeRequestError.editorApproval(actor: "bob")) { try lifecycle.approve(by: "bob") }
        #expect(throws: ChangeRequestError.staleRevision(seen: 2, current: 3)) { try lifecycle.approve(by: "carol", seenRevision: 2) }
        #expect(try lifecycle.approve(by: "alice", seenRevision: 3) == .recordApproval(remaining: 1), "alice approves the new revision again")
    }

    @Test func singleApprovalReleases() throws {
        var lifecycle = open()
        #expect(try lifecycle.approve(by: "alice") == .recordApprovalAndRelease)
        #expect(lifecycle.status == .released)
        #expect(lifecycle.approvers == ["alice"])
    }

    @Test func rejectsSelfApproval() {
        var lifecycle = open()
        #expect(throws: ChangeRequestError.selfApproval(actor: "plm-sync")) { try lifecycle.approve(by: "plm-sync") }
        #expect(lifecycle.status == .open)
    }

    @Test func twoApprovalsNeedTwoPeople() throws {
        var lifecycle = open(required: 2)
        #expect(try lifecycle.approve(by: "alice") == .recordApproval(remaining: 1))
        #expect(lifecycle.status == .open)
        #expect(throws: ChangeRequestError.alreadyApproved(actor: "alice")) { try lifecycle.approve(by: "alice") }
        #expect(try lifecycle.approve(by: "bob") == .recordApprovalAndRelease)
    }

    @Test func approvalOfAnOlderRevisionIsRefused() throws {
        var lifecycle = open()
        #expect(throws: ChangeRequestError.staleRevision(seen: 1, current: 2)) { try lifecycle.approve(by: "alice", seenRevision: 1) }
        #expect(try lifecycle.approve(by: "alice", seenRevision: 2) == .recordApprovalAndRelease)
    }

    @Test func rejectionNeedsAReason() throws {
        var lifecycle = open()
        #expect(throws: ChangeRequestError.reasonRequired) { try lifecycle.reject(by: "alice", reason: "  ") }
        #expect(try lifecycle.reject(by: "alice", reason: "wrong unit") == .recordRejection)
        #expect(lifecycle.status == .rejected)
    }

    @Test(arguments: [ChangeRequestStatus.released, .rejected, .superseded, .withdrawn])
    func nothingIsDecidedOnAClosedRequest(_ status: ChangeRequestStatus) {
        var lifecycle = ChangeRequestLifecycle(status: status, submittedBy: "plm-sync")
        #expect(throws: ChangeRequestError.notOpen(status: status)) { try lifecycle.approve(by: "alice") }
        #expect(throws: ChangeRequestError.notOpen(status: status)) { try lifecycle.reject(by: "alice", reason: "no") }
        #expect(throws: ChangeRequestError.notOpen(status: status)) { try lifecycle.supersede() }
    }

    @Test func openRequestCanBeSuperseded() throws {
        var lifecycle = open()
        #expect(try lifecycle.supersede() == .recordSupersession)
        #expect(lifecycle.status == .superseded)
    }
}

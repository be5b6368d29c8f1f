import AurumCore
import Testing

@Suite struct RecordStateChangeTests {
    @Test func everyStateChangeGoesWhereItShouldOrSaysWhyNot() {
        let expected: [RecordStateChange: [RecordState: RecordState]] = [
            .block: [.active: .blocked],
            .unblock: [.blocked: .active],
            .obsolete: [.active: .obsolete, .blocked: .obsolete],
        ]
        for change in RecordStateChange.allCases {
            for state in RecordState.allCases {
                switch change.target(from: state) {
                case .success(let target): #expect(expected[change]?[state] == target, "\(change) from \(state)")
                case .failure(let refusal):
                    #expect(expected[change]?[state] == nil, "\(change) from \(state) refused")
                    #expect(!refusal.message.isEmpty)
                }
            }
        }
    }

    @Test func refusalsSayWhatToDo() throws {
        #expect(RecordStateChange.block.target(from: .superseded) == .failure(RecordStateRefusal(change: .block, state: .superseded)))
        #expect(RecordStateRefusal(change: .block, state: .superseded).message.contains("merged into another record"))
        #expect(RecordStateRefusal(change: .block, state: .blocked).message == "it is blocked already")
        #expect(RecordStateRefusal(change: .unblock, state: .active).message == "it is not blocked")
        #expect(RecordStateRefusal(change: .unblock, state: .obsolete).message.contains("stays so"))
    }

    @Test func kindsMapBothWays() {
        for change in RecordStateChange.allCases { #expect(RecordStateChange(change.kind) == change) }
        for kind in [ChangeKind.create, .update, .merge, .unmerge, .supersede] { #expect(RecordStateChange(kind) == nil) }
    }
}

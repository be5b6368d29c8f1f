import AurumCore
import Testing

/// The release signal: a waiter returns at a ring, at once when a ring came after what it saw,
/// and at its limit when none comes. Each wait races a far-off clock, so a wait that never
/// returns fails the test instead of hanging it.
@Suite struct ReleaseSignalTests {
    enum Winner { case wait, clock }

    /// Who finishes first: `wait`, or a clock of `limit`.
    func first(within limit: Duration = .seconds(30), _ wait: @escaping @Sendable () async -> Void) async -> Winner {
        await withTaskGroup(of: Winner.self) { group in
            group.addTask { await wait(); return .wait }
            group.addTask { try? await Task.sleep(for: limit); return .clock }
            let winner = await group.next()!
            group.cancelAll()
            return winner
        }
    }

    @Test func aRingWakesEveryWaiter() async {
        let signal = ReleaseSignal()
        async let a = first { await signal.wait(beyond: 0, upTo: .seconds(3600)) }
        async let b = first { await signal.wait(beyond: 0, upTo: .seconds(3600)) }
        for _ in 0..<6000 where signal.waiting < 2 { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(signal.waiting == 2)
        signal.ring()
        let winners = await [a, b]
        #expect(winners == [.wait, .wait])
        #expect(signal.rings == 1 && signal.waiting == 0)
    }

    @Test func aRingBeforeTheWaitIsNotMissed() async {
        let signal = ReleaseSignal()
        let seen = signal.rings
        signal.ring()  // a release between the look for work and the wait
        #expect(await first { await signal.wait(beyond: seen, upTo: .seconds(3600)) } == .wait)
    }

    @Test func withoutARingTheWaitEndsAtItsLimit() async {
        let signal = ReleaseSignal()
        signal.ring()
        #expect(await first { await signal.wait(beyond: signal.rings, upTo: .milliseconds(20)) } == .wait)
        #expect(signal.waiting == 0)
    }

    @Test func aCancelledWaiterLeavesNothingBehind() async {
        let signal = ReleaseSignal()
        #expect(await first(within: .milliseconds(50)) { await signal.wait(beyond: 0, upTo: .seconds(3600)) } == .clock)
        for _ in 0..<6000 where signal.waiting > 0 { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(signal.waiting == 0)
    }
}

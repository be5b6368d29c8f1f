@testable import AurumCore
import Testing

@Suite struct EstimationTests {
    /// Pairs drawn from known parameters: two comparisons of three and two levels, 30 % matches.
    func sample(count: Int, seed: UInt64) -> (rows: [Estimation.LevelRow], m: [[Double]], u: [[Double]], lambda: Double) {
        let m = [[0.7, 0.2, 0.1], [0.9, 0.1]], u = [[0.01, 0.09, 0.9], [0.2, 0.8]], lambda = 0.3
        var random = SeededRandom(seed: seed)
        func draw(_ probabilities: [Double]) -> Int8 {
            var x = Double.random(in: 0..<1, using: &random), index = 0
            while index < probabilities.count - 1, x >= probabilities[index] { x -= probabilities[index]; index += 1 }
            return Int8(index)
        }
        let rows = (0..<count).map { _ -> Estimation.LevelRow in
            let isMatch = random.chance(lambda)
            return (isMatch ? m : u).map(draw)
        }
        return (rows, m, u, lambda)
    }

    @Test func emRecoversKnownMAndLambdaWithUFixed() {
        let data = sample(count: 20_000, seed: 11)
        let start = [[0.4, 0.3, 0.3], [0.6, 0.4]]
        let result = Estimation.expectationMaximisation(data.rows, m: start, u: data.u, lambda: 0.1)
        #expect(abs(result.lambda - data.lambda) < 0.02, "λ \(result.lambda)")
        for (estimated, truth) in zip(result.m.joined(), data.m.joined()) {
            #expect(abs(estimated - truth) < 0.03, "m \(estimated) vs \(truth)")
        }
    }

    @Test func frequenciesIgnoreMissingValuesAndNeverGiveZero() {
        let rows: [Estimation.LevelRow] = [[0, -1], [0, 1], [1, 1], [0, 1]]
        let f = Estimation.frequencies(rows, levelCounts: [3, 2])
        #expect(abs(f[0][0] - 3.5 / 5.5) < 1e-12 && f[0][2] > 0)
        #expect(abs(f[1][1] - 3.5 / 4.0) < 1e-12)
    }

    @Test func randomPairsAreDistinctIndexesAndRepeatable() {
        let a = Estimation.randomPairs(records: 10, count: 500, seed: 3)
        #expect(a.allSatisfy { $0.0 != $0.1 && (0..<10).contains($0.0) && (0..<10).contains($0.1) })
        #expect(a.map { "\($0)" } == Estimation.randomPairs(records: 10, count: 500, seed: 3).map { "\($0)" })
    }
}

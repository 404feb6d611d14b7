import XCTest
import RetortCore

final class BatchNormTests: XCTestCase {
    /// Random non-trivial gamma/beta so their gradients and the dx formula are exercised.
    private func makeBN(_ f: Int, perWidth: Bool = false, seed: UInt64 = 1) -> BatchNorm {
        let bn = BatchNorm(f, perWidthStatistics: perWidth)
        var rng = RNG(seed: seed)
        bn.weight.value.fillUniform(0.5, 1.5, rng: &rng)
        bn.bias.value.fillUniform(-0.5, 0.5, rng: &rng)
        return bn
    }

    /// Per-channel (mean, biased var, unbiased var) over all rows, in Double.
    private func stats(_ x: Tensor, channel j: Int) -> (Double, Double, Double) {
        let c = x.lastDim, rows = x.rows
        var s = 0.0
        for r in 0..<rows { s += Double(x[r * c + j]) }
        let m = s / Double(rows)
        var v = 0.0
        for r in 0..<rows { let d = Double(x[r * c + j]) - m; v += d * d }
        return (m, v / Double(rows), v / Double(rows - 1))
    }

    func testDefaults() {
        let bn = BatchNorm(4)
        XCTAssertEqual(bn.weight.value.array, [1, 1, 1, 1])
        XCTAssertEqual(bn.bias.value.array, [0, 0, 0, 0])
        XCTAssertEqual(bn.runningMean.array, [0, 0, 0, 0])
        XCTAssertEqual(bn.runningVar.array, [1, 1, 1, 1])
        XCTAssertFalse(bn.weight.decays)
        XCTAssertFalse(bn.bias.decays)
        XCTAssertEqual(bn.parameters.count, 2)
    }

    func testTrainForwardNormalisesAndUpdatesRunningStatistics() {
        let bn = BatchNorm(3)
        let x = randomTensor([2, 4, 4, 3], seed: 2, std: 2)
        for i in 0..<x.count { x[i] += Float(i % 3) }  // distinct channel means
        let y = bn.forward(x, training: true)
        for j in 0..<3 {
            let (m, v, vu) = stats(x, channel: j)
            let (ym, yv, _) = stats(y, channel: j)
            XCTAssertEqual(ym, 0, accuracy: 1e-5)
            XCTAssertEqual(yv, v / (v + 1e-5), accuracy: 1e-4)
            XCTAssertEqual(Double(bn.runningMean[j]), 0.1 * m, accuracy: 1e-5)
            XCTAssertEqual(Double(bn.runningVar[j]), 0.9 + 0.1 * vu, accuracy: 1e-5)
        }
    }

    func testEvalForwardUsesRunningStatistics() {
        let bn = makeBN(4)
        for j in 0..<4 { bn.runningMean[j] = Float(j) - 1; bn.runningVar[j] = 0.5 + Float(j) }
        let x = randomTensor([5, 4], seed: 3)
        let y = bn.forward(x, training: false)
        for r in 0..<5 {
            for j in 0..<4 {
                let e = (x[r * 4 + j] - bn.runningMean[j]) / (bn.runningVar[j] + 1e-5).squareRoot()
                    * bn.weight.value[j] + bn.bias.value[j]
                XCTAssertEqual(y[r * 4 + j], e, accuracy: 1e-5)
            }
        }
        XCTAssertEqual(bn.runningMean[0], -1)  // eval leaves the statistics alone
    }

    func testTrainGradientsDense() {
        GradCheck.assert(makeBN(4), input: randomTensor([6, 4], seed: 4))
    }

    func testTrainGradientsNHWC() {
        GradCheck.assert(makeBN(3), input: randomTensor([2, 3, 3, 3], seed: 5))
    }

    func testEvalGradients() {
        let bn = makeBN(4)
        for j in 0..<4 { bn.runningMean[j] = 0.3 * Float(j); bn.runningVar[j] = 0.5 + Float(j) }
        GradCheck.assert(bn, input: randomTensor([2, 2, 2, 4], seed: 6), training: false)
    }

    func testSlicedWidthUsesFirstFeaturesAndZeroGradOutside() {
        let bn = makeBN(6)
        let x = randomTensor([5, 4], seed: 7)
        GradCheck.assert(bn, input: x)
        for j in 4..<6 {
            XCTAssertEqual(bn.weight.grad[j], 0)
            XCTAssertEqual(bn.bias.grad[j], 0)
            XCTAssertEqual(bn.runningMean[j], 0)
            XCTAssertEqual(bn.runningVar[j], 1)
        }
        XCTAssertNotEqual(bn.runningMean[0], 0)
        // Shared mode: the width-4 statistics are views of the shared tensors.
        let s = bn.runningStatistics(width: 4)
        XCTAssertEqual(s.mean.array, Array(bn.runningMean.array.prefix(4)))
        XCTAssertEqual(s.var.array, Array(bn.runningVar.array.prefix(4)))
    }

    func testPerWidthStatisticsAreKeptSeparate() {
        let bn = BatchNorm(6, perWidthStatistics: true)
        let wide = randomTensor([8, 6], seed: 8)
        for i in 0..<wide.count { wide[i] += 3 }
        let narrow = randomTensor([8, 4], seed: 9)
        for i in 0..<narrow.count { narrow[i] -= 2 }

        _ = bn.forward(wide, training: true)
        let wideMean = bn.runningMean.array, wideVar = bn.runningVar.array
        _ = bn.forward(narrow, training: true)
        XCTAssertEqual(bn.runningMean.array, wideMean, "a narrow pass must not touch the full-width statistics")
        XCTAssertEqual(bn.runningVar.array, wideVar)
        XCTAssertEqual(bn.trackedWidths, [4])

        let s4 = bn.runningStatistics(width: 4)
        for j in 0..<4 {
            let (m, _, vu) = stats(narrow, channel: j)
            XCTAssertEqual(Double(s4.mean[j]), 0.1 * m, accuracy: 1e-5)
            XCTAssertEqual(Double(s4.var[j]), 0.9 + 0.1 * vu, accuracy: 1e-5)
        }
        // A second wide pass leaves the narrow statistics alone.
        let narrowMean = s4.mean.array
        _ = bn.forward(wide, training: true)
        XCTAssertEqual(bn.runningStatistics(width: 4).mean.array, narrowMean)
        // Eval at width 4 uses the width-4 statistics.
        let y = bn.forward(narrow, training: false)
        let e = (narrow[0] - s4.mean[0]) / (s4.var[0] + 1e-5).squareRoot()
        XCTAssertEqual(y[0], e, accuracy: 1e-5)
        // An untrained width starts from mean 0, var 1.
        XCTAssertEqual(bn.runningStatistics(width: 2).mean.array, [0, 0])
        XCTAssertEqual(bn.runningStatistics(width: 2).var.array, [1, 1])
        _ = bn.forward(randomTensor([3, 2], seed: 10), training: false)
        XCTAssertEqual(bn.trackedWidths, [4], "an eval pass must not register a width")

        bn.resetRunningStatistics()
        XCTAssertEqual(bn.runningMean.array, [Float](repeating: 0, count: 6))
        XCTAssertEqual(bn.runningVar.array, [Float](repeating: 1, count: 6))
        XCTAssertEqual(bn.runningStatistics(width: 4).mean.array, [0, 0, 0, 0])
        XCTAssertEqual(bn.trackedWidths, [])
    }

    func testSharedStatisticsAreOverwrittenByNarrowPasses() {
        let bn = BatchNorm(6)
        let wide = randomTensor([8, 6], seed: 8)
        _ = bn.forward(wide, training: true)
        let before = bn.runningMean.array
        _ = bn.forward(randomTensor([8, 4], seed: 9), training: true)
        XCTAssertNotEqual(Array(bn.runningMean.array.prefix(4)), Array(before.prefix(4)))
        XCTAssertEqual(Array(bn.runningMean.array.suffix(2)), Array(before.suffix(2)))
    }
}

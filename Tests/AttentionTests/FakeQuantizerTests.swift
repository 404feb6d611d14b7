import XCTest
import RetortCore
import Attention

final class FakeQuantizerTests: XCTestCase {
    func quantize(_ q: inout FakeQuantizer, _ v: [Float], training: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: v.count)
        v.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                _ = q.quantize(s.baseAddress!, rows: 1, cols: v.count, ld: v.count, into: d.baseAddress!, ldd: v.count, training: training)
            }
        }
        return out
    }

    func testFourBitsGiveSixteenLevelsOverTheTensorRange() {
        var q = FakeQuantizer(bits: 4, momentum: 0.9)
        let v = (0..<100).map { Float($0) / 99 * 3 - 1 }        // −1 … 2
        let out = quantize(&q, v, training: true)
        XCTAssertEqual(Set(out).count, 16)
        XCTAssertEqual(out.first!, -1, accuracy: 1e-6)
        XCTAssertEqual(out.last!, 2, accuracy: 1e-6)
        let step: Float = 3 / 15
        for (a, b) in zip(v, out) { XCTAssertLessThanOrEqual(abs(a - b), step / 2 + 1e-6) }
    }

    func testRoundsHalfToEvenLikeTorchRound() {
        var q = FakeQuantizer(bits: 2, momentum: 0.9)              // levels 0…3, range 3 → scale 1
        let out = quantize(&q, [0, 0.5, 1.5, 2.5, 3], training: true)
        XCTAssertEqual(out, [0, 0, 2, 2, 3])
    }

    func testRunningRangeIsAnEMAUsedInEvaluation() {
        var q = FakeQuantizer(bits: 4, momentum: 0.9)
        _ = quantize(&q, [0, 10], training: true)
        XCTAssertEqual(q.runningZeroPoint, 0, accuracy: 1e-7)
        XCTAssertEqual(q.runningRange, 1, accuracy: 1e-6)          // 0.9·0 + 0.1·10
        _ = quantize(&q, [-2, 8], training: true)
        XCTAssertEqual(q.runningZeroPoint, -0.2, accuracy: 1e-6)
        XCTAssertEqual(q.runningRange, 1.9, accuracy: 1e-6)
        // Evaluation: the running range [−0.2, 1.7] clamps 5 to 1.7 and does not update.
        let out = quantize(&q, [5, -0.2], training: false)
        XCTAssertEqual(out[0], 1.7, accuracy: 1e-5)
        XCTAssertEqual(out[1], -0.2, accuracy: 1e-6)
        XCTAssertEqual(q.runningRange, 1.9, accuracy: 1e-6)
    }

    func testZeroBitsIsIdentity() {
        var q = FakeQuantizer(bits: 0)
        let v: [Float] = [0.123, -4.5, 7]
        XCTAssertEqual(quantize(&q, v, training: true), v)
    }
}

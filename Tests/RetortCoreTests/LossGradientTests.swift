import XCTest
import RetortCore

/// Central finite differences against the analytic gradients of the losses.
final class LossGradientTests: XCTestCase {
    private func randomLogits(_ b: Int, _ c: Int, seed: UInt64, scale: Float = 2) -> Tensor {
        var rng = RNG(seed: seed)
        let t = Tensor(shape: [b, c])
        t.fillNormal(std: scale, rng: &rng)
        return t
    }

    /// Checks `grad` against (f(x+h) − f(x−h)) / 2h for every element of `x`.
    private func checkGradient(_ x: Tensor, grad: Tensor, h: Float = 1e-2, tol: Float = 2e-3,
                               file: StaticString = #filePath, line: UInt = #line, _ f: () -> Float) {
        var worst: Float = 0
        for i in 0..<x.count {
            let old = x[i]
            x[i] = old + h; let fp = f()
            x[i] = old - h; let fm = f()
            x[i] = old
            let fd = (fp - fm) / (2 * h)
            worst = max(worst, abs(fd - grad[i]) / max(1, abs(fd)))
        }
        XCTAssertLessThan(worst, tol, "finite-difference mismatch \(worst)", file: file, line: line)
    }

    func testCrossEntropyGradient() {
        let labels = [0, 3, 2, 4]
        let weights: [Float] = [0.5, 1.5, 1.0, 2.0]
        for eps: Float in [0, 0.1, 0.3] {
            for w in [nil, weights] {
                let x = randomLogits(4, 5, seed: 7)
                let (_, g) = crossEntropy(logits: x, labels: labels, labelSmoothing: eps, sampleWeights: w)
                checkGradient(x, grad: g) { crossEntropy(logits: x, labels: labels, labelSmoothing: eps, sampleWeights: w).loss }
            }
        }
    }

    func testCrossEntropyValues() {
        // Uniform logits: loss = log C whatever the smoothing.
        let x = Tensor(shape: [3, 4], repeating: 0.7)
        for eps: Float in [0, 0.2] {
            let (l, g) = crossEntropy(logits: x, labels: [0, 1, 2], labelSmoothing: eps)
            XCTAssertEqual(l, log(4), accuracy: 1e-6)
            // Gradient rows sum to zero.
            for r in 0..<3 { XCTAssertEqual((0..<4).map { g[r * 4 + $0] }.reduce(0, +), 0, accuracy: 1e-6) }
        }
        // Hand-computed: logits [1, 2, 3], label 2, ε = 0.1.
        let y = Tensor(shape: [1, 3], values: [1, 2, 3])
        let lse = log(exp(1.0) + exp(2.0) + exp(3.0))
        let nll = lse - 3
        let meanNeg = ((lse - 1) + (lse - 2) + (lse - 3)) / 3
        let want = 0.9 * nll + 0.1 * meanNeg
        XCTAssertEqual(Double(crossEntropy(logits: y, labels: [2], labelSmoothing: 0.1).loss), want, accuracy: 1e-6)
        // Weights: Σ w ℓ / B, not normalised by Σ w.
        let l1 = crossEntropy(logits: y, labels: [2], sampleWeights: [3]).loss
        XCTAssertEqual(Double(l1), 3 * nll, accuracy: 1e-5)
        // Extreme logits stay finite.
        let big = Tensor(shape: [1, 3], values: [1000, -1000, 0])
        let (lb, gb) = crossEntropy(logits: big, labels: [1])
        XCTAssertTrue(lb.isFinite && gb.array.allSatisfy { $0.isFinite })
        XCTAssertEqual(lb, 2000, accuracy: 1e-2)
    }

    func testSoftTargetKLGradient() {
        let weights: [Float] = [0.25, 1.0, 2.0, 0.75]
        for t: Float in [1, 2, 4] {
            for w in [nil, weights] {
                let s = randomLogits(4, 6, seed: 11)
                let teacher = randomLogits(4, 6, seed: 12)
                let (_, g) = softTargetKL(studentLogits: s, teacherLogits: teacher, temperature: t, sampleWeights: w)
                checkGradient(s, grad: g) { softTargetKL(studentLogits: s, teacherLogits: teacher, temperature: t, sampleWeights: w).loss }
            }
        }
    }

    func testSoftTargetKLValues() {
        let s = randomLogits(3, 5, seed: 3)
        // KL(p‖p) = 0 with zero gradient.
        let (l0, g0) = softTargetKL(studentLogits: s, teacherLogits: s.copy(), temperature: 2)
        XCTAssertEqual(l0, 0, accuracy: 1e-6)
        XCTAssertTrue(g0.array.allSatisfy { abs($0) < 1e-6 })
        // Non-negative, and scales with T² for a fixed softened pair: check against a direct sum.
        let t = randomLogits(3, 5, seed: 4)
        let (l, _) = softTargetKL(studentLogits: s, teacherLogits: t, temperature: 1)
        var want = 0.0
        for r in 0..<3 {
            let sr = (0..<5).map { Double(s[r * 5 + $0]) }, tr = (0..<5).map { Double(t[r * 5 + $0]) }
            let zs = sr.map(exp).reduce(0, +), zt = tr.map(exp).reduce(0, +)
            for k in 0..<5 { let pt = exp(tr[k]) / zt, ps = exp(sr[k]) / zs; want += pt * log(pt / ps) }
        }
        XCTAssertEqual(Double(l), want / 3, accuracy: 1e-5)
        XCTAssertGreaterThan(l, 0)
    }

    func testEntropyAndAccuracy() {
        let x = Tensor(shape: [2, 4], values: [0, 0, 0, 0, 100, 0, 0, 0])
        let h = softmaxEntropy(logits: x)
        XCTAssertEqual(h[0], log(4), accuracy: 1e-6)
        XCTAssertEqual(h[1], 0, accuracy: 1e-6)
        let y = Tensor(shape: [3, 3], values: [0, 5, 1, 2, 2, 1, -1, -2, -3])
        XCTAssertEqual(argmax(rows: y), [1, 0, 0])
        XCTAssertEqual(correctness(logits: y, labels: [1, 1, 0]), [true, false, true])
        XCTAssertEqual(accuracy(logits: y, labels: [1, 1, 0]), 2.0 / 3.0, accuracy: 1e-7)
    }
}

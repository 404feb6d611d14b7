import XCTest
import RetortCore

/// The checker itself must catch wrong gradients.
final class GradCheckTests: XCTestCase {
    /// y = x·w (elementwise) with a backward that can be broken on purpose.
    final class Scale: Layer {
        enum Bug { case none, inputScale, paramSign, overwrite }
        let w: Parameter
        let bug: Bug
        var x: Tensor?
        init(_ n: Int, bug: Bug) {
            var rng = RNG(seed: 1)
            let t = Tensor(shape: [n]); t.fillUniform(0.5, 1.5, rng: &rng)
            w = Parameter("scale.w", t, decays: false)
            self.bug = bug
        }
        var parameters: [Parameter] { [w] }
        func forward(_ x: Tensor, training: Bool) -> Tensor {
            self.x = x
            let y = Tensor(shape: x.shape)
            for i in 0..<x.count { y[i] = x[i] * w.value[i % w.count] }
            return y
        }
        func backward(_ dy: Tensor) -> Tensor {
            let x = x!, dx = Tensor(shape: x.shape)
            if bug == .overwrite { w.grad.zero() }
            for i in 0..<x.count {
                dx[i] = dy[i] * w.value[i % w.count] * (bug == .inputScale ? 1.05 : 1)
                w.grad[i % w.count] += dy[i] * x[i] * (bug == .paramSign ? -1 : 1)
            }
            return dx
        }
    }

    func testCorrectLayerPasses() {
        let r = GradCheck.run(Scale(4, bug: .none), input: randomTensor([3, 4], seed: 2))
        XCTAssertTrue(r.passed(tolerance: 1e-2), "\(r.entries)")
        XCTAssertEqual(r.entries.map(\.name), ["input", "scale.w"])
    }

    func testBrokenBackwardsFail() {
        for bug in [Scale.Bug.inputScale, .paramSign, .overwrite] {
            let r = GradCheck.run(Scale(4, bug: bug), input: randomTensor([3, 4], seed: 2))
            XCTAssertFalse(r.passed(tolerance: 1e-2), "checker missed \(bug)")
        }
    }

    func testSamplesBigTensors() {
        let r = GradCheck.run(Scale(100, bug: .none), input: randomTensor([2, 100], seed: 3), maxSamples: 64)
        XCTAssertEqual(r.entries.map(\.checked), [64, 64])
    }
}

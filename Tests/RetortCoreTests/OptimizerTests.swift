import XCTest
import RetortCore

final class OptimizerTests: XCTestCase {
    private func params() -> (Parameter, Parameter) {
        let w = Parameter("w", Tensor(shape: [2], values: [1, -2]), decays: true)
        let b = Parameter("b", Tensor(shape: [2], values: [0.5, 3]), decays: false)
        return (w, b)
    }

    func testSGDPlainAndDecaySkipsBias() {
        let (w, b) = params()
        let opt = SGD(parameters: [w, b], lr: 0.1, weightDecay: 0.5)
        w.grad.fill(1); b.grad.fill(1)
        opt.step()
        // w: p − lr·(g + wd·p); b: p − lr·g
        let w0: Float = 1 - 0.1 * (1 + 0.5 * 1), w1: Float = -2 - 0.1 * (1 + 0.5 * -2)
        XCTAssertEqual(w.value[0], w0, accuracy: 1e-7)
        XCTAssertEqual(w.value[1], w1, accuracy: 1e-7)
        XCTAssertEqual(b.value[0], 0.4, accuracy: 1e-7)
        XCTAssertEqual(b.value[1], 2.9, accuracy: 1e-7)
        opt.zeroGrad()
        XCTAssertEqual(w.grad.array, [0, 0]); XCTAssertEqual(b.grad.array, [0, 0])
    }

    func testSGDZeroGradStillDecays() {
        // A sliced layer leaves part of the full-size grad at zero; decay still applies (PyTorch).
        let w = Parameter("w", Tensor(shape: [3], values: [1, 1, 1]), decays: true)
        let opt = SGD(parameters: [w], lr: 0.1, weightDecay: 0.1)
        w.grad[0] = 1
        opt.step()
        XCTAssertEqual(w.value[0], 1 - 0.1 * 1.1, accuracy: 1e-7)
        XCTAssertEqual(w.value[2], 1 - 0.1 * 0.1, accuracy: 1e-7)
    }

    func testSGDMomentumAndNesterov() {
        let g: [Float] = [1, 2, -1]
        for nesterov in [false, true] {
            let p = Parameter("p", Tensor(shape: [1], values: [0]), decays: true)
            let opt = SGD(parameters: [p], lr: 0.5, momentum: 0.9, nesterov: nesterov)
            var buf: Float = 0, x: Float = 0
            for (k, gk) in g.enumerated() {
                p.grad[0] = gk
                opt.step()
                buf = k == 0 ? gk : 0.9 * buf + gk
                let d = nesterov ? gk + 0.9 * buf : buf
                x -= 0.5 * d
                XCTAssertEqual(p.value[0], x, accuracy: 1e-6, "nesterov=\(nesterov) step \(k)")
                XCTAssertEqual(opt.momentumBuffers[0]![0], buf, accuracy: 1e-6)
            }
        }
    }

    func testAdamWFirstStepAndDecaySkip() {
        let (w, b) = params()
        let opt = AdamW(parameters: [w, b], lr: 0.01, weightDecay: 0.1)
        w.grad.fill(0.3); b.grad.fill(-7)
        opt.step()
        // First step: m̂/√v̂ = sign(g) (up to eps), so Δ = −lr·sign(g) plus decoupled decay on w.
        XCTAssertEqual(w.value[0], 1 * (1 - 0.01 * 0.1) - 0.01, accuracy: 1e-6)
        XCTAssertEqual(w.value[1], -2 * (1 - 0.01 * 0.1) - 0.01, accuracy: 1e-6)
        XCTAssertEqual(b.value[0], 0.5 + 0.01, accuracy: 1e-6)
        XCTAssertEqual(b.value[1], 3 + 0.01, accuracy: 1e-6)
        XCTAssertEqual(opt.stepCount, 1)
        opt.lr = 0
        opt.step()
        XCTAssertEqual(b.value[0], 0.51, accuracy: 1e-6, "lr is read at every step")
    }

    func testOptimizerProtocol() {
        let (w, b) = params()
        let opts: [Optimizer] = [SGD(parameters: [w, b], lr: 1), AdamW(parameters: [w, b], lr: 1)]
        for o in opts { o.lr = 0.25; XCTAssertEqual(o.lr, 0.25) }
    }

    func testCosineScheduleEndpoints() {
        let s = CosineSchedule(baseLR: 0.4, warmupSteps: 4, totalSteps: 20, minLR: 0.01)
        XCTAssertEqual(s.lr(at: 0), 0.1, accuracy: 1e-7)     // base/W
        XCTAssertEqual(s.lr(at: 1), 0.2, accuracy: 1e-7)
        XCTAssertEqual(s.lr(at: 3), 0.4, accuracy: 1e-7)     // end of warm-up
        XCTAssertEqual(s.lr(at: 4), 0.4, accuracy: 1e-7)     // cosine starts at base
        XCTAssertEqual(s.lr(at: 12), 0.01 + 0.39 * 0.5, accuracy: 1e-6) // half-way
        XCTAssertEqual(s.lr(at: 20), 0.01, accuracy: 1e-7)
        XCTAssertEqual(s.lr(at: 1000), 0.01, accuracy: 1e-7) // clamped
        XCTAssertEqual(s.lr(at: -5), 0.1, accuracy: 1e-7)
        // Monotone after warm-up.
        for k in 4..<25 { XCTAssertGreaterThanOrEqual(s.lr(at: k), s.lr(at: k + 1)) }
        let noWarm = CosineSchedule(baseLR: 1, warmupSteps: 0, totalSteps: 10)
        XCTAssertEqual(noWarm.lr(at: 0), 1)
        XCTAssertEqual(noWarm.lr(at: 10), 0, accuracy: 1e-7)
    }
}

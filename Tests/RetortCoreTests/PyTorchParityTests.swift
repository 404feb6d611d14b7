import Foundation
import XCTest
import RetortCore

/// Compares Retort's layers, losses, optimisers and schedule against PyTorch fixtures
/// (see tools/pytorch/make_fixtures.py; PyTorch is not needed to run these tests).
///
/// Tolerance: for every compared tensor, the relative error
///     max_i |got_i − want_i| / max(max_i |want_i|, 1e-6)
/// must be ≤ 1e-4 (normalised by the tensor's largest magnitude, so tiny elements are
/// judged on the tensor's scale). Shapes must match exactly. Each comparison prints a
/// `PARITY <case> <tensor> <error>` line.
final class PyTorchParityTests: XCTestCase {
    static let tolerance: Float = 1e-4

    static func relativeError(_ got: Tensor, _ want: Tensor) -> Float {
        var diff: Float = 0, scale: Float = 0
        for i in 0..<want.count {
            diff = max(diff, abs(got[i] - want[i]))
            scale = max(scale, abs(want[i]))
        }
        if diff.isNaN || got.array.contains(where: { !$0.isFinite }) { return .infinity }
        return diff / max(scale, 1e-6)
    }

    @discardableResult
    func check(_ got: Tensor, _ want: Tensor, _ fx: Fixture, _ label: String,
               file: StaticString = #filePath, line: UInt = #line) -> Float {
        guard got.shape == want.shape else {
            XCTFail("\(fx.name) \(label): shape \(got.shape), PyTorch \(want.shape)", file: file, line: line)
            return .infinity
        }
        let e = Self.relativeError(got, want)
        print("PARITY \(fx.name) \(label) \(String(format: "%.3e", e))")
        XCTAssertLessThanOrEqual(e, Self.tolerance, "\(fx.name) \(label): relative error \(e)", file: file, line: line)
        return e
    }

    func check(_ got: Float, _ want: Float, _ fx: Fixture, _ label: String,
               file: StaticString = #filePath, line: UInt = #line) {
        check(Tensor(shape: [1], values: [got]), Tensor(shape: [1], values: [want]), fx, label, file: file, line: line)
    }

    /// Forward x, compare y; backward dy, compare dx and every listed parameter gradient.
    func runLayer(_ fx: Fixture, _ layer: Layer, training: Bool = true, grads: [(String, Parameter)] = [],
                  file: StaticString = #filePath, line: UInt = #line) {
        let y = layer.forward(fx.tensor("x"), training: training)
        check(y, fx.tensor("y"), fx, "y", file: file, line: line)
        let dx = layer.backward(fx.tensor("dy"))
        check(dx, fx.tensor("dx"), fx, "dx", file: file, line: line)
        for (key, p) in grads { check(p.grad, fx.tensor(key), fx, key, file: file, line: line) }
    }

    // MARK: - fixtures are present and loadable

    func testFixturesAreBundled() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "linear", withExtension: "json", subdirectory: "Fixtures"),
                                "Fixtures folder missing from the test bundle")
        let files = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThanOrEqual(files.count, 40)
        for f in files { XCTAssertNoThrow(try Fixture(String(f.dropLast(5))), f) }
    }

    // MARK: - Linear

    func testLinear() throws {
        for name in ["linear", "linear_nobias", "linear_3d"] {
            let fx = try Fixture(name)
            var rng = RNG(seed: 1)
            let l = Linear(fx.int("in"), fx.int("out"), bias: fx.bool("bias"), name: "fc", rng: &rng)
            l.weight.value.copy(from: fx.tensor("weight"))
            var grads = [("dweight", l.weight)]
            if let b = l.bias { b.value.copy(from: fx.tensor("bias")); grads.append(("dbias", b)) }
            XCTAssertEqual(l.bias == nil, !fx.bool("bias"))
            runLayer(fx, l, grads: grads)
        }
    }

    func testLinearSliced() throws {
        let fx = try Fixture("linear_sliced")
        var rng = RNG(seed: 1)
        let l = Linear(fx.int("maxIn"), fx.int("maxOut"), name: "fc", rng: &rng)
        l.weight.value.copy(from: fx.tensor("weight"))
        l.bias!.value.copy(from: fx.tensor("bias"))
        l.activeOut = fx.int("out")
        XCTAssertEqual(fx.tensor("x").lastDim, fx.int("in"))
        runLayer(fx, l, grads: [("dweight", l.weight), ("dbias", l.bias!)])
        // Outside the active slice the full-size gradient must stay exactly zero.
        let g = l.weight.grad
        for o in 0..<6 { for i in 0..<8 where o >= 4 || i >= 5 { XCTAssertEqual(g[o * 8 + i], 0) } }
        for o in 4..<6 { XCTAssertEqual(l.bias!.grad[o], 0) }
    }

    // MARK: - Conv2d

    func makeConv(_ fx: Fixture, maxWidths: Bool = false) -> Conv2d {
        var rng = RNG(seed: 2)
        let c = Conv2d(fx.int(maxWidths ? "maxIn" : "in"), fx.int(maxWidths ? "maxOut" : "out"),
                       kernel: fx.int("kernel"), stride: fx.int("stride"), padding: fx.int("padding"),
                       groups: fx.int("groups"), bias: fx.bool("bias"), name: "conv", rng: &rng)
        c.weight.value.copy(from: fx.tensor("weight"))
        c.bias?.value.copy(from: fx.tensor("bias"))
        return c
    }

    func testConv2d() throws {
        for name in ["conv3x3_s1_p1", "conv3x3_s2_p1", "conv1x1", "conv3x3_nobias", "conv_dw3x3_s2_p1",
                     "conv_dw3x3_s1_p1_nobias", "conv_groups2", "conv3x3_s2_p0"] {
            let fx = try Fixture(name)
            let c = makeConv(fx)
            XCTAssertEqual(c.weight.shape, fx.tensor("weight").shape, "\(name): weight layout")
            var grads = [("dweight", c.weight)]
            if let b = c.bias { grads.append(("dbias", b)) }
            XCTAssertEqual(c.bias == nil, !fx.bool("bias"))
            runLayer(fx, c, grads: grads)
        }
    }

    func testConv2dSliced() throws {
        let fx = try Fixture("conv_sliced")
        let c = makeConv(fx, maxWidths: true)
        c.activeOut = fx.int("out")
        XCTAssertEqual(fx.tensor("x").lastDim, fx.int("in"))
        runLayer(fx, c, grads: [("dweight", c.weight), ("dbias", c.bias!)])
        let g = c.weight.grad
        for o in 0..<6 { for i in 0..<8 where o >= 4 || i >= 5 {
            for k in 0..<9 { XCTAssertEqual(g[(o * 8 + i) * 9 + k], 0) }
        } }
        for o in 4..<6 { XCTAssertEqual(c.bias!.grad[o], 0) }
    }

    // MARK: - normalisation

    func makeBN(_ fx: Fixture) -> BatchNorm {
        let bn = BatchNorm(fx.int("features"), eps: fx.float("eps"), momentum: fx.float("momentum"), name: "bn")
        bn.weight.value.copy(from: fx.tensor("weight"))
        bn.bias.value.copy(from: fx.tensor("bias"))
        bn.runningMean.copy(from: fx.tensor("running_mean0"))
        bn.runningVar.copy(from: fx.tensor("running_var0"))
        return bn
    }

    func testBatchNorm() throws {
        for name in ["batchnorm_train", "batchnorm_eval", "batchnorm_train_2d", "batchnorm_sliced"] {
            let fx = try Fixture(name)
            let bn = makeBN(fx)
            runLayer(fx, bn, training: fx.bool("training"), grads: [("dweight", bn.weight), ("dbias", bn.bias)])
            check(bn.runningMean, fx.tensor("running_mean"), fx, "running_mean")
            check(bn.runningVar, fx.tensor("running_var"), fx, "running_var")
        }
    }

    func testLayerNorm() throws {
        for name in ["layernorm", "layernorm_4d"] {
            let fx = try Fixture(name)
            let ln = LayerNorm(fx.int("features"), eps: fx.float("eps"), name: "ln")
            ln.weight.value.copy(from: fx.tensor("weight"))
            ln.bias.value.copy(from: fx.tensor("bias"))
            runLayer(fx, ln, grads: [("dweight", ln.weight), ("dbias", ln.bias)])
        }
    }

    // MARK: - activations and shape ops

    func testActivations() throws {
        runLayer(try Fixture("relu"), ReLU())
        runLayer(try Fixture("relu6"), ReLU6())
        let gelu = try Fixture("gelu")
        XCTAssertEqual(gelu.string("approximate"), "none")
        runLayer(gelu, GELU())
        runLayer(try Fixture("softmax"), Softmax())
    }

    func testShapeOps() throws {
        runLayer(try Fixture("global_avg_pool"), GlobalAvgPool())
        runLayer(try Fixture("flatten"), Flatten())
        let fx = try Fixture("residual")
        var rng = RNG(seed: 3)
        let c = fx.int("channels")
        let conv = Conv2d(c, c, kernel: 3, stride: 1, padding: 1, name: "res.conv", rng: &rng)
        conv.weight.value.copy(from: fx.tensor("weight"))
        conv.bias!.value.copy(from: fx.tensor("bias"))
        runLayer(fx, Residual(Sequential([conv, ReLU()])), grads: [("dweight", conv.weight), ("dbias", conv.bias!)])
    }

    /// Masks come from different RNGs, so only p = 0 equivalence and the 1/(1−p) scale of
    /// the kept units are compared (PyTorch's own scale is stored in the fixture).
    func testDropout() throws {
        let fx = try Fixture("dropout")
        let x = fx.tensor("x")
        // p = 0: identity forward and backward, as torch (y_p0 == x).
        let d0 = Dropout(p: 0, seed: 9)
        check(d0.forward(x, training: true), fx.tensor("y_p0"), fx, "y_p0")
        let dy = Tensor(shape: x.shape); var rng = RNG(seed: 4); dy.fillNormal(std: 1, rng: &rng)
        check(d0.backward(dy), dy, fx, "dx_p0")

        let p = fx.float("p"), scale = fx.float("scale")
        XCTAssertEqual(scale, 1 / (1 - p), accuracy: 1e-6)
        // Torch's kept units are x·scale.
        let yt = fx.tensor("y_torch")
        for i in 0..<x.count where yt[i] != 0 { XCTAssertEqual(yt[i], x[i] * scale, accuracy: 1e-6 * max(1, abs(yt[i]))) }
        let d = Dropout(p: p, seed: 9)
        let y = d.forward(x, training: true)
        let dx = d.backward(dy)
        var kept = 0, worst: Float = 0
        for i in 0..<x.count {
            if y[i] != 0 {
                kept += 1
                worst = max(worst, abs(y[i] - x[i] * scale) / abs(x[i] * scale))
                worst = max(worst, abs(dx[i] - dy[i] * scale) / max(abs(dy[i] * scale), 1e-6))
            } else {
                XCTAssertEqual(dx[i], 0, "dropped unit must get no gradient")
            }
        }
        print("PARITY dropout kept_scale \(String(format: "%.3e", worst))")
        XCTAssertLessThanOrEqual(worst, Self.tolerance)
        let frac = Float(kept) / Float(x.count)
        XCTAssertEqual(frac, 1 - p, accuracy: 0.1, "kept fraction \(frac)")
        // Evaluation is the identity.
        check(d.forward(x, training: false), x, fx, "y_eval")
    }

    // MARK: - losses

    func testCrossEntropy() throws {
        for name in ["cross_entropy_eps0", "cross_entropy_eps0p1", "cross_entropy_eps0_weighted", "cross_entropy_eps0p1_weighted"] {
            let fx = try Fixture(name)
            let labels = fx.numbers("labels").map { Int($0) }
            let w: [Float]? = fx.has("weights") ? fx.values("weights") : nil
            let (loss, grad) = crossEntropy(logits: fx.tensor("logits"), labels: labels,
                                            labelSmoothing: fx.float("labelSmoothing"), sampleWeights: w)
            check(loss, fx.values("loss")[0], fx, "loss")
            check(grad, fx.tensor("grad"), fx, "grad")
        }
    }

    func testSoftTargetKL() throws {
        for name in ["soft_kl_T1_weighted", "soft_kl_T2_weighted", "soft_kl_T4_weighted", "soft_kl_T2"] {
            let fx = try Fixture(name)
            let w: [Float]? = fx.has("weights") ? fx.values("weights") : nil
            let (loss, grad) = softTargetKL(studentLogits: fx.tensor("student"), teacherLogits: fx.tensor("teacher"),
                                            temperature: fx.float("temperature"), sampleWeights: w)
            check(loss, fx.values("loss")[0], fx, "loss")
            check(grad, fx.tensor("grad"), fx, "grad")
        }
    }

    func testSoftmaxEntropy() throws {
        let fx = try Fixture("softmax_entropy")
        let h = softmaxEntropy(logits: fx.tensor("logits"))
        check(Tensor(shape: [h.count], values: h), fx.tensor("entropy"), fx, "entropy")
    }

    // MARK: - optimisers

    /// Weight [4, 3] (decays) and bias [4] (no decay: a second PyTorch param group with
    /// weight_decay 0); three steps with per-step gradients and learning rates.
    func runOptimizer(_ name: String, make: ([Parameter]) -> Optimizer,
                      state: (Optimizer, Int, Int) -> [String: Tensor] = { _, _, _ in [:] }) throws {
        let fx = try Fixture(name)
        let w = Parameter("w", fx.tensor("w0"), decays: true)
        let b = Parameter("b", fx.tensor("b0"), decays: false)
        let opt = make([w, b])
        let lrs = fx.numbers("lrs")
        for k in 1...fx.int("steps") {
            opt.lr = Float(lrs[k - 1])
            opt.zeroGrad()
            w.grad.copy(from: fx.tensor("gw\(k)"))
            b.grad.copy(from: fx.tensor("gb\(k)"))
            opt.step()
            check(w.value, fx.tensor("w\(k)"), fx, "w\(k)")
            check(b.value, fx.tensor("b\(k)"), fx, "b\(k)")
            for (pi, pname) in ["w", "b"].enumerated() {
                for (key, t) in state(opt, pi, k) { check(t, fx.tensor("\(key)_\(pname)\(k)"), fx, "\(key)_\(pname)\(k)") }
            }
        }
    }

    func testSGD() throws {
        for name in ["sgd_plain", "sgd_weight_decay", "sgd_momentum", "sgd_momentum_wd", "sgd_nesterov_wd"] {
            let fx = try Fixture(name)
            let momentum = fx.float("momentum")
            try runOptimizer(name, make: {
                SGD(parameters: $0, lr: 0, momentum: momentum, nesterov: fx.bool("nesterov"), weightDecay: fx.float("weightDecay"))
            }, state: { opt, pi, _ in
                guard momentum > 0, let buf = (opt as! SGD).momentumBuffers[pi] else { return [:] }
                return ["buf": buf]
            })
        }
    }

    func testAdamW() throws {
        for name in ["adamw", "adamw_betas"] {
            let fx = try Fixture(name)
            try runOptimizer(name, make: {
                AdamW(parameters: $0, lr: 0, beta1: fx.float("beta1"), beta2: fx.float("beta2"),
                      eps: fx.float("eps"), weightDecay: fx.float("weightDecay"))
            }, state: { opt, pi, k in
                let a = opt as! AdamW
                XCTAssertEqual(a.stepCount, k)
                return ["m": a.firstMoments[pi], "v": a.secondMoments[pi]]
            })
        }
    }

    func testCosineSchedule() throws {
        for name in ["cosine_schedule", "cosine_schedule_nowarmup"] {
            let fx = try Fixture(name)
            let s = CosineSchedule(baseLR: fx.float("baseLR"), warmupSteps: fx.int("warmupSteps"),
                                   totalSteps: fx.int("totalSteps"), minLR: fx.float("minLR"))
            let want = fx.tensor("lr")
            let got = Tensor(shape: want.shape, values: (0..<want.count).map { s.lr(at: $0) })
            check(got, want, fx, "lr")
        }
    }
}

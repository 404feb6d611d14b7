import XCTest
import RetortCore
import Attention

/// Finite-difference checks of every attention kind's backward.
///
/// The sparse kinds run with quantisation off (bits 0): the 4-bit staircase has zero
/// derivative almost everywhere, so finite differences cannot check the straight-through
/// estimator (the PyTorch fixtures do, with quantisation on). The mask threshold is placed
/// in the widest gap between the predicted probabilities so no ±ε step flips a mask bit.
final class AttentionGradientTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    let (b, n, h, d) = (2, 6, 2, 4)

    func core(_ kind: AttentionKind, threshold: Float = 0.002) -> AttentionCore {
        AttentionCore(kind: kind, heads: h, sparse: SparseConfig(threshold: threshold, bits: 0))
    }

    /// A threshold in the widest multiplicative gap between predicted probabilities (≥ 1e-3),
    /// so the mask keeps some entries and drops others, far from any value.
    func safeThreshold(_ qkv: Tensor) -> Float {
        let p = Reference.heads(qkv, heads: h).flatMap { Reference.softmaxMap(q: $0.q, k: $0.k).flatMap { $0 } }
            .filter { $0 > 1e-3 }.sorted()
        var best = (gap: 0.0, t: 0.0)
        for i in 1..<p.count where p[i] / p[i - 1] > best.gap { best = (p[i] / p[i - 1], (p[i] * p[i - 1]).squareRoot()) }
        XCTAssertGreaterThan(best.gap, 1.2, "no clear gap between predicted probabilities")
        return Float(best.t)
    }

    func testSoftmaxGradients() {
        GradCheck.assert(core(.softmax), input: randomTensor([b, n, 3 * h * d], seed: 1), eps: 1e-2, tolerance: 1e-2)
    }

    func testTaylorGradients() {
        GradCheck.assert(core(.taylor), input: randomTensor([b, n, 3 * h * d], seed: 2), eps: 1e-2, tolerance: 1e-2)
    }

    func testTaylorSparseGradients() {
        let x = randomTensor([b, n, 3 * h * d], seed: 3, std: 2)
        let c = core(.taylorSparse, threshold: safeThreshold(x))
        GradCheck.assert(c, input: x, eps: 1e-2, tolerance: 1e-2)
        let density = c.lastMaskDensity ?? -1
        XCTAssertTrue(density > 0.05 && density < 0.95, "the mask must be partial, kept \(density)")
    }

    func testTaylorRepoGradients() {
        let x = randomTensor([b, n, 3 * h * d], seed: 4, std: 2)
        let c = core(.taylorRepo, threshold: safeThreshold(x))
        // The un-normalised output is large (gradients of order 4), so float32 round-off in the
        // loss is about 6e-4 in a central difference: compare small gradients against a floor of 0.1.
        GradCheck.assert(c, input: x, eps: 1e-2, tolerance: 1e-2, floor: 1e-1)
        let density = c.lastMaskDensity ?? -1
        XCTAssertTrue(density > 0.05 && density < 0.95, "the mask must be partial, kept \(density)")
    }

    /// The whole ViT (patch embedding, CLS, positions, blocks, final norm, head), through a
    /// linear read-out of the logits.
    func testTinyViTGradients() {
        for kind in [AttentionKind.softmax, .taylor] {
            let cfg = ViTConfig(name: "t", imageSize: 4, patchSize: 2, width: 8, heads: 2, depth: 2, mlpRatio: 2, classes: 3)
            let model = VisionTransformer(cfg, kind: kind, seed: 7)
            // Bigger values than DeiT's 0.02 so attention is far from uniform and no LayerNorm
            // sees a near-constant row (which would make ±ε steps strongly non-linear).
            var rng = RNG(seed: 8)
            for p in model.parameters where !p.name.contains("norm") { p.value.fillNormal(std: 0.5, rng: &rng) }
            let check = GradCheck.run(model, input: randomTensor([2, 4, 4, 1], seed: 9), eps: 1e-2, maxSamples: 12)
            for e in check.entries {
                XCTAssertLessThanOrEqual(e.maxError, 2e-2, "\(kind) \(e.name): analytic \(e.analytic) vs numeric \(e.numeric)")
            }
            XCTAssertLessThanOrEqual(check.accumulationError, 1e-4, "\(kind): parameter gradients must accumulate")
            XCTAssertEqual(check.entries.count, model.parameters.count + 1)
        }
    }
}

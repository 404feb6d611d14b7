import Foundation
import XCTest
import RetortCore
import Attention
import VectorMath

/// The fused softmax kernel against the per-head reference kernel (which forms the n×n map),
/// finite differences, PyTorch's SDPA (tools/pytorch/fused_attention_fixtures.py), and its
/// block-tile scratch (never n×n), and the vectorised exp it uses.
final class FusedSoftmaxTests: XCTestCase {
    override func setUp() { Threads.set(1) }
    override func tearDown() { Threads.set(1) }

    func core(heads: Int, fused: Bool) -> AttentionCore {
        let c = AttentionCore(kind: .softmax, heads: heads)
        c.fusedSoftmax = fused; c.fusedSoftmaxMinTokens = 0
        return c
    }

    /// Sizes cross the tiles (64 keys, 32 queries) and the 16-lane vectors; one and two threads
    /// cover both work splits (over pairs, and within a pair over query or key tiles).
    func testFusedMatchesTheReferenceKernelForwardAndBackward() {
        checkAgainstReference([(1, 5, 1, 4), (2, 33, 3, 8), (1, 64, 2, 16), (1, 97, 2, 64), (2, 130, 1, 24), (1, 200, 3, 64)],
                              seed: 40, inference: true)
    }

    /// Forward (2e-6) and backward (2e-5) of the fused kernel against the per-head kernel on one
    /// and two threads; with `inference`, also the inference forward equals the training one.
    func checkAgainstReference(_ shapes: [(b: Int, n: Int, h: Int, d: Int)], seed: UInt64, inference: Bool) {
        for threads in [1, 2] {
            Threads.set(threads)
            for (i, s) in shapes.enumerated() {
                let qkv = randomTensor([s.b, s.n, 3 * s.h * s.d], seed: seed + UInt64(i), std: 1.5)
                let fused = core(heads: s.h, fused: true), ref = core(heads: s.h, fused: false)
                let yf = fused.forward(qkv, training: true), yr = ref.forward(qkv, training: true)
                let label = "threads \(threads) b \(s.b) n \(s.n) h \(s.h) d \(s.d)"
                XCTAssertLessThan(relativeError(yf, yr), 2e-6, "\(label): forward")
                let dy = randomTensor(yf.shape, seed: seed + 20 + UInt64(i))
                XCTAssertLessThan(relativeError(fused.backward(dy), ref.backward(dy)), 2e-5, "\(label): backward")
                if inference {
                    let yi = core(heads: s.h, fused: true).forward(qkv, training: false)
                    XCTAssertEqual(maxAbsDiff(yi, yf), 0, "\(label): inference equals the training forward")
                }
            }
        }
    }

    /// The default dispatch: in a training step the per-head kernel below
    /// `defaultFusedSoftmaxMinTokens` and the fused one from it (its scratch is the block tile, the
    /// per-head kernel's is the n×n map); in inference the fused one at every n; the same outputs
    /// and gradients either way.
    func testDefaultDispatchTakesTheFusedKernelFromTheThreshold() {
        let (h, d) = (2, 16), m = AttentionCore.defaultFusedSoftmaxMinTokens
        XCTAssertEqual(m, 128)
        XCTAssertEqual(AttentionCore.defaultInferenceMinTokens, 0)
        for n in [m - 1, m] {
            let qkv = randomTensor([1, n, 3 * h * d], seed: UInt64(90 + n))
            let auto = AttentionCore(kind: .softmax, heads: h)
            XCTAssertTrue(auto.fusedSoftmax)
            _ = auto.forward(qkv, training: false)
            XCTAssertEqual(auto.lastMemory.perHeadWords, OpFormulas.softmaxWorkspace(tokens: n, headDim: d), "n \(n): fused in inference")
            let y = auto.forward(qkv, training: true), ref = core(heads: h, fused: false)
            let yRef = ref.forward(qkv, training: true)
            if n >= m {
                XCTAssertEqual(auto.lastMemory.perHeadWords, OpFormulas.softmaxWorkspace(tokens: n, headDim: d), "n \(n): fused")
            } else {
                XCTAssertEqual(maxAbsDiff(y, yRef), 0, "n \(n): in training the per-head kernel, bit for bit")
            }
            XCTAssertLessThan(relativeError(y, yRef), 2e-6, "n \(n): forward")
            let dy = randomTensor(y.shape, seed: UInt64(95 + n))
            XCTAssertLessThan(relativeError(auto.backward(dy), ref.backward(dy)), 2e-5, "n \(n): backward")
        }
    }

    /// Two key tiles and four query tiles (the last partial), d not a multiple of 16.
    func testFusedBackwardMatchesFiniteDifferences() {
        let c = core(heads: 2, fused: true)
        GradCheck.assert(c, input: randomTensor([1, 70, 3 * 2 * 6], seed: 71), eps: 1e-2, tolerance: 1e-2, maxSamples: 200)
        // d = 16: the forward's micro-kernel path (the last query block has 6 rows (AVX-512: a 4-row
        // block and 2 one by one) or 10 (AVX2: a 6-row block and a masked one))
        GradCheck.assert(core(heads: 2, fused: true), input: randomTensor([1, 70, 3 * 2 * 16], seed: 72), eps: 1e-2, tolerance: 1e-2, maxSamples: 200)
    }

    /// d = 12 (sgemm block products) and d = 16 (the micro-kernel path: 7 rows in the last query
    /// block, 103 keys padded to 112), against PyTorch's SDPA in float64.
    func testFusedMatchesPyTorchAcrossTileEdges() throws {
        for (name, tokens) in [("attn_softmax_tiles", 100), ("attn_softmax_tiles16", 103)] {
            let f = try Fixture(name)
            XCTAssertEqual(f.int("tokens"), tokens)
            for threads in [1, 2] {
                Threads.set(threads)
                let c = core(heads: f.int("heads"), fused: true)
                let y = c.forward(f.tensor("qkv"), training: true)
                XCTAssertLessThanOrEqual(relativeError(y, f.tensor("y")), 1e-5, "\(name) threads \(threads): output")
                XCTAssertLessThanOrEqual(relativeError(c.backward(f.tensor("dy")), f.tensor("dqkv")), 1e-5, "\(name) threads \(threads): dqkv")
            }
        }
    }

    /// Scratch per task is one query block × key block tile (S, then P), the row max and sum and,
    /// for d a multiple of 16 (the micro-kernel path), the pair's Kᵀ/√d and V in panels: never n×n;
    /// the tile is the same at every n from 256 (64 × 256, the query rows rounded down to the
    /// micro-kernel's row block: 60 on AVX2), the two copies grow as n·d each. For other d (sgemm
    /// path) there are no copies and the scratch is the same at every n from 256.
    func testFusedForwardNeverAllocatesTheAttentionMap() {
        let (n, d, h) = (2048, 16, 2)
        let q64 = 64 - 64 % tileRowBlock, q32 = 32 - 32 % tileRowBlock
        let c = core(heads: h, fused: true)
        _ = c.forward(randomTensor([1, n, 3 * h * d], seed: 81), training: true)
        XCTAssertEqual(c.lastMemory.perHeadWords, OpFormulas.softmaxWorkspace(tokens: n, headDim: d))
        XCTAssertEqual(c.lastMemory.perHeadWords, q64 * 256 + 2 * q64 + d * (n + 16) + n * d)
        XCTAssertEqual(c.lastMemory.largestBuffer, d * (n + 16), "the largest buffer is the Kᵀ copy (the S/P tile is 60 × 256)")
        XCTAssertLessThan(c.lastMemory.perHeadWords * 25, n * n)
        let c2 = core(heads: h, fused: true)
        _ = c2.forward(randomTensor([1, 2 * n, 3 * h * d], seed: 82), training: true)
        XCTAssertEqual(c2.lastMemory.perHeadWords - c.lastMemory.perHeadWords, 2 * d * n, "doubling n adds the Kᵀ and V copies' n·d words only")
        // d not a multiple of 16: sgemm on the packed tensor, no copy, the same scratch at 2n
        let d6 = 6
        let s1 = core(heads: h, fused: true), s2 = core(heads: h, fused: true)
        _ = s1.forward(randomTensor([1, n, 3 * h * d6], seed: 84), training: true)
        _ = s2.forward(randomTensor([1, 2 * n, 3 * h * d6], seed: 85), training: true)
        XCTAssertEqual(s1.lastMemory.perHeadWords, q64 * 256 + 2 * q64)
        XCTAssertEqual(s1.lastMemory.largestBuffer, q64 * 256, "the largest buffer is the S/P tile")
        XCTAssertEqual(s2.lastMemory.perHeadWords, s1.lastMemory.perHeadWords, "doubling n leaves the sgemm path's scratch unchanged")
        XCTAssertEqual(s1.lastMemory.perHeadWords, OpFormulas.softmaxWorkspace(tokens: n, headDim: d6))
        // Small n: the tile shrinks with n (32 query rows (30 on AVX2) × n keys, rounded up to 16, below n = 192).
        let c3 = core(heads: h, fused: true)
        _ = c3.forward(randomTensor([1, 100, 3 * h * d], seed: 83), training: true)
        XCTAssertEqual(c3.lastMemory.perHeadWords, q32 * 112 + 2 * q32 + d * (112 + 16) + 100 * d)
        // In inference the reference kernel's map is scratch (in training it is the saved tensor).
        let ref = core(heads: h, fused: false)
        _ = ref.forward(randomTensor([1, n, 3 * h * d], seed: 81), training: false)
        XCTAssertEqual(ref.lastMemory.largestBuffer, n * n, "the reference kernel forms the n×n map (the counter must see it)")
    }

    /// Sizes across the blocks: forward key blocks of 256 and backward ones of 512 (n = 511, 512,
    /// 513, 1100 with a partial last block), query blocks of 64 with a partial last block, the backward's smaller key
    /// blocks for few pairs, and d not a multiple of 16; one and two threads.
    func testFusedMatchesTheReferenceKernelAcrossBlockBoundaries() {
        checkAgainstReference([(1, 511, 1, 24), (1, 512, 2, 16), (2, 513, 1, 64), (1, 600, 3, 24), (1, 1100, 1, 40)],
                              seed: 140, inference: false)
    }

    /// The kernels' vectorised e^x against e^x in Double rounded to Float, over the whole range
    /// the kernels use (softmax arguments are ≤ 0; the polynomial covers up to 88): at most 2 ulp.
    func testFastExpIsWithinTwoUlpOfExp() {
        var xs: [Float] = []
        var x: Float = -87
        while x < 88 { xs.append(x); x += 0.000_731 }
        xs += [0, -0.0, 1e-8, -1e-8, 0.5, -0.5, 1, -1]
        let ys = FastMath.exp(xs)
        var worst: Float = 0, at: Float = 0
        for (x, y) in zip(xs, ys) {
            let e = Float(Foundation.exp(Double(x)))
            let ulps = abs(y - e) / e.ulp
            if ulps > worst { worst = ulps; at = x }
        }
        XCTAssertLessThanOrEqual(worst, 2, "worst \(worst) ulp at x = \(at)")
        XCTAssertEqual(FastMath.exp([0])[0], 1)
        // Far below the range the result is tiny (clamped), never NaN or negative.
        XCTAssertTrue(FastMath.exp([-200, -Float.infinity]).allSatisfy { $0 >= 0 && $0 < 1e-37 })
    }

    /// The fused kernel's cheaper e^x for shifted scores (`simdExpShifted`: one-step range
    /// reduction, degree-5 polynomial) over its domain [−87, 88]: relative error at most 4e-7
    /// (tools/fit_exp_poly.py's float32 emulation: 3.8e-7), e^0 = 1 exactly, and tiny but never NaN
    /// or negative far below the range. A coefficient off in its fourth digit fails this.
    func testShiftedExpIsWithinItsRelativeError() {
        var xs: [Float] = []
        var x: Float = -87
        while x < 88 { xs.append(x); x += 0.000_731 }
        xs += [0, -0.0, 1e-8, -1e-8, 0.5, -0.5, 1, -1, -0.34657359, 0.34657359]
        let ys = FastMath.expShifted(xs)
        var worst = 0.0, at: Float = 0
        for (x, y) in zip(xs, ys) {
            let rel = abs(Double(y) / Foundation.exp(Double(x)) - 1)
            if rel > worst { worst = rel; at = x }
        }
        XCTAssertLessThanOrEqual(worst, 4e-7, "worst relative error \(worst) at x = \(at)")
        XCTAssertEqual(FastMath.expShifted([0, -0.0]), [1, 1])
        XCTAssertTrue(FastMath.expShifted([-200, -Float.infinity]).allSatisfy { $0 >= 0 && $0 < 1e-37 })
        XCTAssertTrue(FastMath.expShifted([.nan])[0].isNaN, "a NaN score stays NaN (the divergence guard sees it)")
    }

    /// A later key block (keys from 512; forward key blocks are 256) whose scores (spread by ±0.5) exceed the
    /// first block's max by 20 and by 60: the online rescaling (α = e^(m − m′) on l and Z), on the
    /// micro-kernel path (d = 16) and the sgemm one (d = 24), against the per-head kernel, forward
    /// and backward, one and two threads.
    func testLaterKeyBlocksAboveTheRunningMax() {
        let n = 600, h = 1
        for d in [16, 24] {
            for jump: Float in [20, 60] {
                var rng = RNG(seed: 7)
                var v = [Float](repeating: 0, count: n * 3 * h * d)
                for i in 0..<n {
                    for c in 0..<d {
                        v[i * 3 * d + c] = 1                                           // q: all ones
                        v[i * 3 * d + d + c] = i < 512 ? 0.1 * rng.normal() : (jump + 0.25 * rng.normal()) / Float(d).squareRoot()   // k
                        v[i * 3 * d + 2 * d + c] = rng.normal()                        // v
                    }
                }
                let qkv = Tensor(shape: [1, n, 3 * h * d], values: v)
                for threads in [1, 2] {
                    Threads.set(threads)
                    let fused = core(heads: h, fused: true), ref = core(heads: h, fused: false)
                    // Scores up to 60: one rounding of a score moves its weight by 60·2⁻²⁴ ≈ 3.6e-6, and the
                    // kernels sum the products in different orders (measured on two threads: forward up to
                    // 5.6e-6, backward 2.5e-5; without the rescaling of Z the forward error is 2.6).
                    let yf = fused.forward(qkv, training: true), yr = ref.forward(qkv, training: true)
                    XCTAssertLessThan(relativeError(yf, yr), 2e-5, "d \(d) jump \(jump) threads \(threads): forward")
                    let dy = randomTensor(yf.shape, seed: 8)
                    XCTAssertLessThan(relativeError(fused.backward(dy), ref.backward(dy)), 1e-4, "d \(d) jump \(jump) threads \(threads): backward")
                }
            }
        }
    }

    /// Very large logits (a row's softmax is one-hot): the online max keeps every value finite.
    func testLargeLogitsStayFinite() {
        let qkv = randomTensor([1, 90, 3 * 16], seed: 91, std: 30)
        let c = core(heads: 1, fused: true)
        let y = c.forward(qkv, training: true)
        let g = c.backward(randomTensor(y.shape, seed: 92))
        XCTAssertTrue((0..<y.count).allSatisfy { y[$0].isFinite } && (0..<g.count).allSatisfy { g[$0].isFinite })
        // Logits here reach |q·k|/√d ≈ 30²·16/4 = 3600, so one float rounding of a logit (2⁻²⁴·3600 ≈
        // 2e-4) already moves a weight by ≈ 2e-4 relative; the two kernels sum Q·Kᵀ in different
        // orders (block sgemms vs one sgemm, and by BLAS core: 1.8e-5 measured under Haswell).
        XCTAssertLessThan(relativeError(y, core(heads: 1, fused: false).forward(qkv, training: false)), 2e-4)
    }
}

import XCTest
import RetortCore

/// Input and weight gradients of an NHWC convolution in Double (PyTorch weight layout
/// [out, in/groups, k, k], output channels 0..<cout, first cin/groups inputs per group).
func referenceConvBackward(_ x: Tensor, _ w: Tensor, _ dy: Tensor, cout: Int, stride: Int, pad: Int,
                           groups: Int = 1) -> (dx: [Double], dw: [Double]) {
    let n = x.dim(0), h = x.dim(1), wd = x.dim(2), cin = x.dim(3), k = w.dim(2), ldIn = w.dim(1)
    let oh = dy.dim(1), ow = dy.dim(2)
    let cinG = cin / groups, coutG = cout / groups
    var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
    for i in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for o in 0..<cout {
        let grp = o / coutG
        let g = Double(dy[((i * oh + oy) * ow + ox) * cout + o])
        for c in 0..<cinG { for ky in 0..<k { for kx in 0..<k {
            let iy = oy * stride - pad + ky, ix = ox * stride - pad + kx
            if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
            let xi = ((i * h + iy) * wd + ix) * cin + grp * cinG + c
            let wi = ((o * ldIn + c) * k + ky) * k + kx
            dx[xi] += g * Double(w[wi])
            dw[wi] += g * Double(x[xi])
        } } }
    } } } }
    return (dx, dw)
}

/// Covers the specialised kernels: 3×3 depthwise and direct small-input convolutions in
/// all lane widths (16, 8, 1), the fused BatchNorm + ReLU6 of `Sequential`, the threaded
/// GEMM splits and nested parallel loops. Both thread counts are exercised.
final class KernelPathTests: XCTestCase {
    override func tearDown() { Threads.set(1) }

    private func maxDiff(_ a: Tensor, _ b: [Double]) -> Double {
        var m = 0.0
        for i in 0..<a.count { m = max(m, abs(Double(a[i]) - b[i])) }
        return m
    }
    private func maxAbsD(_ a: [Double]) -> Double { a.map(abs).max() ?? 0 }

    /// Forward, input and weight gradients against the Double references, then a
    /// finite-difference check; at 1 and 2 threads.
    private func checkConv(cin: Int, cout: Int, k: Int, stride: Int, pad: Int, depthwise: Bool, bias: Bool,
                           hw: Int, n: Int = 3, file: StaticString = #filePath, line: UInt = #line) {
        for threads in [1, 2] {
            Threads.set(threads)
            var rng = RNG(seed: 21)
            let conv = Conv2d(cin, depthwise ? cin : cout, kernel: k, stride: stride, padding: pad,
                              groups: depthwise ? cin : 1, bias: bias, rng: &rng)
            let co = depthwise ? cin : cout
            let x = randomTensor([n, hw, hw, cin], seed: 22)
            let y = conv.forward(x, training: true)
            let ref = referenceConv(x, conv.weight.value, conv.bias?.value, cout: co, stride: stride, pad: pad,
                                    groups: depthwise ? cin : 1)
            XCTAssertEqual(y.shape, ref.shape, file: file, line: line)
            XCTAssertLessThan(maxAbsDiff(y, ref), 1e-4 * max(1, maxAbs(ref)), "forward, \(threads) threads", file: file, line: line)
            let dy = randomTensor(y.shape, seed: 23)
            conv.zeroGrad()
            let dx = conv.backward(dy)
            let (rdx, rdw) = referenceConvBackward(x, conv.weight.value, dy, cout: co, stride: stride, pad: pad,
                                                   groups: depthwise ? cin : 1)
            XCTAssertLessThan(maxDiff(dx, rdx), 1e-4 * max(1, maxAbsD(rdx)), "dx, \(threads) threads", file: file, line: line)
            XCTAssertLessThan(maxDiff(conv.weight.grad, rdw), 1e-4 * max(1, maxAbsD(rdw)), "dW, \(threads) threads", file: file, line: line)
            if let b = conv.bias {
                var rdb = [Double](repeating: 0, count: co)
                for r in 0..<dy.rows { for o in 0..<co { rdb[o] += Double(dy[r * co + o]) } }
                XCTAssertLessThan(maxDiff(b.grad, rdb), 1e-4 * max(1, maxAbsD(rdb)), "db, \(threads) threads", file: file, line: line)
            }
            GradCheck.assert(conv, input: x, file: file, line: line)
        }
    }

    // 3×3 depthwise: 27 channels = one 16-lane block, one 8-lane block and 3 single lanes.
    func testDepthwise3x3AllLaneWidthsStride1() { checkConv(cin: 27, cout: 27, k: 3, stride: 1, pad: 1, depthwise: true, bias: true, hw: 6) }
    func testDepthwise3x3AllLaneWidthsStride2() { checkConv(cin: 27, cout: 27, k: 3, stride: 2, pad: 1, depthwise: true, bias: false, hw: 7) }
    func testDepthwise3x3NoPadding() { checkConv(cin: 16, cout: 16, k: 3, stride: 1, pad: 0, depthwise: true, bias: true, hw: 5) }
    func testDepthwise3x3Pad2Stride3() { checkConv(cin: 24, cout: 24, k: 3, stride: 3, pad: 2, depthwise: true, bias: true, hw: 7) }
    func testDepthwise3x3TinyImage() { checkConv(cin: 17, cout: 17, k: 3, stride: 2, pad: 1, depthwise: true, bias: true, hw: 1) }

    // Direct loops (cin·k² ≤ 32): 25 output channels = 16 + 8 + 1 lanes.
    func testDirectStemStride2() { checkConv(cin: 1, cout: 25, k: 3, stride: 2, pad: 1, depthwise: false, bias: false, hw: 8) }
    func testDirectThreeChannelsWithBias() { checkConv(cin: 3, cout: 16, k: 3, stride: 1, pad: 1, depthwise: false, bias: true, hw: 5) }
    func testDirect5x5() { checkConv(cin: 1, cout: 9, k: 5, stride: 2, pad: 2, depthwise: false, bias: true, hw: 7) }
    func testDirectTinyImage() { checkConv(cin: 2, cout: 8, k: 3, stride: 1, pad: 1, depthwise: false, bias: true, hw: 1) }
    func testDirect1x1Stride2() { checkConv(cin: 5, cout: 20, k: 1, stride: 2, pad: 0, depthwise: false, bias: true, hw: 5) }

    /// A slice of a wide direct-path conv behaves like a narrow conv holding the slice, and
    /// the gradient outside the slice stays exactly zero.
    func testDirectSliced() {
        Threads.set(2)
        var rng = RNG(seed: 31)
        let wide = Conv2d(4, 24, kernel: 3, stride: 2, padding: 1, rng: &rng)
        wide.activeOut = 18
        let narrow = Conv2d(3, 18, kernel: 3, stride: 2, padding: 1, rng: &rng)
        for o in 0..<18 { for c in 0..<3 { for t in 0..<9 { narrow.weight.value[(o * 3 + c) * 9 + t] = wide.weight.value[(o * 4 + c) * 9 + t] } } }
        for o in 0..<18 { narrow.bias!.value[o] = wide.bias!.value[o] }
        let x = randomTensor([2, 6, 6, 3], seed: 32)
        XCTAssertLessThanOrEqual(maxAbsDiff(wide.forward(x, training: true), narrow.forward(x, training: true)), 1e-6)
        let dy = randomTensor([2, 3, 3, 18], seed: 33)
        wide.zeroGrad(); narrow.zeroGrad()
        XCTAssertLessThanOrEqual(maxAbsDiff(wide.backward(dy), narrow.backward(dy)), 1e-6)
        for o in 0..<24 { for c in 0..<4 { for t in 0..<9 {
            let v = wide.weight.grad[(o * 4 + c) * 9 + t]
            if o < 18 && c < 3 { XCTAssertEqual(v, narrow.weight.grad[(o * 3 + c) * 9 + t], accuracy: 1e-6) } else { XCTAssertEqual(v, 0) }
        } } }
        for o in 18..<24 { XCTAssertEqual(wide.bias!.grad[o], 0) }
    }

    /// BatchNorm → ReLU6 inside a Sequential runs fused; outputs, input gradients and
    /// parameter gradients must equal the layers run one at a time, bit for bit.
    func testSequentialFusedBatchNormReLU6MatchesSeparateLayers() {
        for threads in [1, 2] {
            Threads.set(threads)
            for training in [true, false] {
                func make() -> (BatchNorm, ReLU6) {
                    let bn = BatchNorm(20)
                    var rng = RNG(seed: 41)
                    bn.weight.value.fillUniform(0.5, 1.5, rng: &rng)
                    bn.bias.value.fillUniform(-0.5, 0.5, rng: &rng)
                    for j in 0..<20 { bn.runningMean[j] = 0.1 * Float(j); bn.runningVar[j] = 0.5 + Float(j) }
                    return (bn, ReLU6())
                }
                let (bn1, r1) = make(), (bn2, r2) = make()
                let seq = Sequential([bn1, r1])
                let x = randomTensor([3, 5, 5, 20], seed: 42, std: 4)  // many values outside (0, 6)
                let ySeq = seq.forward(x, training: training)
                let ySep = r2.forward(bn2.forward(x, training: training), training: training)
                XCTAssertEqual(ySeq.array, ySep.array, "forward, training \(training), \(threads) threads")
                let dy = randomTensor(x.shape, seed: 43)
                let dxSeq = seq.backward(dy), dxSep = bn2.backward(r2.backward(dy))
                XCTAssertEqual(dxSeq.array, dxSep.array, "dx, training \(training), \(threads) threads")
                XCTAssertEqual(bn1.weight.grad.array, bn2.weight.grad.array)
                XCTAssertEqual(bn1.bias.grad.array, bn2.bias.grad.array)
                XCTAssertEqual(bn1.runningMean.array, bn2.runningMean.array)
                XCTAssertEqual(bn1.runningVar.array, bn2.runningVar.array)
                // ReLU6 run on its own after a fused pass: the Sequential falls back to the separate layers.
                let y2 = r1.forward(randomTensor(x.shape, seed: 44), training: training)
                XCTAssertEqual(y2.shape, x.shape)
                let dxAfter = seq.backward(dy)
                XCTAssertEqual(dxAfter.array, bn1.backward(r1.backward(dy)).array)
            }
        }
        // Finite differences through the fused pair (β = 3 keeps most outputs away from the kinks at 0 and 6).
        let bn = BatchNorm(4)
        bn.bias.value.fill(3)
        bn.bias.value[0] = 5.5  // channel 0 is partly clamped at 6
        GradCheck.assert(Sequential([bn, ReLU6()]), input: randomTensor([3, 2, 2, 4], seed: 45, std: 3))
    }

    /// 1×1 Conv2d → BatchNorm [→ ReLU6] in a Sequential runs its backward fused (the
    /// BatchNorm's input gradient consumed block by block by the conv's GEMMs). It must match
    /// the layers run one at a time (dW up to summation order), also for a sliced conv.
    func testSequentialFusedConvBatchNormBackwardMatchesSeparateLayers() {
        for threads in [1, 2] {
            Threads.set(threads)
            for withReLU in [true, false] {
                func make() -> [Layer] {
                    var rng = RNG(seed: 81)
                    let conv = Conv2d(20, 40, kernel: 1, bias: false, rng: &rng)
                    conv.activeOut = 36
                    let bn = BatchNorm(40)
                    bn.weight.value.fillUniform(0.5, 1.5, rng: &rng)
                    bn.bias.value.fillUniform(2, 4, rng: &rng)
                    return withReLU ? [conv, bn, ReLU6()] : [conv, bn]
                }
                let fused = make(), separate = make()
                let seq = Sequential(fused)
                let x = randomTensor([4, 9, 9, 17], seed: 82, std: 2)  // 17 of 20 input channels
                let y = seq.forward(x, training: true)
                var h = x
                for l in separate { h = l.forward(h, training: true) }
                XCTAssertEqual(y.array, h.array)
                let dy = randomTensor(y.shape, seed: 83)
                let dx = seq.backward(dy)
                var g = dy
                for l in separate.reversed() { g = l.backward(g) }
                XCTAssertLessThan(maxAbsDiff(dx, g), 1e-5 * max(1, maxAbs(g)), "dx, relu \(withReLU), \(threads) threads")
                for (p, q) in zip(seq.parameters, separate.flatMap { $0.parameters }) {
                    XCTAssertLessThan(maxAbsDiff(p.grad, q.grad), 1e-4 * max(1, maxAbs(q.grad)), "\(p.name), \(threads) threads")
                }
                // outside the active slice the weight gradient stays exactly zero
                let conv = fused[0] as! Conv2d
                for o in 0..<40 { for i in 0..<20 where o >= 36 || i >= 17 { XCTAssertEqual(conv.weight.grad[o * 20 + i], 0) } }
            }
        }
        // Finite differences: γ = 0.5, β = 3 keep the outputs (3 ± ~1.5) away from the kinks at 0 and 6.
        var rng = RNG(seed: 84)
        let bn = BatchNorm(6)
        bn.weight.value.fill(0.5)
        bn.bias.value.fill(3)
        GradCheck.assert(Sequential([Conv2d(5, 6, kernel: 1, bias: false, rng: &rng), bn, ReLU6()]),
                         input: randomTensor([2, 3, 3, 5], seed: 85))
    }

    /// Training statistics stay accurate for channels whose mean is large against their spread.
    func testBatchNormStatisticsWithLargeMean() {
        let bn = BatchNorm(3, momentum: 1)
        let x = randomTensor([64, 4, 4, 3], seed: 51, std: 0.01)
        for i in 0..<x.count { x[i] += 1000 * Float(i % 3 + 1) }
        _ = bn.forward(x, training: true)
        for j in 0..<3 {
            var s = 0.0
            for r in 0..<x.rows { s += Double(x[r * 3 + j]) }
            let m = s / Double(x.rows)
            var v = 0.0
            for r in 0..<x.rows { let d = Double(x[r * 3 + j]) - m; v += d * d }
            v /= Double(x.rows - 1)
            XCTAssertEqual(Double(bn.runningMean[j]), m, accuracy: 1e-3)
            XCTAssertEqual(Double(bn.runningVar[j]), v, accuracy: 1e-2 * v)
        }
    }

    /// Products split over rows, columns or K across threads equal the single-thread product.
    func testThreadedGemmSplits() {
        // (transA, transB, m, n, k): rows split, columns split, K split (weight-gradient shape).
        // Tall-skinny shapes (1×1 convolutions) are also cut into pieces; A·Bᵀ with a small B
        // runs on a transposed copy of B (α = 1, β = 0).
        let cases: [(Bool, Bool, Int, Int, Int)] = [
            (false, true, 600, 40, 50), (false, false, 40, 700, 60), (true, false, 24, 40, 3000),
            (true, true, 33, 17, 2500), (false, false, 130, 130, 130),
            (false, true, 3001, 32, 16), (false, false, 3001, 16, 32), (true, false, 16, 32, 4001),
        ]
        for (ta, tb, m, n, k) in cases {
            for (alpha, beta): (Float, Float) in [(1, 0), (0.5, 0), (1, 1), (0.5, 1)] {
                let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5
                let a = randomTensor([(ta ? k : m) * lda], seed: 61), b = randomTensor([(tb ? n : k) * ldb], seed: 62)
                let c0 = randomTensor([m * ldc], seed: 63)
                func run(_ threads: Int) -> Tensor {
                    Threads.set(threads)
                    let c = c0.copy()
                    BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: lda,
                              b: b.data, ldb: ldb, beta: beta, c: c.data, ldc: ldc)
                    return c
                }
                let one = run(1), two = run(2), twoAgain = run(2)
                XCTAssertEqual(two.array, twoAgain.array, "deterministic for a given thread count")
                var worst: Float = 0
                for i in 0..<m { for j in 0..<ldc {
                    let e = abs(one[i * ldc + j] - two[i * ldc + j])
                    if j >= n { XCTAssertEqual(two[i * ldc + j], c0[i * ldc + j], "outside C's columns") }
                    worst = max(worst, e)
                } }
                XCTAssertLessThan(worst, 1e-3, "\(ta) \(tb) \(m)×\(n)×\(k) alpha \(alpha) beta \(beta)")
                // against a Double reference
                var worstRef = 0.0
                for i in 0..<m { for j in 0..<n {
                    var acc = Double(beta) * Double(c0[i * ldc + j])
                    for q in 0..<k {
                        let av = ta ? a[q * lda + i] : a[i * lda + q], bv = tb ? b[j * ldb + q] : b[q * ldb + j]
                        acc += Double(alpha) * Double(av) * Double(bv)
                    }
                    worstRef = max(worstRef, abs(acc - Double(two[i * ldc + j])), abs(acc - Double(one[i * ldc + j])))
                } }
                XCTAssertLessThan(worstRef, 1e-3, "\(ta) \(tb) \(m)×\(n)×\(k) alpha \(alpha) beta \(beta) vs Double")
            }
        }
    }

    /// The pieces `BLAS.gemm` hands to Retort's micro-kernel (width a multiple of 16, inner
    /// dimension ≤ 1024, α = 1, β ∈ {0, 1}): NN, A·Bᵀ (B copied transposed), Aᵀ·B, row counts
    /// that leave 1–3 rows after the 4-row blocks, widths with a 16-column tail after the
    /// 64-column blocks, strided operands; against a Double reference, with the micro-kernel on
    /// and off (all on OpenBLAS), on one and two threads.
    func testMicroKernelPiecesMatchAReference() {
        let cases: [(Bool, Bool, Int, Int, Int)] = [
            (false, false, 1601, 80, 64), (false, true, 1602, 256, 64), (true, false, 256, 64, 1603),
            (false, false, 7, 16, 1024), (false, true, 33, 192, 64), (true, false, 64, 96, 1600), (false, false, 3, 48, 40),
            // the attention kernels' per-head products at n = 50, d = 16 (`smallGemm`), and one that does not suit (width 50)
            (true, false, 16, 16, 50), (false, true, 50, 16, 16), (false, false, 50, 16, 16), (false, true, 50, 50, 16),
        ]
        let wasOn = BLAS.microKernel
        defer { BLAS.microKernel = wasOn }
        for (ta, tb, m, n, k) in cases {
            for beta: Float in [0, 1] {
                let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5
                let a = randomTensor([(ta ? k : m) * lda], seed: 71), b = randomTensor([(tb ? n : k) * ldb], seed: 72)
                let c0 = randomTensor([m * ldc], seed: 73)
                for micro in [true, false] {
                    for threads in [1, 2] { for small in [false, true] {
                        BLAS.microKernel = micro
                        Threads.set(threads)
                        let c = c0.copy()
                        if small {
                            BLAS.smallGemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.data, lda: lda, b: b.data, ldb: ldb,
                                           beta: beta, c: c.data, ldc: ldc)
                        } else {
                            BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.data, lda: lda, b: b.data, ldb: ldb,
                                      beta: beta, c: c.data, ldc: ldc)
                        }
                        var worst = 0.0
                        for i in 0..<m { for j in 0..<ldc {
                            guard j < n else { XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j], "outside C's columns"); continue }
                            var acc = Double(beta) * Double(c0[i * ldc + j]), magnitude = abs(acc)
                            for q in 0..<k {
                                let t = Double(ta ? a[q * lda + i] : a[i * lda + q]) * Double(tb ? b[j * ldb + q] : b[q * ldb + j])
                                acc += t; magnitude += abs(t)
                            }
                            // error relative to Σ|terms| (float summation: ≈ √k·2⁻²⁴ typical)
                            worst = max(worst, abs(acc - Double(c[i * ldc + j])) / magnitude)
                        } }
                        XCTAssertLessThan(worst, 1e-5, "\(ta) \(tb) \(m)×\(n)×\(k) beta \(beta) micro \(micro) threads \(threads) small \(small)")
                    } }
                }
            }
        }
    }

    /// `smallGemm` runs a suitable single-thread product on the micro-kernel with the runtime's
    /// switch off: its bits are those of `gemm` with the switch on, not of OpenBLAS.
    func testSmallGemmTakesTheMicroKernelWhateverTheSwitch() {
        let (m, n, k) = (50, 16, 50)
        let a = randomTensor([m * k], seed: 74), b = randomTensor([k * n], seed: 75)
        let wasOn = BLAS.microKernel
        defer { BLAS.microKernel = wasOn }
        func run(_ small: Bool, micro: Bool) -> [Float] {
            BLAS.microKernel = micro
            let c = Tensor(shape: [m * n])
            if small { BLAS.smallGemm(m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, c: c.data, ldc: n) }
            else { BLAS.gemm(m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, c: c.data, ldc: n) }
            return c.array
        }
        XCTAssertEqual(run(true, micro: false), run(false, micro: true))
        XCTAssertNotEqual(run(false, micro: false), run(false, micro: true), "OpenBLAS and the micro-kernel sum in different orders")
    }

    /// A parallel loop (or GEMM) started inside a chunk runs inline on that thread.
    func testNestedParallelLoopsRunInline() {
        Threads.set(2)
        let n = 1000
        let out = Tensor(shape: [2 * n])
        let seen = Tensor(shape: [2, 3])  // per outer index: inner calls, inner chunk index, inner range length
        let a = randomTensor([64 * 64], seed: 71), b = randomTensor([64 * 64], seed: 72)
        let c = Tensor(shape: [2, 64 * 64])
        parallelChunks(2) { _, range in
            for i in range {
                parallelChunks(n) { innerChunk, r in
                    for j in r { out[i * n + j] = Float(j) }
                    seen[i * 3] += 1; seen[i * 3 + 1] = Float(innerChunk); seen[i * 3 + 2] = Float(r.count)
                }
                BLAS.gemm(m: 64, n: 64, k: 64, a: a.data, lda: 64, b: b.data, ldb: 64, c: c.data + i * 64 * 64, ldc: 64)
            }
        }
        XCTAssertEqual(seen.array, [1, 0, Float(n), 1, 0, Float(n)])
        for i in 0..<2 { for j in 0..<n { XCTAssertEqual(out[i * n + j], Float(j)) } }
        XCTAssertEqual(Array(c.array[0..<4096]), Array(c.array[4096...]))
    }
}

import XCTest
import RetortCore

/// Direct NHWC convolution in Double with PyTorch weight layout [out, in/groups, k, k],
/// using output channels 0..<cout and the first cin/groups input channels per group.
func referenceConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, cout: Int, stride: Int, pad: Int, groups: Int = 1) -> Tensor {
    let n = x.dim(0), h = x.dim(1), wd = x.dim(2), cin = x.dim(3), k = w.dim(2), ldIn = w.dim(1)
    let oh = (h + 2 * pad - k) / stride + 1, ow = (wd + 2 * pad - k) / stride + 1
    let cinG = cin / groups, coutG = cout / groups
    let y = Tensor(shape: [n, oh, ow, cout])
    for i in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for o in 0..<cout {
        let grp = o / coutG
        var s = Double(b?[o] ?? 0)
        for c in 0..<cinG { for ky in 0..<k { for kx in 0..<k {
            let iy = oy * stride - pad + ky, ix = ox * stride - pad + kx
            if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
            let xv = x[((i * h + iy) * wd + ix) * cin + grp * cinG + c]
            s += Double(xv) * Double(w[((o * ldIn + c) * k + ky) * k + kx])
        } } }
        y[((i * oh + oy) * ow + ox) * cout + o] = Float(s)
    } } } }
    return y
}

final class ConvGradientTests: XCTestCase {
    override func setUp() { Threads.set(2) }   // exercise the chunked paths
    override func tearDown() { Threads.set(1) }

    private func assertMatchesReference(_ conv: Conv2d, _ x: Tensor, file: StaticString = #filePath, line: UInt = #line) {
        let y = conv.forward(x, training: false)
        let cout = conv.isDepthwise ? x.dim(3) : conv.activeOut
        let ref = referenceConv(x, conv.weight.value, conv.bias?.value, cout: cout, stride: conv.stride,
                                pad: conv.padding, groups: conv.isDepthwise ? x.dim(3) : conv.groups)
        XCTAssertEqual(y.shape, ref.shape, file: file, line: line)
        XCTAssertLessThan(maxAbsDiff(y, ref), 1e-4 * max(1, maxAbs(ref)), file: file, line: line)
    }

    private func check(_ cin: Int, _ cout: Int, k: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1,
                       bias: Bool = true, hw: Int = 5, n: Int = 2, file: StaticString = #filePath, line: UInt = #line) {
        var rng = RNG(seed: 42)
        let conv = Conv2d(cin, cout, kernel: k, stride: stride, padding: padding, groups: groups, bias: bias, rng: &rng)
        let x = randomTensor([n, hw, hw, cin], seed: 7)
        assertMatchesReference(conv, x, file: file, line: line)
        GradCheck.assert(conv, input: x, file: file, line: line)
    }

    func testInitUsesPyTorchLayoutAndBounds() {
        var rng = RNG(seed: 1)
        let conv = Conv2d(6, 8, kernel: 3, groups: 2, rng: &rng)
        XCTAssertEqual(conv.weight.shape, [8, 3, 3, 3])
        XCTAssertEqual(conv.bias?.shape, [8])
        let bound = 1 / Float(27).squareRoot()
        XCTAssertLessThanOrEqual(maxAbs(conv.weight.value), bound)
        XCTAssertGreaterThan(maxAbs(conv.weight.value), 0.8 * bound)
        XCTAssertLessThanOrEqual(maxAbs(conv.bias!.value), bound)
        XCTAssertTrue(conv.weight.decays)
        XCTAssertFalse(conv.bias!.decays)
        XCTAssertEqual(conv.parameters.count, 2)
        XCTAssertEqual(Conv2d(3, 4, kernel: 1, bias: false, rng: &rng).parameters.count, 1)
    }

    func testConv3x3Stride1Pad1() { check(3, 4, k: 3, stride: 1, padding: 1) }
    func testConv3x3Stride2Pad1() { check(3, 4, k: 3, stride: 2, padding: 1, hw: 6) }
    func testConv3x3NoBiasNoPadding() { check(3, 5, k: 3, bias: false) }
    func testConv1x1Pointwise() { check(4, 6, k: 1) }
    func testConv1x1PointwiseNoBias() { check(4, 6, k: 1, bias: false) }
    func testConv1x1Stride2() { check(4, 3, k: 1, stride: 2, hw: 5) }
    func testConv5x5Stride2Pad2() { check(2, 3, k: 5, stride: 2, padding: 2, hw: 7) }
    // 11 channels: one SIMD block of 8 plus a scalar tail of 3.
    func testDepthwise3x3() { check(11, 11, k: 3, padding: 1, groups: 11) }
    func testDepthwise3x3Stride2NoBias() { check(8, 8, k: 3, stride: 2, padding: 1, groups: 8, bias: false, hw: 6) }
    func testDepthwise5x5Stride2Pad2() { check(4, 4, k: 5, stride: 2, padding: 2, groups: 4, hw: 7) }
    func testGroups2() { check(4, 6, k: 3, padding: 1, groups: 2) }
    func testGroups2Pointwise() { check(4, 6, k: 1, groups: 2) }

    /// A slice of a wide conv must behave exactly like a narrow conv holding the slice,
    /// and leave the gradient outside the slice at exactly zero.
    private func checkSliced(k: Int, stride: Int, padding: Int, depthwise: Bool) {
        let maxIn = depthwise ? 16 : 6, maxOut = depthwise ? 16 : 8, cin = depthwise ? 11 : 4, cout = depthwise ? 11 : 5
        var rng = RNG(seed: 3)
        let wide = Conv2d(maxIn, maxOut, kernel: k, stride: stride, padding: padding,
                          groups: depthwise ? maxIn : 1, rng: &rng)
        wide.activeOut = cout
        let narrow = Conv2d(cin, cout, kernel: k, stride: stride, padding: padding,
                            groups: depthwise ? cin : 1, rng: &rng)
        let inG = depthwise ? 1 : cin, ldIn = wide.weight.shape[1], kk = k * k
        for o in 0..<cout { for c in 0..<inG { for t in 0..<kk {
            narrow.weight.value[(o * inG + c) * kk + t] = wide.weight.value[(o * ldIn + c) * kk + t]
        } } }
        for o in 0..<cout { narrow.bias!.value[o] = wide.bias!.value[o] }

        let x = randomTensor([2, 5, 5, cin], seed: 11)
        let yWide = wide.forward(x, training: true), yNarrow = narrow.forward(x, training: true)
        XCTAssertEqual(yWide.shape, yNarrow.shape)
        XCTAssertLessThanOrEqual(maxAbsDiff(yWide, yNarrow), 1e-5)

        let dy = randomTensor(yWide.shape, seed: 12)
        wide.zeroGrad(); narrow.zeroGrad()
        let dxWide = wide.backward(dy), dxNarrow = narrow.backward(dy)
        XCTAssertLessThanOrEqual(maxAbsDiff(dxWide, dxNarrow), 1e-5)
        let gw = wide.weight.grad, gn = narrow.weight.grad
        var inside: Float = 0, outside: [String] = []
        for o in 0..<maxOut { for c in 0..<ldIn { for t in 0..<kk {
            let v = gw[(o * ldIn + c) * kk + t]
            if o < cout && c < inG { inside = max(inside, abs(v - gn[(o * inG + c) * kk + t])) }
            else if v != 0 { outside.append("[\(o), \(c), \(t)]") }
        } } }
        for o in 0..<maxOut {
            if o < cout { inside = max(inside, abs(wide.bias!.grad[o] - narrow.bias!.grad[o])) }
            else if wide.bias!.grad[o] != 0 { outside.append("bias[\(o)]") }
        }
        XCTAssertLessThanOrEqual(inside, 1e-4, "slice gradients differ from the narrow conv's")
        XCTAssertEqual(outside, [], "gradients outside the slice must stay exactly zero")
        GradCheck.assert(wide, input: x)
        // The parameter values outside the slice were perturbed by the checker and restored;
        // their gradient must still be exactly zero after its passes.
        for o in cout..<maxOut { XCTAssertEqual(wide.bias!.grad[o], 0) }
    }

    func testSlicedConv3x3Stride2Pad1() { checkSliced(k: 3, stride: 2, padding: 1, depthwise: false) }
    func testSlicedConv1x1() { checkSliced(k: 1, stride: 1, padding: 0, depthwise: false) }
    func testSlicedDepthwise() { checkSliced(k: 3, stride: 1, padding: 1, depthwise: true) }

    /// A batch larger than the im2col budget is processed in blocks.
    func testLargeBatchRunsInBlocks() {
        var rng = RNG(seed: 5)
        let conv = Conv2d(16, 8, kernel: 3, padding: 1, rng: &rng)
        let x = randomTensor([16, 32, 32, 16], seed: 6)  // 147k im2col floats per image ⇒ several blocks
        assertMatchesReference(conv, x)
        // dW from the blocked backward equals the single-image sum.
        let dy = randomTensor([16, 32, 32, 8], seed: 8)
        conv.zeroGrad(); _ = conv.forward(x, training: true); let dx = conv.backward(dy)
        let whole = conv.weight.grad.copy()
        conv.zeroGrad()
        for i in 0..<16 {
            let xi = Tensor(view: x.storage, offset: i * 32 * 32 * 16, shape: [1, 32, 32, 16])
            let dyi = Tensor(view: dy.storage, offset: i * 32 * 32 * 8, shape: [1, 32, 32, 8])
            _ = conv.forward(xi, training: true)
            let dxi = conv.backward(dyi)
            let ref = Tensor(view: dx.storage, offset: i * 32 * 32 * 16, shape: [1, 32, 32, 16])
            XCTAssertLessThanOrEqual(maxAbsDiff(dxi, ref), 1e-4)
        }
        XCTAssertLessThanOrEqual(maxAbsDiff(whole, conv.weight.grad), 1e-3 * max(1, maxAbs(whole)))
    }

    /// Same thread count ⇒ bit-identical results, run after run.
    func testDeterministicForAThreadCount() {
        for groups in [1, 6] {
            var rng = RNG(seed: 9)
            let conv = Conv2d(6, 6, kernel: 3, stride: 1, padding: 1, groups: groups, rng: &rng)
            let x = randomTensor([7, 9, 9, 6], seed: 10)
            let dy = randomTensor([7, 9, 9, 6], seed: 11)
            var outs: [[Float]] = []
            for _ in 0..<3 {
                conv.zeroGrad()
                let y = conv.forward(x, training: true)
                let dx = conv.backward(dy)
                outs.append(y.array + dx.array + conv.weight.grad.array + conv.bias!.grad.array)
            }
            XCTAssertEqual(outs[0], outs[1])
            XCTAssertEqual(outs[0], outs[2])
        }
    }
}

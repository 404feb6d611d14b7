/// 2-D convolution over NHWC images with weights allocated at maximum width.
///
/// Weight is [maxOut, maxIn/groups, k, k] (PyTorch layout), bias [maxOut]. The active
/// input width is the input's last dimension and the active output width `activeOut`;
/// the layer runs the first-k slice `W[:out, :in]` in place:
/// - groups == 1: im2col rows (n, oy, ox) × columns (c, ky, kx), so the slice is a BLAS
///   operand with leading dimension maxIn·k². 1×1 stride-1 unpadded convs skip im2col.
/// - depthwise (groups == in == out): hand-written loops; the active channel count
///   follows the input and `activeOut` is ignored.
/// - other group counts: per-group GEMMs, only at full width.
public final class Conv2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let maxIn: Int
    public let maxOut: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let groups: Int
    /// Active output channels (dense and grouped convs). Defaults to `maxOut`.
    public var activeOut: Int

    /// Floats of im2col scratch per GEMM block (8 MB); the batch is processed in blocks.
    /// The scratch is allocated per call, so idle layers hold no buffers.
    static let scratchBudget = 1 << 21

    // forward cache
    var input: Tensor?
    var geometry: ConvGeometry?
    var forwardOut = 0
    /// The output of the last forward pass of a pointwise conv (see `backwardThroughBatchNorm`);
    /// weak, so the conv does not keep its output alive.
    weak var pointwiseOutput: Tensor?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                groups: Int = 1, bias: Bool = true, name: String = "conv", rng: inout RNG) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "Conv2d: invalid configuration")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: channels \(inChannels)→\(outChannels) not divisible by groups \(groups)")
        maxIn = inChannels; maxOut = outChannels; activeOut = outChannels
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.groups = groups
        let fanIn = inChannels / groups * kernel * kernel
        // PyTorch's default: kaiming_uniform(a=√5) ⇒ U(±1/√fan_in) for weight and bias.
        let bound = 1 / Float(fanIn).squareRoot()
        let w = Tensor(shape: [outChannels, inChannels / groups, kernel, kernel])
        w.fillUniform(-bound, bound, rng: &rng)
        weight = Parameter("\(name).weight", w, decays: true)
        if bias {
            let b = Tensor(shape: [outChannels])
            b.fillUniform(-bound, bound, rng: &rng)
            self.bias = Parameter("\(name).bias", b, decays: false)
        } else { self.bias = nil }
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public var isDepthwise: Bool { groups > 1 && groups == maxIn && groups == maxOut }
    var isPointwise: Bool { groups == 1 && kernel == 1 && stride == 1 && padding == 0 }

    /// Output spatial size for an input of height h and width w.
    public func outputSize(height h: Int, width w: Int) -> (height: Int, width: Int) {
        ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 4, "Conv2d expects NHWC input, got \(x.shape)")
        let cin = x.dim(3)
        precondition(cin <= maxIn, "Conv2d: input channels \(cin) exceed \(maxIn)")
        let g = ConvGeometry(n: x.dim(0), h: x.dim(1), w: x.dim(2), c: cin, k: kernel, stride: stride, pad: padding)
        input = x; geometry = g; pointwiseOutput = nil
        if isDepthwise {
            forwardOut = cin
            return depthwiseForward(x, g)
        }
        let cout = activeOut
        precondition(cout > 0 && cout <= maxOut, "Conv2d: activeOut \(cout) outside 1...\(maxOut)")
        if groups > 1 {
            precondition(cin == maxIn && cout == maxOut,
                         "Conv2d: grouped convolution (groups \(groups)) cannot run sliced (\(cin)→\(cout) of \(maxIn)→\(maxOut))")
        }
        forwardOut = cout
        if usesDirectLoops(cin: cin) { return directForward(x, g, cout: cout) }
        let y = Tensor(uninitializedShape: [g.n, g.oh, g.ow, cout])
        let rows = g.n * g.outPixels
        if let b = bias {
            for r in 0..<rows { (y.data + r * cout).update(from: b.value.data, count: cout) }
        }
        let beta: Float = bias == nil ? 0 : 1
        if isPointwise {
            BLAS.gemm(transB: true, m: rows, n: cout, k: cin, a: x.data, lda: cin,
                      b: weight.value.data, ldb: maxIn, beta: beta, c: y.data, ldc: cout)
            pointwiseOutput = y
            return y
        }
        let cinG = cin / groups, coutG = cout / groups, kCols = cinG * g.kk
        let wRow = maxIn / groups * g.kk
        forEachBlock(g, columns: kCols) { images, cols in
            let rowsB = images.count * g.outPixels
            for grp in 0..<groups {
                Im2col.im2col(x.data, g, images: images, channelOffset: grp * cinG, channels: cinG, into: cols)
                BLAS.gemm(transB: true, m: rowsB, n: coutG, k: kCols, a: cols, lda: kCols,
                          b: weight.value.data + grp * coutG * wRow, ldb: wRow, beta: beta,
                          c: y.data + images.lowerBound * g.outPixels * cout + grp * coutG, ldc: cout)
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true)! }

    /// dW and db only (a network's first layer: the image's gradient is not needed).
    public func backwardParameters(_ dy: Tensor) { _ = backward(dy, inputGradient: false) }

    /// The gradients; dx (returned) only with `inputGradient`, else nil.
    private func backward(_ dy: Tensor, inputGradient: Bool) -> Tensor? {
        guard let x = input, let g = geometry else { preconditionFailure("Conv2d.backward before forward") }
        let cout = forwardOut
        precondition(dy.shape == [g.n, g.oh, g.ow, cout], "Conv2d.backward: dy \(dy.shape) does not match the forward output")
        if isDepthwise { return depthwiseBackward(dy, x, g) }
        let cin = g.c, rows = g.n * g.outPixels
        if usesDirectLoops(cin: cin) { return directBackward(dy, x, g, cout: cout, inputGradient: inputGradient) }
        if let b = bias { Elementwise.addColumnSums(dy.data, rows: rows, cols: cout, into: b.grad.data) }
        if isPointwise {
            // dW[:out, :in] += dyᵀ · x ;  dx = dy · W[:out, :in]
            BLAS.gemm(transA: true, m: cout, n: cin, k: rows, a: dy.data, lda: cout, b: x.data, ldb: cin,
                      beta: 1, c: weight.grad.data, ldc: maxIn)
            guard inputGradient else { return nil }
            let dx = Tensor(uninitializedShape: x.shape)
            BLAS.gemm(m: rows, n: cin, k: cout, a: dy.data, lda: cout, b: weight.value.data, ldb: maxIn,
                      c: dx.data, ldc: cin)
            return dx
        }
        let dx = inputGradient ? Tensor(shape: x.shape) : nil  // col2im accumulates
        let cinG = cin / groups, coutG = cout / groups, kCols = cinG * g.kk
        let wRow = maxIn / groups * g.kk
        forEachBlock(g, columns: kCols) { images, cols in
            let rowsB = images.count * g.outPixels
            let dyB = dy.data + images.lowerBound * g.outPixels * cout
            for grp in 0..<groups {
                let gy = dyB + grp * coutG
                Im2col.im2col(x.data, g, images: images, channelOffset: grp * cinG, channels: cinG, into: cols)
                // dW[group rows, :cinG·k²] += dyᵀ · cols
                BLAS.gemm(transA: true, m: coutG, n: kCols, k: rowsB, a: gy, lda: cout, b: cols, ldb: kCols,
                          beta: 1, c: weight.grad.data + grp * coutG * wRow, ldc: wRow)
                guard let dx else { continue }
                // dcols = dy · W  (reuses the scratch), then scatter back
                BLAS.gemm(m: rowsB, n: kCols, k: coutG, a: gy, lda: cout,
                          b: weight.value.data + grp * coutG * wRow, ldb: wRow, c: cols, ldc: kCols)
                Im2col.col2im(cols, g, images: images, channelOffset: grp * cinG, channels: cinG, into: dx.data)
            }
        }
        return dx
    }

    /// Calls `body(images, scratch)` over the batch in blocks whose im2col fits the budget.
    private func forEachBlock(_ g: ConvGeometry, columns: Int,
                              _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let perImage = max(1, g.outPixels * columns)
        let block = max(1, min(g.n, Conv2d.scratchBudget / perImage))
        // im2col writes every element before it is read, so the scratch needs no zeroing.
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: block * perImage)
        defer { cols.deallocate() }
        var i0 = 0
        while i0 < g.n {
            let i1 = min(g.n, i0 + block)
            body(i0..<i1, cols)
            i0 = i1
        }
    }
}

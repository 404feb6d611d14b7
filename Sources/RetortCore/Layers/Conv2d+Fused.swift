/// Backward of a bias-free 1×1 convolution followed by a BatchNorm (and its fused ReLU6),
/// as run by `Sequential`: after the BatchNorm's first backward pass (the per-channel
/// sums), its second pass produces dL/d(conv output) one block of rows at a time into a
/// small buffer that stays in cache, and the convolution's two GEMMs consume the block at
/// once: dW += blockᵀ · x[block] and dx[block] = block · W. The BatchNorm's input gradient
/// never goes to memory, which saves writing it and reading it twice (once per GEMM).
/// Chunks of rows run in parallel with their own dW partials, added in chunk order
/// (deterministic for a given thread count). The values equal those of the separate
/// layers up to the summation order of dW.
extension Conv2d {
    /// Whether `backwardThroughBatchNorm` applies: a small pointwise conv (≤ 16k weights, so
    /// that blocks of a few hundred rows keep the GEMMs efficient) without bias whose last
    /// forward output is the BatchNorm's input.
    func canBackwardThroughBatchNorm(_ bn: BatchNorm) -> Bool {
        guard isPointwise, bias == nil, let x = input, forwardOut * x.lastDim <= 1 << 14,
              let out = pointwiseOutput, let bnInput = bn.lastInput else { return false }
        return out === bnInput
    }

    /// dL/dx of this conv from dL/d(BatchNorm output) (or of its fused ReLU6 with `throughReLU6`).
    func backwardThroughBatchNorm(_ bn: BatchNorm, _ dy: Tensor, throughReLU6: Bool) -> Tensor {
        guard let x = input, let g = geometry else { preconditionFailure("Conv2d.backward before forward") }
        let cout = forwardOut, cin = g.c, rows = g.n * g.outPixels
        precondition(dy.shape == [g.n, g.oh, g.ow, cout], "Conv2d.backward: dy \(dy.shape) does not match the forward output")
        let plan = bn.backwardPlan(dy, throughReLU6: throughReLU6)
        let dx = Tensor(uninitializedShape: x.shape)
        // Rows per block: the GEMMs stay within BLAS.directWork and the block within ~128 KB.
        let block = max(8, min(BLAS.directWork / max(1, cout * cin), 32768 / cout) / 8 * 8)
        let chunks = Threads.count, slot = cout * cin
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * slot)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * slot)
        let xp = UnsafePointer(x.data), dyp = UnsafePointer(dy.data), dxp = dx.data, w = UnsafePointer(weight.value.data)
        let ldW = maxIn
        parallelChunks(rows, minChunk: max(block, 65536 / max(1, cout))) { chunk, range in
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: block * cout)
            defer { buf.deallocate() }
            let dW = partial + chunk * slot
            var r0 = range.lowerBound
            while r0 < range.upperBound {
                let len = min(block, range.upperBound - r0)
                bn.applyBackward(plan, dy: dyp, rows: r0..<(r0 + len), into: buf)
                // dW[:cout, :cin] += bufᵀ · x[rows] ;  dx[rows] = buf · W[:cout, :cin]
                BLAS.gemm(transA: true, m: cout, n: cin, k: len, a: buf, lda: cout, b: xp + r0 * cin, ldb: cin,
                          beta: 1, c: dW, ldc: cin)
                BLAS.gemm(m: len, n: cin, k: cout, a: buf, lda: cout, b: w, ldb: ldW, c: dxp + r0 * cin, ldc: cin)
                r0 += len
            }
        }
        for j in 1..<max(1, chunks) {
            let p = partial + j * slot
            for e in 0..<slot { partial[e] += p[e] }
        }
        let gw = weight.grad.data
        for o in 0..<cout { for i in 0..<cin { gw[o * ldW + i] += partial[o * cin + i] } }
        return dx
    }
}

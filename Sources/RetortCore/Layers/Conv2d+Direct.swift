/// Direct loops for dense convolutions with few inputs per output (cin·k² ≤ 32, e.g. an
/// image stem: 1 or 3 channels, 3×3). Through im2col + GEMM such a layer spends most of
/// its time building and scattering the column matrix (one element per channel and tap)
/// and the GEMMs have an inner dimension of only cin·k². Here every loop is organised by
/// output row, tap (ky, kx) and input channel, with an innermost loop over the row's
/// output pixels whose tap lies inside the image (a contiguous range of ox); output
/// channels go in blocks of 16/8/1 lanes against broadcast input values.
/// - forward: y row += x(tap) · W[:, ci, tap];
/// - weight gradient: a register sum over the row's pixels per (tap, input channel),
///   added to per-chunk partials that are combined in chunk order;
/// - input gradient: per output pixel u = Σ_co dy[co]·W[co, ·, ·] for all (tap, input
///   channel) pairs at once, then added to dx at the valid taps.
extension Conv2d {
    /// Whether the direct loops handle an input with `cin` active channels.
    func usesDirectLoops(cin: Int) -> Bool {
        groups == 1 && !isPointwise && cin * kernel * kernel <= 32
    }

    /// wR[(t·cin + ci)·cout + co] = W[co, ci, t] for the active slice: the output channels of
    /// one (tap, input channel) pair are contiguous.
    private func tapMajorWeights(cin: Int, cout: Int) -> UnsafeMutablePointer<Float> {
        let kk = kernel * kernel, ld = maxIn * kk
        let wR = UnsafeMutablePointer<Float>.allocate(capacity: kk * cin * cout)
        let w = weight.value.data
        for co in 0..<cout { for ci in 0..<cin { for t in 0..<kk { wR[(t * cin + ci) * cout + co] = w[co * ld + ci * kk + t] } } }
        return wR
    }

    func directForward(_ x: Tensor, _ g: ConvGeometry, cout: Int) -> Tensor {
        let cin = g.c, k = g.k, s = g.stride
        let y = Tensor(uninitializedShape: [g.n, g.oh, g.ow, cout])
        let wR = tapMajorWeights(cin: cin, cout: cout)
        defer { wR.deallocate() }
        let b = bias.map { UnsafePointer($0.value.data) }
        let xp = UnsafePointer(x.data), yp = y.data, w = UnsafePointer(wR)
        parallelChunks(g.n * g.oh, minChunk: max(1, 4096 / max(1, g.ow * cout))) { _, range in
            for r in range {
                let i = r / g.oh, oy = r % g.oh
                let out = yp + r * g.ow * cout
                if let b {
                    for ox in 0..<g.ow { (out + ox * cout).update(from: b, count: cout) }
                } else {
                    out.update(repeating: 0, count: g.ow * cout)
                }
                let ky0 = max(0, g.pad - oy * s), ky1 = min(k, g.h + g.pad - oy * s)
                for ky in ky0..<ky1 {
                    let xRow = xp + (i * g.h + oy * s - g.pad + ky) * g.w * cin
                    for kx in 0..<k {
                        let (lo, hi) = g.validColumns(kx)
                        if lo >= hi { continue }
                        for ci in 0..<cin {
                            let src = xRow + (lo * s - g.pad + kx) * cin + ci
                            let wt = w + ((ky * k + kx) * cin + ci) * cout
                            @inline(__always) func run<V: FloatLanes>(_: V.Type, _ co: Int) {
                                let wv = V.load(wt + co)
                                for j in 0..<(hi - lo) {
                                    let o = out + (lo + j) * cout + co
                                    V.load(o).addingProduct(V.splat(src[j * s * cin]), wv).store(o)
                                }
                            }
                            forEachChannelBlock(cout, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
                        }
                    }
                }
            }
        }
        return y
    }

    func directBackward(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry, cout: Int, inputGradient: Bool) -> Tensor? {
        let cin = g.c, k = g.k, kk = g.kk, s = g.stride
        let xp = UnsafePointer(x.data), dyp = UnsafePointer(dy.data)

        // Weight gradient: per-chunk partials [kk·cin, cout], chunks over images.
        let slot = kk * cin * cout, chunks = Threads.count
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * slot)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * slot)
        parallelChunks(g.n, minChunk: max(1, 8192 / max(1, g.outPixels * cout))) { chunk, images in
            let acc = partial + chunk * slot
            for i in images {
                for oy in 0..<g.oh {
                    let ky0 = max(0, g.pad - oy * s), ky1 = min(k, g.h + g.pad - oy * s)
                    let gyRow = dyp + (i * g.oh + oy) * g.ow * cout
                    for ky in ky0..<ky1 {
                        let xRow = xp + (i * g.h + oy * s - g.pad + ky) * g.w * cin
                        for kx in 0..<k {
                            let (lo, hi) = g.validColumns(kx)
                            if lo >= hi { continue }
                            for ci in 0..<cin {
                                let dst = acc + ((ky * k + kx) * cin + ci) * cout
                                let src = xRow + (lo * s - g.pad + kx) * cin + ci
                                @inline(__always) func run<V: FloatLanes>(_: V.Type, _ co: Int) {
                                    var a = V.zero
                                    for j in 0..<(hi - lo) { a = a.addingProduct(V.load(gyRow + (lo + j) * cout + co), V.splat(src[j * s * cin])) }
                                    (V.load(dst + co) + a).store(dst + co)
                                }
                                forEachChannelBlock(cout, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
                            }
                        }
                    }
                }
            }
        }
        for j in 1..<max(1, chunks) {
            let p = partial + j * slot
            for e in 0..<slot { partial[e] += p[e] }
        }
        let gw = weight.grad.data, ld = maxIn * kk
        for co in 0..<cout { for ci in 0..<cin { for t in 0..<kk { gw[co * ld + ci * kk + t] += partial[(t * cin + ci) * cout + co] } } }
        if let b = bias { Elementwise.addColumnSums(dy.data, rows: g.n * g.outPixels, cols: cout, into: b.grad.data) }
        guard inputGradient else { return nil }

        // Input gradient: per output pixel u[t·cin + ci] = Σ_co dy[co]·W[co, ci, t] (all pairs
        // in SIMD16 lanes, padded to a multiple of 16), then dx(tap t) += u[t·cin + ci] along
        // each output row. Chunks over images: each chunk owns its images' dx.
        let pairs = kk * cin, lanes = (pairs + 15) / 16 * 16
        let wP = UnsafeMutablePointer<Float>.allocate(capacity: cout * lanes)  // wP[co·lanes + t·cin + ci] = W[co, ci, t]
        defer { wP.deallocate() }
        wP.initialize(repeating: 0, count: cout * lanes)
        let wv = weight.value.data
        for co in 0..<cout { for ci in 0..<cin { for t in 0..<kk { wP[co * lanes + t * cin + ci] = wv[co * ld + ci * kk + t] } } }
        let dx = Tensor(uninitializedShape: x.shape)
        let dxp = dx.data, wPp = UnsafePointer(wP)
        parallelChunks(g.n, minChunk: max(1, 8192 / max(1, g.outPixels * cout))) { _, images in
            let u = UnsafeMutablePointer<Float>.allocate(capacity: g.outPixels * lanes)
            defer { u.deallocate() }
            for i in images {
                for p in 0..<g.outPixels {
                    let gy = dyp + (i * g.outPixels + p) * cout
                    var l = 0
                    while l < lanes {
                        var a = SIMD16<Float>.zero
                        for co in 0..<cout { a = a.addingProduct(SIMD16<Float>(repeating: gy[co]), SIMD16<Float>.load(wPp + co * lanes + l)) }
                        a.store(u + p * lanes + l)
                        l += 16
                    }
                }
                let img = dxp + i * g.h * g.w * cin
                img.update(repeating: 0, count: g.h * g.w * cin)
                for oy in 0..<g.oh {
                    let ky0 = max(0, g.pad - oy * s), ky1 = min(k, g.h + g.pad - oy * s)
                    for ky in ky0..<ky1 {
                        let dRow = img + (oy * s - g.pad + ky) * g.w * cin
                        for kx in 0..<k {
                            let (lo, hi) = g.validColumns(kx)
                            for ci in 0..<cin {
                                let d = dRow + (lo * s - g.pad + kx) * cin + ci
                                let src = u + (oy * g.ow + lo) * lanes + (ky * k + kx) * cin + ci
                                for j in 0..<max(0, hi - lo) { d[j * s * cin] += src[j * lanes] }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}

extension ConvGeometry {
    /// The output columns lo..<hi whose tap kx reads inside the image: 0 ≤ ox·stride − pad + kx < w.
    @inline(__always)
    func validColumns(_ kx: Int) -> (Int, Int) {
        let top = w - 1 + pad - kx
        let lo = max(0, (pad - kx + stride - 1) / stride), hi = top < 0 ? 0 : min(ow, top / stride + 1)
        return (lo, hi)
    }
}

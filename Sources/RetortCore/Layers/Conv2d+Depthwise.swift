/// Depthwise convolution (groups == channels): one k×k filter per channel.
/// The first `c` channels are active, c = the input's last dimension. The inner loops
/// run over contiguous channels (NHWC), with the filters transposed per call into a
/// [k², c] scratch so that tap t of every channel is contiguous too.
///
/// 3×3 kernels (any stride and padding) have their own loops: channels go in blocks of
/// 16, 8 and 1 lanes; per block the nine filter taps (forward, input gradient) or the
/// nine weight-gradient accumulators (backward) stay in registers while the loop runs
/// over the pixels, with out-of-image taps skipped by predictable per-row/per-column
/// tests. The input gradient is gathered (each dx element written once) rather than
/// scattered, so it needs neither zeroing nor read-modify-write. Other kernel sizes use
/// the general loops below.
extension Conv2d {
    /// wT[t·c + ch] = W[ch, 0, t]
    private func transposedFilters(_ c: Int, _ kk: Int) -> UnsafeMutablePointer<Float> {
        let wT = UnsafeMutablePointer<Float>.allocate(capacity: kk * c)
        let w = weight.value.data
        for ch in 0..<c { for t in 0..<kk { wT[t * c + ch] = w[ch * kk + t] } }
        return wT
    }

    func depthwiseForward(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
        g.k == 3 ? depthwiseForward3(x, g) : depthwiseForwardAnyK(x, g)
    }

    func depthwiseBackward(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> Tensor {
        g.k == 3 ? depthwiseBackward3(dy, x, g) : depthwiseBackwardAnyK(dy, x, g)
    }

    // MARK: any kernel size

    private func depthwiseForwardAnyK(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
        let c = g.c, k = g.k, kk = g.kk
        let y = Tensor(uninitializedShape: [g.n, g.oh, g.ow, c])
        let wT = transposedFilters(c, kk)
        defer { wT.deallocate() }
        let b = bias?.value.data
        let xp = x.data, yp = y.data
        // Chunks over output rows (n, oy): each writes its own rows of y. Per output pixel the
        // channels go in blocks of 8 kept in a register across all taps.
        parallelChunks(g.n * g.oh, minChunk: 4) { _, range in
            for r in range {
                let i = r / g.oh, oy = r % g.oh
                let ky0 = max(0, g.pad - oy * g.stride), ky1 = min(k, g.h + g.pad - oy * g.stride)
                for ox in 0..<g.ow {
                    let kx0 = max(0, g.pad - ox * g.stride), kx1 = min(k, g.w + g.pad - ox * g.stride)
                    let out = yp + (r * g.ow + ox) * c
                    // input pixel of tap (0, 0) — may lie in the padding; only valid taps are read
                    let corner = ((i * g.h + oy * g.stride - g.pad) * g.w + ox * g.stride - g.pad) * c
                    var ch = 0
                    while ch + 8 <= c {
                        var acc = b.map { load8($0 + ch) } ?? .zero
                        for ky in ky0..<ky1 {
                            for kx in kx0..<kx1 {
                                let src = xp + (corner + (ky * g.w + kx) * c + ch)
                                acc += load8(src) * load8(wT + (ky * k + kx) * c + ch)
                            }
                        }
                        store8(acc, out + ch)
                        ch += 8
                    }
                    while ch < c {
                        var acc = b?[ch] ?? 0
                        for ky in ky0..<ky1 {
                            for kx in kx0..<kx1 { acc += xp[corner + (ky * g.w + kx) * c + ch] * wT[(ky * k + kx) * c + ch] }
                        }
                        out[ch] = acc
                        ch += 1
                    }
                }
            }
        }
        return y
    }

    private func depthwiseBackwardAnyK(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> Tensor {
        let c = g.c, k = g.k, kk = g.kk
        let dx = Tensor(shape: x.shape)
        let wT = transposedFilters(c, kk)
        defer { wT.deallocate() }
        // Per-chunk partial gradients [dWᵀ (k²·c) | db (c)], reduced in chunk order.
        let slot = kk * c + c, chunks = Threads.count
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * slot)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * slot)
        let xp = x.data, dyp = dy.data, dxp = dx.data
        // Chunks over images: the taps of neighbouring outputs overlap only within an image.
        parallelChunks(g.n) { chunk, images in
            let dwT = partial + chunk * slot, db = dwT + kk * c
            for i in images {
                for oy in 0..<g.oh {
                    let ky0 = max(0, g.pad - oy * g.stride), ky1 = min(k, g.h + g.pad - oy * g.stride)
                    for ox in 0..<g.ow {
                        let kx0 = max(0, g.pad - ox * g.stride), kx1 = min(k, g.w + g.pad - ox * g.stride)
                        let gy = dyp + ((i * g.oh + oy) * g.ow + ox) * c
                        let corner = ((i * g.h + oy * g.stride - g.pad) * g.w + ox * g.stride - g.pad) * c
                        var ch = 0
                        while ch + 8 <= c {
                            let gv = load8(gy + ch)
                            store8(load8(db + ch) + gv, db + ch)
                            for ky in ky0..<ky1 {
                                for kx in kx0..<kx1 {
                                    let off = corner + (ky * g.w + kx) * c + ch, t = (ky * k + kx) * c + ch
                                    store8(load8(dxp + off) + gv * load8(wT + t), dxp + off)
                                    store8(load8(dwT + t) + gv * load8(xp + off), dwT + t)
                                }
                            }
                            ch += 8
                        }
                        while ch < c {
                            let gv = gy[ch]
                            db[ch] += gv
                            for ky in ky0..<ky1 {
                                for kx in kx0..<kx1 {
                                    let off = corner + (ky * g.w + kx) * c + ch, t = (ky * k + kx) * c + ch
                                    dxp[off] += gv * wT[t]
                                    dwT[t] += gv * xp[off]
                                }
                            }
                            ch += 1
                        }
                    }
                }
            }
        }
        for j in 1..<max(1, chunks) {
            let p = partial + j * slot
            for e in 0..<slot { partial[e] += p[e] }
        }
        let dw = weight.grad.data
        for ch in 0..<c { for t in 0..<kk { dw[ch * kk + t] += partial[t * c + ch] } }
        if let b = bias {
            let db = partial + kk * c, gb = b.grad.data
            for ch in 0..<c { gb[ch] += db[ch] }
        }
        return dx
    }
}

// MARK: 3×3

/// The nine taps of a 3×3 filter for one channel block, tap t = ky·3 + kx.
private struct Taps3<V: FloatLanes> {
    var t0, t1, t2, t3, t4, t5, t6, t7, t8: V
    @inline(__always) init(repeating v: V) { t0 = v; t1 = v; t2 = v; t3 = v; t4 = v; t5 = v; t6 = v; t7 = v; t8 = v }
    /// Loads tap t from p + t·stride.
    @inline(__always) init(_ p: UnsafePointer<Float>, stride: Int) {
        t0 = .load(p); t1 = .load(p + stride); t2 = .load(p + 2 * stride)
        t3 = .load(p + 3 * stride); t4 = .load(p + 4 * stride); t5 = .load(p + 5 * stride)
        t6 = .load(p + 6 * stride); t7 = .load(p + 7 * stride); t8 = .load(p + 8 * stride)
    }
}

extension Conv2d {
    /// Forward for k = 3: chunks over output rows (n, oy); per row and channel block the
    /// nine taps stay in registers across the row's pixels. Same summation order as the
    /// general loops (bias, then taps in (ky, kx) order).
    fileprivate func depthwiseForward3(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
        let c = g.c
        let y = Tensor(uninitializedShape: [g.n, g.oh, g.ow, c])
        let wT = transposedFilters3(c)
        defer { wT.deallocate() }
        let b = bias.map { UnsafePointer($0.value.data) }
        let xp = UnsafePointer(x.data), yp = y.data, w = UnsafePointer(wT)
        parallelChunks(g.n * g.oh, minChunk: max(1, 8192 / max(1, g.ow * c))) { _, range in
            for r in range {
                let i = r / g.oh, oy = r % g.oh
                let iy0 = oy * g.stride - g.pad
                let v0 = iy0 >= 0 && iy0 < g.h, v1 = iy0 + 1 >= 0 && iy0 + 1 < g.h, v2 = iy0 + 2 >= 0 && iy0 + 2 < g.h
                let row0 = xp + ((i * g.h + iy0) * g.w - g.pad) * c   // pixel (iy0, −pad): tap (0, 0) of ox = 0
                let out = yp + r * g.ow * c
                @inline(__always) func run<V: FloatLanes>(_: V.Type, _ ch: Int) {
                    let wt = Taps3<V>(w + ch, stride: c)
                    let bv: V = b.map { V.load($0 + ch) } ?? .zero
                    for ox in 0..<g.ow {
                        let ix0 = ox * g.stride - g.pad
                        let h0 = ix0 >= 0 && ix0 < g.w, h1 = ix0 + 1 >= 0 && ix0 + 1 < g.w, h2 = ix0 + 2 >= 0 && ix0 + 2 < g.w
                        let p = row0 + ox * g.stride * c + ch
                        var acc = bv
                        if v0 {
                            if h0 { acc = acc + V.load(p) * wt.t0 }
                            if h1 { acc = acc + V.load(p + c) * wt.t1 }
                            if h2 { acc = acc + V.load(p + 2 * c) * wt.t2 }
                        }
                        if v1 {
                            let q = p + g.w * c
                            if h0 { acc = acc + V.load(q) * wt.t3 }
                            if h1 { acc = acc + V.load(q + c) * wt.t4 }
                            if h2 { acc = acc + V.load(q + 2 * c) * wt.t5 }
                        }
                        if v2 {
                            let q = p + 2 * g.w * c
                            if h0 { acc = acc + V.load(q) * wt.t6 }
                            if h1 { acc = acc + V.load(q + c) * wt.t7 }
                            if h2 { acc = acc + V.load(q + 2 * c) * wt.t8 }
                        }
                        acc.store(out + ox * c + ch)
                    }
                }
                forEachChannelBlock(c, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
            }
        }
        return y
    }

    /// Backward for k = 3: chunks over images. Per image, (1) for each output row and
    /// channel block the weight-gradient taps and the bias gradient accumulate in registers
    /// over the row and are then added to the chunk's partial sums; (2) for each input row
    /// and channel block dx is gathered per pixel from the output pixels whose taps cover it.
    /// Rows outermost keep the memory access sequential. Chunk partials are combined in
    /// chunk order.
    fileprivate func depthwiseBackward3(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> Tensor {
        let c = g.c, s = g.stride
        let dx = Tensor(uninitializedShape: x.shape)
        let wT = transposedFilters3(c)
        defer { wT.deallocate() }
        // For input column ix and kx: the output column ox with ox·s − pad + kx = ix, or −1.
        let colOx = UnsafeMutablePointer<Int>.allocate(capacity: 3 * g.w)
        defer { colOx.deallocate() }
        for ix in 0..<g.w {
            for kx in 0..<3 {
                let num = ix + g.pad - kx
                colOx[3 * ix + kx] = num >= 0 && num % s == 0 && num / s < g.ow ? num / s : -1
            }
        }
        // Per-chunk partial gradients [dWᵀ (9·c) | db (c)].
        let slot = 10 * c, chunks = Threads.count
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * slot)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * slot)
        let xp = UnsafePointer(x.data), dyp = UnsafePointer(dy.data), dxp = dx.data, w = UnsafePointer(wT)
        let cols = UnsafePointer(colOx)
        parallelChunks(g.n) { chunk, images in
            let dwT = partial + chunk * slot, db = dwT + 9 * c
            for i in images {
                let ximg = xp + i * g.h * g.w * c, dyimg = dyp + i * g.oh * g.ow * c, dximg = dxp + i * g.h * g.w * c
                // (1) weight and bias gradients, one output row at a time; per channel block the
                // nine taps accumulate in registers over the row, then go to the chunk partials.
                for oy in 0..<g.oh {
                    let iy0 = oy * s - g.pad
                    let v0 = iy0 >= 0 && iy0 < g.h, v1 = iy0 + 1 >= 0 && iy0 + 1 < g.h, v2 = iy0 + 2 >= 0 && iy0 + 2 < g.h
                    @inline(__always) func rowGrad<V: FloatLanes>(_: V.Type, _ ch: Int) {
                        var a = Taps3<V>(repeating: .zero)
                        var bsum = V.zero
                        let row0 = ximg + (iy0 * g.w - g.pad) * c + ch
                        let gyRow = dyimg + oy * g.ow * c + ch
                        for ox in 0..<g.ow {
                            let ix0 = ox * s - g.pad
                            let h0 = ix0 >= 0 && ix0 < g.w, h1 = ix0 + 1 >= 0 && ix0 + 1 < g.w, h2 = ix0 + 2 >= 0 && ix0 + 2 < g.w
                            let gv = V.load(gyRow + ox * c)
                            bsum = bsum + gv
                            let p = row0 + ox * s * c
                            if v0 {
                                if h0 { a.t0 = a.t0.addingProduct(gv, V.load(p)) }
                                if h1 { a.t1 = a.t1.addingProduct(gv, V.load(p + c)) }
                                if h2 { a.t2 = a.t2.addingProduct(gv, V.load(p + 2 * c)) }
                            }
                            if v1 {
                                let q = p + g.w * c
                                if h0 { a.t3 = a.t3.addingProduct(gv, V.load(q)) }
                                if h1 { a.t4 = a.t4.addingProduct(gv, V.load(q + c)) }
                                if h2 { a.t5 = a.t5.addingProduct(gv, V.load(q + 2 * c)) }
                            }
                            if v2 {
                                let q = p + 2 * g.w * c
                                if h0 { a.t6 = a.t6.addingProduct(gv, V.load(q)) }
                                if h1 { a.t7 = a.t7.addingProduct(gv, V.load(q + c)) }
                                if h2 { a.t8 = a.t8.addingProduct(gv, V.load(q + 2 * c)) }
                            }
                        }
                        let d = dwT + ch
                        (V.load(d) + a.t0).store(d); (V.load(d + c) + a.t1).store(d + c); (V.load(d + 2 * c) + a.t2).store(d + 2 * c)
                        (V.load(d + 3 * c) + a.t3).store(d + 3 * c); (V.load(d + 4 * c) + a.t4).store(d + 4 * c)
                        (V.load(d + 5 * c) + a.t5).store(d + 5 * c); (V.load(d + 6 * c) + a.t6).store(d + 6 * c)
                        (V.load(d + 7 * c) + a.t7).store(d + 7 * c); (V.load(d + 8 * c) + a.t8).store(d + 8 * c)
                        (V.load(db + ch) + bsum).store(db + ch)
                    }
                    forEachChannelBlock(c, { rowGrad(SIMD16<Float>.self, $0) }, { rowGrad(SIMD8<Float>.self, $0) }, { rowGrad(Float.self, $0) })
                }

                // (2) dx[iy, ix] = Σ dy[oy, ox] · w[ky, kx] over oy·s − pad + ky = iy, ox·s − pad + kx = ix,
                // one input row at a time.
                for iy in 0..<g.h {
                    func rowOffset(_ ky: Int) -> Int {  // offset of dy row oy with oy·s − pad + ky = iy, or −1
                        let num = iy + g.pad - ky
                        return num >= 0 && num % s == 0 && num / s < g.oh ? (num / s) * g.ow * c : -1
                    }
                    let r0 = rowOffset(0), r1 = rowOffset(1), r2 = rowOffset(2)
                    @inline(__always) func rowInput<V: FloatLanes>(_: V.Type, _ ch: Int) {
                        let wt = Taps3<V>(w + ch, stride: c)
                        let out = dximg + iy * g.w * c + ch
                        let gbase = dyimg + ch
                        for ix in 0..<g.w {
                            let o0 = cols[3 * ix], o1 = cols[3 * ix + 1], o2 = cols[3 * ix + 2]
                            var acc = V.zero
                            if r0 >= 0 {
                                let r = gbase + r0
                                if o0 >= 0 { acc = acc.addingProduct(V.load(r + o0 * c), wt.t0) }
                                if o1 >= 0 { acc = acc.addingProduct(V.load(r + o1 * c), wt.t1) }
                                if o2 >= 0 { acc = acc.addingProduct(V.load(r + o2 * c), wt.t2) }
                            }
                            if r1 >= 0 {
                                let r = gbase + r1
                                if o0 >= 0 { acc = acc.addingProduct(V.load(r + o0 * c), wt.t3) }
                                if o1 >= 0 { acc = acc.addingProduct(V.load(r + o1 * c), wt.t4) }
                                if o2 >= 0 { acc = acc.addingProduct(V.load(r + o2 * c), wt.t5) }
                            }
                            if r2 >= 0 {
                                let r = gbase + r2
                                if o0 >= 0 { acc = acc.addingProduct(V.load(r + o0 * c), wt.t6) }
                                if o1 >= 0 { acc = acc.addingProduct(V.load(r + o1 * c), wt.t7) }
                                if o2 >= 0 { acc = acc.addingProduct(V.load(r + o2 * c), wt.t8) }
                            }
                            acc.store(out + ix * c)
                        }
                    }
                    forEachChannelBlock(c, { rowInput(SIMD16<Float>.self, $0) }, { rowInput(SIMD8<Float>.self, $0) }, { rowInput(Float.self, $0) })
                }
            }
        }
        for j in 1..<max(1, chunks) {
            let p = partial + j * slot
            for e in 0..<slot { partial[e] += p[e] }
        }
        let dw = weight.grad.data
        for ch in 0..<c { for t in 0..<9 { dw[ch * 9 + t] += partial[t * c + ch] } }
        if let b = bias {
            let db = partial + 9 * c, gb = b.grad.data
            for ch in 0..<c { gb[ch] += db[ch] }
        }
        return dx
    }

    /// wT[t·c + ch] = W[ch, 0, t] for a 3×3 kernel.
    private func transposedFilters3(_ c: Int) -> UnsafeMutablePointer<Float> {
        let wT = UnsafeMutablePointer<Float>.allocate(capacity: 9 * c)
        let w = weight.value.data
        for ch in 0..<c { for t in 0..<9 { wT[t * c + ch] = w[ch * 9 + t] } }
        return wT
    }
}

@inline(__always) fileprivate func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}
@inline(__always) fileprivate func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8(UnsafePointer(p)) }
@inline(__always) fileprivate func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

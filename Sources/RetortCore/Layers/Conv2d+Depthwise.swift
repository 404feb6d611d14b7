/// Depthwise convolution (groups == channels): one k×k filter per channel.
/// The first `c` channels are active, c = the input's last dimension. The inner loops
/// run over contiguous channels (NHWC), with the filters transposed per call into a
/// [k², c] scratch so that tap t of every channel is contiguous too; channels go in
/// SIMD8 blocks.
extension Conv2d {
    /// wT[t·c + ch] = W[ch, 0, t]
    private func transposedFilters(_ c: Int, _ kk: Int) -> UnsafeMutablePointer<Float> {
        let wT = UnsafeMutablePointer<Float>.allocate(capacity: kk * c)
        let w = weight.value.data
        for ch in 0..<c { for t in 0..<kk { wT[t * c + ch] = w[ch * kk + t] } }
        return wT
    }

    func depthwiseForward(_ x: Tensor, _ g: ConvGeometry) -> Tensor {
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

    func depthwiseBackward(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> Tensor {
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

@inline(__always) fileprivate func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}
@inline(__always) fileprivate func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8(UnsafePointer(p)) }
@inline(__always) fileprivate func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

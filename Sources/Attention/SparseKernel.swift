import RetortCore

/// The Sanger-style sparse component for one head (vitality §2.2), added to an output.
///
///     P̃ = softmax(Q̃·K̃ᵀ/√d)       Q̃, K̃ 4-bit fake-quantised (FakeQuantizer)
///     M = [P̃ > τ],  S_sparse = M ⊙ P̃   (the predicted probabilities themselves, not renormalised)
///     out += w·S_sparse·V
///
/// Backward, with dZ the gradient of `out`: dS = w·dZ·Vᵀ, dP̃ = M ⊙ dS,
/// dA = P̃ ⊙ (dP̃ − rowsum(dP̃ ⊙ P̃)), dQ += dA·K̃/√d, dK += dAᵀ·Q̃/√d (straight-through
/// the quantiser), dV += w·S_sparseᵀ·dZ. The mask itself has no gradient.
enum SparseKernel {
    /// Words saved per head for backward: P̃ (n²) and the threshold used.
    static func savedWords(n: Int) -> Int { n * n + 1 }

    /// Adds w·S_sparse·V into `io.out` (w = the config's weight, divided by √d when it says so,
    /// or `weight` when given); keeps P̃ and the threshold in `save` when given. Returns the
    /// number of kept entries (mask density numerator).
    static func forwardAdd(_ io: HeadIO, quantized qh: QuantizedHead, config: SparseConfig, weight: Float? = nil,
                           ws: Workspace, save: UnsafeMutablePointer<Float>?, parallel: Bool) -> Int {
        let n = io.n, d = io.d
        let w = weight ?? config.effectiveWeight(headDim: d)
        let p = save ?? ws.take(20, n * n)
        let sm = ws.take(21, n * n)
        mm(false, true, m: n, n: n, k: d, alpha: io.invSqrtD, qh.q, qh.ld, qh.k, qh.ld, p, n)
        rowLoop(n, parallel: parallel, minChunk: max(1, 4096 / n)) { rows in
            for i in rows { softmaxRowInPlace(p + i * n, n) }
        }
        let threshold = config.thresholdMode == .keptFraction
            ? keepThreshold(p, count: n * n, keep: config.keptFraction, scratch: ws.take(24, n * n))
            : config.threshold(tokens: n)
        save?[n * n] = threshold
        var kept = 0
        for i in 0..<(n * n) {
            let v = p[i]
            let keep = v > threshold
            sm[i] = keep ? v : 0
            kept += keep ? 1 : 0
        }
        mm(m: n, n: d, k: n, alpha: w, sm, n, io.v, io.ld, beta: 1, io.out, io.ldo)
        return kept
    }

    /// The threshold τ that keeps the largest ⌈fraction·count⌉ values (v > τ): the next value
    /// below them, or just under the smallest when all are kept. Ties at τ are dropped together.
    static func keepThreshold(_ p: UnsafePointer<Float>, count: Int, keep fraction: Float, scratch: UnsafeMutablePointer<Float>) -> Float {
        let k = min(count, max(1, Int((Double(fraction) * Double(count)).rounded(.up))))
        if k >= count {
            var lo = Float.infinity
            for i in 0..<count { lo = min(lo, p[i]) }
            return lo.nextDown
        }
        scratch.update(from: p, count: count)
        // descending order: the (k+1)-th largest is the threshold
        var buf = UnsafeMutableBufferPointer(start: scratch, count: count)
        buf.sort(by: >)
        return buf[k]
    }

    /// Adds the sparse path's gradients into dQ, dK, dV of `grad` (`grad.out` = dZ of the sum).
    static func backwardAdd(_ io: HeadIO, quantized qh: QuantizedHead, grad g: HeadIO, config: SparseConfig, weight: Float? = nil,
                            saved p: UnsafePointer<Float>, ws: Workspace, parallel: Bool) {
        let n = io.n, d = io.d
        let w = weight ?? config.effectiveWeight(headDim: d)
        let threshold = p[n * n]
        let ds = ws.take(22, n * n), sm = ws.take(23, n * n)
        for i in 0..<(n * n) { let v = p[i]; sm[i] = v > threshold ? v : 0 }
        mm(true, false, m: n, n: d, k: n, alpha: w, sm, n, g.out, g.ldo, beta: 1, g.v, g.ld)   // dV += w·Sᵀ·dZ
        mm(false, true, m: n, n: n, k: d, alpha: w, g.out, g.ldo, io.v, io.ld, ds, n)           // dS = w·dZ·Vᵀ
        rowLoop(n, parallel: parallel, minChunk: max(1, 4096 / n)) { rows in
            for i in rows {
                let dr = ds + i * n, pr = p + i * n, mr = sm + i * n
                for j in 0..<n where mr[j] == 0 { dr[j] = 0 }                          // dP̃ = M ⊙ dS
                let r = dot(dr, pr, n)
                for j in 0..<n { dr[j] = pr[j] * (dr[j] - r) }
            }
        }
        mm(m: n, n: d, k: n, alpha: io.invSqrtD, ds, n, qh.k, qh.ld, beta: 1, g.q, g.ld)           // dQ += dA·K̃/√d
        mm(true, false, m: n, n: d, k: n, alpha: io.invSqrtD, ds, n, qh.q, qh.ld, beta: 1, g.k, g.ld)  // dK += dAᵀ·Q̃/√d
    }
}

/// The released code's attention (`src/vision_transformer.py:115-128`, vitality §2.3):
///
///     K_c = K − mean over the head dimension (per token)
///     Z = (S_sparse·V + Q·(K_cᵀ·V)) / √d
///
/// No "1 +" term, no denominator; the sparse map comes from the un-centred quantised Q̃, K̃ and
/// runs in training and at inference alike.
///
/// Backward, with dZ given and dZ' = dZ/√d: dQ = dZ'·KVᵀ, dKV = Qᵀ·dZ', dV = K_c·dKV,
/// dK = centre_head(V·dKVᵀ), plus the sparse path's gradients for dZ'.
enum RepoKernel {
    static func savedWords(n: Int, d: Int) -> Int { d * d + SparseKernel.savedWords(n: n) }

    /// The sparse term enters with weight 1 here (the kernel divides the whole sum by √d).
    static func forward(_ io: HeadIO, quantized qh: QuantizedHead, config: SparseConfig, ws: Workspace,
                        save: UnsafeMutablePointer<Float>?, parallel: Bool) -> Int {
        let n = io.n, d = io.d
        let kc = ws.take(0, n * d)
        let kv = save ?? ws.take(1, d * d)
        TaylorKernel.centreHeadRows(io.k, io.ld, into: kc, n: n, d: d)
        mm(true, false, m: d, n: d, k: n, kc, d, io.v, io.ld, kv, d)             // KV = K_cᵀ·V
        mm(m: n, n: d, k: d, io.q, io.ld, kv, d, io.out, io.ldo)                  // Z = Q·KV
        let kept = SparseKernel.forwardAdd(io, quantized: qh, config: config, weight: 1, ws: ws,
                                           save: save.map { $0 + d * d }, parallel: parallel)
        let s = io.invSqrtD
        for i in 0..<n { let z = io.out + i * io.ldo; for c in 0..<d { z[c] *= s } }
        return kept
    }

    static func backward(_ io: HeadIO, quantized qh: QuantizedHead, grad g: HeadIO, config: SparseConfig,
                         saved: UnsafePointer<Float>, ws: Workspace, parallel: Bool) {
        let n = io.n, d = io.d
        let kv = saved
        let dz = ws.take(2, n * d), dkv = ws.take(3, d * d), kc = ws.take(4, n * d)
        let s = io.invSqrtD
        for i in 0..<n { let src = g.out + i * g.ldo, dst = dz + i * d; for c in 0..<d { dst[c] = src[c] * s } }
        TaylorKernel.centreHeadRows(io.k, io.ld, into: kc, n: n, d: d)
        mm(false, true, m: n, n: d, k: d, dz, d, kv, d, g.q, g.ld)                // dQ = dZ'·KVᵀ
        mm(true, false, m: d, n: d, k: n, io.q, io.ld, dz, d, dkv, d)             // dKV = Qᵀ·dZ'
        mm(m: n, n: d, k: d, kc, d, dkv, d, g.v, g.ld)                            // dV = K_c·dKV
        mm(false, true, m: n, n: d, k: d, io.v, io.ld, dkv, d, g.k, g.ld)         // dK_c = V·dKVᵀ
        for i in 0..<n {                                                         // dK = dK_c − row mean
            let r = g.k + i * g.ld
            var m: Float = 0
            for c in 0..<d { m += r[c] }
            m /= Float(d)
            for c in 0..<d { r[c] -= m }
        }
        var sg = g
        sg.out = dz; sg.ldo = d
        SparseKernel.backwardAdd(io, quantized: qh, grad: sg, config: config, weight: 1,
                                 saved: saved + d * d, ws: ws, parallel: parallel)
    }
}

import RetortCore

/// Softmax attention for one head, forward and backward (llm.c style, explicit).
///
///     A = QKᵀ/√d,  S = softmax_rows(A),  Z = S·V
///
/// Backward, with dZ given:
///     dV = Sᵀ·dZ,  dS = dZ·Vᵀ,  dA = S ⊙ (dS − rowsum(dS ⊙ S)),  dQ = dA·K/√d,  dK = dAᵀ·Q/√d
enum SoftmaxKernel {
    /// Writes Z into `io.out`. The n×n map S goes to `save` (kept for backward) or to scratch.
    static func forward(_ io: HeadIO, ws: Workspace, save: UnsafeMutablePointer<Float>?,
                        count: UnsafeMutablePointer<OpCount>?, parallel: Bool) {
        let n = io.n, d = io.d
        let s = save ?? ws.take(0, n * n)
        // A = (1/√d)·Q·Kᵀ: n²·d MACs and n² scalings (BLAS alpha).
        mm(false, true, m: n, n: n, k: d, alpha: io.invSqrtD, io.q, io.ld, io.k, io.ld, s, n)
        // Row softmax: n² compares, n² subtractions, n² exps, n² additions, n² divisions.
        rowLoop(n, parallel: parallel, minChunk: max(1, 4096 / n)) { rows in
            for i in rows { softmaxRowInPlace(s + i * n, n) }
        }
        // Z = S·V: n²·d MACs.
        mm(m: n, n: d, k: n, s, n, io.v, io.ld, io.out, io.ldo)
        if let c = count {
            c.pointee.macs += 2 * n * n * d
            c.pointee.multiplications += n * n
            c.pointee.compares += n * n
            c.pointee.additions += 2 * n * n
            c.pointee.exps += n * n
            c.pointee.divisions += n * n
            c.pointee.storageWords += n * n
        }
    }

    /// Overwrites dQ, dK, dV of `grad` (a HeadIO over dqkv with `out` = dZ).
    static func backward(_ io: HeadIO, grad g: HeadIO, saved s: UnsafePointer<Float>, ws: Workspace, parallel: Bool) {
        let n = io.n, d = io.d
        mm(true, false, m: n, n: d, k: n, s, n, g.out, g.ldo, g.v, g.ld)                 // dV = Sᵀ·dZ
        let da = ws.take(1, n * n)
        mm(false, true, m: n, n: n, k: d, g.out, g.ldo, io.v, io.ld, da, n)              // dS = dZ·Vᵀ
        rowLoop(n, parallel: parallel, minChunk: max(1, 4096 / n)) { rows in
            for i in rows {
                let dr = da + i * n, sr = s + i * n
                let r = dot(dr, sr, n)
                for j in 0..<n { dr[j] = sr[j] * (dr[j] - r) }
            }
        }
        mm(m: n, n: d, k: n, alpha: io.invSqrtD, da, n, io.k, io.ld, g.q, g.ld)          // dQ = dA·K/√d
        mm(true, false, m: n, n: d, k: n, alpha: io.invSqrtD, da, n, io.q, io.ld, g.k, g.ld)  // dK = dAᵀ·Q/√d
    }
}

import RetortCore
import VectorMath

/// Softmax attention for one head, forward and backward (llm.c style, explicit).
///
///     A = QKᵀ/√d,  S = softmax_rows(A),  Z = S·V
///
/// Backward, with dZ given:
///     dV = Sᵀ·dZ,  dS = dZ·Vᵀ,  dA = S ⊙ (dS − rowsum(dS ⊙ S)),  dQ = dA·K/√d,  dK = dAᵀ·Q/√d
///
/// Small heads (n²·d below 262 144, d a multiple of 16: a training step at n < 128, where
/// the fused kernel does not run) do their five products on Retort's micro-kernel
/// (`tileAccumulate`) with Kᵀ/√d or Vᵀ packed and zero-padded to 16 columns; larger heads use
/// BLAS. At vit-mnist's n = 50, d = 16 OpenBLAS spent as long packing and scaling C (its
/// copy and β routines) as multiplying.
enum SoftmaxKernel {
    /// Whether a head's products run on the micro-kernel: d a multiple of 16 and a small head
    /// (`AttentionCore.isSmallHead`, whose products BLAS runs single-threaded anyway).
    static func usesTiles(tokens n: Int, headDim d: Int) -> Bool {
        FusedSoftmaxKernel.usesTiles(headDim: d) && AttentionCore.isSmallHead(tokens: n, headDim: d)
    }

    /// Writes Z into `io.out`. The n×n map S goes to `save` (kept for backward) or to scratch.
    static func forward(_ io: HeadIO, ws: Workspace, save: UnsafeMutablePointer<Float>?,
                        count: UnsafeMutablePointer<OpCount>?, parallel: Bool) {
        let n = io.n, d = io.d
        if usesTiles(tokens: n, headDim: d) {
            // A into a tile of row stride roundUp(n, 16) (the padded keys give 0), then the
            // softmax of its first n columns, in place or into the saved map (stride n).
            let ldt = roundUp(n, 16)
            let t = ws.take(0, n * ldt), kt = ws.take(2, d * ldt)
            FusedSoftmaxKernel.packTransposed(io.k, lds: io.ld, rows: n, d: d, scale: io.invSqrtD, into: kt, ldd: ldt)
            tileAccumulate(io.q, sm: io.ld, sk: 1, kt, ldb: ldt, depth: d, rows: n, width: ldt, t, ldc: ldt, accumulate: false)
            let s = save ?? t, lds = save == nil ? ldt : n
            for i in 0..<n {
                if save != nil { (s + i * n).update(from: t + i * ldt, count: n) }
                softmaxRowInPlace(s + i * lds, n)
            }
            tileAccumulate(s, sm: lds, sk: 1, io.v, ldb: io.ld, depth: n, rows: n, width: d, io.out, ldc: io.ldo, accumulate: false)
        } else {
            let s = save ?? ws.take(0, n * n)
            // A = (1/√d)·Q·Kᵀ: n²·d MACs and n² scalings (BLAS alpha).
            mm(false, true, m: n, n: n, k: d, alpha: io.invSqrtD, io.q, io.ld, io.k, io.ld, s, n)
            // Row softmax: n² compares, n² subtractions, n² exps, n² additions, n² divisions.
            rowLoop(n, parallel: parallel, minChunk: max(1, 4096 / n)) { rows in
                for i in rows { softmaxRowInPlace(s + i * n, n) }
            }
            // Z = S·V: n²·d MACs.
            mm(m: n, n: d, k: n, s, n, io.v, io.ld, io.out, io.ldo)
        }
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
        if usesTiles(tokens: n, headDim: d) {
            let ldt = roundUp(n, 16), scale = io.invSqrtD
            let da = ws.take(1, n * ldt), vt = ws.take(2, d * ldt)
            // dV = Sᵀ·dZ (Sᵀ through strides), dS = dZ·Vᵀ (Vᵀ packed, zero-padded to ldt)
            tileAccumulate(s, sm: 1, sk: n, g.out, ldb: g.ldo, depth: n, rows: n, width: d, g.v, ldc: g.ld, accumulate: false)
            FusedSoftmaxKernel.packTransposed(io.v, lds: io.ld, rows: n, d: d, scale: 1, into: vt, ldd: ldt)
            tileAccumulate(g.out, sm: g.ldo, sk: 1, vt, ldb: ldt, depth: d, rows: n, width: ldt, da, ldc: ldt, accumulate: false)
            // dA/√d, so that dQ and dK need no scaling
            for i in 0..<n {
                let dr = da + i * ldt, sr = s + i * n
                let r = dot(dr, sr, n)
                for j in 0..<n { dr[j] = sr[j] * (dr[j] - r) * scale }
            }
            tileAccumulate(da, sm: ldt, sk: 1, io.k, ldb: io.ld, depth: n, rows: n, width: d, g.q, ldc: g.ld, accumulate: false)
            tileAccumulate(da, sm: 1, sk: ldt, io.q, ldb: io.ld, depth: n, rows: n, width: d, g.k, ldc: g.ld, accumulate: false)
            return
        }
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

import RetortCore

/// ViTALiTy's linear Taylor attention for one head (paper Algorithm 1 / Fig. 2(b), vitality §1.2),
/// forward and backward. The n×n attention matrix is never formed: scratch is O(n·d + d²).
///
///     Step 1  K̂ = K − 1_n·(1_nᵀK / n)                      centre K over the tokens
///     Step 2  G = K̂ᵀ·V                                      d×d global context matrix
///     Step 3  k̂_sum = 1_nᵀK̂,  v_sum = 1_nᵀV
///     Step 4  t_D = n·√d·1_n + Q·k̂_sumᵀ                     n×1 denominator
///     Step 5  T_N = √d·1_n·v_sum + Q·G                       n×d numerator
///     Step 6  Z = diag(t_D)⁻¹·T_N
///
/// Equivalently Z_i = Σ_j (1 + q_i·k̂_j/√d)·v_j / Σ_j (1 + q_i·k̂_j/√d). Steps 3, 4 and 6 run as
/// the paper's hardware runs them although k̂_sum = 0 exactly (vitality §1.3).
///
/// Backward, with dZ given (Z = T_N/t_D row-wise):
///     dT = dZ/t_D,  dt_i = −Σ_c dZ_ic·Z_ic / t_i
///     dQ = dT·Gᵀ + dt·k̂_sum,  dG = Qᵀ·dT,  dv_sum = √d·1ᵀdT
///     dV = K̂·dG + 1·dv_sum,  dK = centre_tokens(V·dGᵀ)
/// (the k̂_sum path adds a token-constant row to dK̂, which the centring removes exactly).
enum TaylorKernel {
    /// Step 1 over the head dimension instead (the released code's reading, vitality §2.3):
    /// K̂_j = K_j − mean_c(K_jc), so k̂_sum ≠ 0 and t_D varies with the query (SA-Diag and the
    /// divider do real work). Backward: dK̂ gains the row Qᵀ·dt in every token (the k̂_sum path),
    /// then dK = dK̂ − its mean over the head dimension.
    /// (Set per call; `AttentionCore.centring`.)
    /// Words saved per head for backward: G (d²), t_D (n), k̄ (d), k̂_sum (d).
    static func savedWords(n: Int, d: Int) -> Int { d * d + n + 2 * d }

    static func forward(_ io: HeadIO, ws: Workspace, save: UnsafeMutablePointer<Float>?,
                        count: UnsafeMutablePointer<OpCount>?, parallel: Bool, centreHead: Bool = false) {
        let n = io.n, d = io.d
        let sqrtD = Float(d).squareRoot()
        let kbar = ws.take(0, d), khat = ws.take(1, n * d), g = ws.take(2, d * d)
        let ksum = ws.take(3, d), vsum = ws.take(4, d), t = ws.take(5, n)
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: d)
        defer { acc.deallocate() }

        // Step 1: column (token) sums of K (n·d additions), divide by n (d divisions), subtract (n·d additions).
        if centreHead {
            for c in 0..<d { kbar[c] = 0 }
            centreHeadRows(io.k, io.ld, into: khat, n: n, d: d)
        } else {
            columnSums(io.k, rows: n, cols: d, ld: io.ld, into: acc)
            for c in 0..<d { kbar[c] = Float(acc[c] / Double(n)) }
            rowLoop(n, parallel: parallel, minChunk: max(1, 8192 / d)) { rows in
                for i in rows {
                    let kr = io.k + i * io.ld, hr = khat + i * d
                    for c in 0..<d { hr[c] = kr[c] - kbar[c] }
                }
            }
        }
        // Step 2: G = K̂ᵀ·V (n·d² MACs).
        mm(true, false, m: d, n: d, k: n, khat, d, io.v, io.ld, g, d)
        // Step 3: k̂_sum and v_sum (2·n·d additions).
        columnSums(khat, rows: n, cols: d, ld: d, into: acc)
        for c in 0..<d { ksum[c] = Float(acc[c]) }
        columnSums(io.v, rows: n, cols: d, ld: io.ld, into: acc)
        for c in 0..<d { vsum[c] = Float(acc[c]) }
        // Step 4: t_D = Q·k̂_sumᵀ (n·d MACs) + n·√d (n additions).
        mm(m: n, n: 1, k: d, io.q, io.ld, ksum, 1, t, 1)
        let nSqrtD = Float(n) * sqrtD
        for i in 0..<n { t[i] += nSqrtD }
        // Step 5: √d·v_sum (d multiplications) broadcast into every row, + Q·G (n·d² MACs, n·d additions via beta = 1).
        for c in 0..<d { vsum[c] *= sqrtD }
        for i in 0..<n { (io.out + i * io.ldo).update(from: vsum, count: d) }
        mm(m: n, n: d, k: d, io.q, io.ld, g, d, beta: 1, io.out, io.ldo)
        // Step 6: Z = diag(t_D)⁻¹·T_N (n·d divisions).
        rowLoop(n, parallel: parallel, minChunk: max(1, 8192 / d)) { rows in
            for i in rows {
                let zr = io.out + i * io.ldo, ti = t[i]
                for c in 0..<d { zr[c] /= ti }
            }
        }
        if let s = save {
            s.update(from: g, count: d * d)
            (s + d * d).update(from: t, count: n)
            (s + d * d + n).update(from: kbar, count: d)
            (s + d * d + n + d).update(from: ksum, count: d)
        }
        if let c = count {
            c.pointee.macs += 2 * n * d * d + n * d
            c.pointee.multiplications += d
            c.pointee.divisions += d + n * d
            c.pointee.additions += 5 * n * d + n
            c.pointee.storageWords += d * d
        }
    }

    /// Overwrites dQ, dK, dV of `grad`; `io.out` must still hold this head's Z.
    static func backward(_ io: HeadIO, grad gr: HeadIO, saved: UnsafePointer<Float>, ws: Workspace, parallel: Bool,
                         centreHead: Bool = false) {
        let n = io.n, d = io.d
        let sqrtD = Float(d).squareRoot()
        let g = saved, t = saved + d * d, kbar = saved + d * d + n, ksum = saved + d * d + n + d
        let dT = ws.take(10, n * d), dt = ws.take(11, n), dG = ws.take(12, d * d), khat = ws.take(13, n * d)
        let dvsum = ws.take(14, d)
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: d)
        defer { acc.deallocate() }

        // Z of this kernel alone: `io.out` may also hold the sparse path's term (taylor-sparse).
        // With token centring dt only meets k̂_sum = 0 and a token-constant row the centring
        // removes, so the sum serves; with head centring dt counts, so Z = T_N/t_D is rebuilt.
        var zOut = io.out, zld = io.ldo
        if centreHead {
            let z = ws.take(15, n * d)
            columnSums(io.v, rows: n, cols: d, ld: io.ld, into: acc)
            for c in 0..<d { dvsum[c] = sqrtD * Float(acc[c]) }
            for i in 0..<n { (z + i * d).update(from: dvsum, count: d) }
            mm(m: n, n: d, k: d, io.q, io.ld, g, d, beta: 1, z, d)
            for i in 0..<n { let r = z + i * d, ti = t[i]; for c in 0..<d { r[c] /= ti } }
            zOut = z; zld = d
        }
        let zs = zOut, zstride = zld
        rowLoop(n, parallel: parallel, minChunk: max(1, 8192 / d)) { rows in
            for i in rows {
                let dz = gr.out + i * gr.ldo, z = zs + i * zstride, dtr = dT + i * d
                let inv = 1 / t[i]
                var s: Float = 0
                for c in 0..<d { dtr[c] = dz[c] * inv; s += dz[c] * z[c] }
                dt[i] = -s * inv
                // K̂ for dV below (token centring; head centring rebuilds it after this loop).
                let kr = io.k + i * io.ld, hr = khat + i * d
                for c in 0..<d { hr[c] = kr[c] - kbar[c] }
            }
        }
        if centreHead { centreHeadRows(io.k, io.ld, into: khat, n: n, d: d) }
        mm(false, true, m: n, n: d, k: d, dT, d, g, d, gr.q, gr.ld)                  // dQ = dT·Gᵀ
        for i in 0..<n {                                                            // dQ += dt·k̂_sum
            let dq = gr.q + i * gr.ld, s = dt[i]
            for c in 0..<d { dq[c] += s * ksum[c] }
        }
        mm(true, false, m: d, n: d, k: n, io.q, io.ld, dT, d, dG, d)                 // dG = Qᵀ·dT
        columnSums(dT, rows: n, cols: d, ld: d, into: acc)
        for c in 0..<d { dvsum[c] = sqrtD * Float(acc[c]) }
        mm(m: n, n: d, k: d, khat, d, dG, d, gr.v, gr.ld)                            // dV = K̂·dG
        for i in 0..<n {                                                            //    + 1·dv_sum
            let dv = gr.v + i * gr.ld
            for c in 0..<d { dv[c] += dvsum[c] }
        }
        mm(false, true, m: n, n: d, k: d, io.v, io.ld, dG, d, gr.k, gr.ld)           // dK̂ = V·dGᵀ
        if centreHead {
            // + 1·(Qᵀdt)ᵀ in every token (t_D = n√d + Q·k̂_sumᵀ), then dK = dK̂ − mean over the head dimension
            for c in 0..<d { acc[c] = 0 }
            for i in 0..<n {
                let q = io.q + i * io.ld, s = Double(dt[i])
                for c in 0..<d { acc[c] += s * Double(q[c]) }
            }
            for i in 0..<n {
                let dk = gr.k + i * gr.ld
                var m: Float = 0
                for c in 0..<d { dk[c] += Float(acc[c]); m += dk[c] }
                m /= Float(d)
                for c in 0..<d { dk[c] -= m }
            }
            return
        }
        columnSums(gr.k, rows: n, cols: d, ld: gr.ld, into: acc)                     // dK = dK̂ − mean over tokens
        for c in 0..<d { dvsum[c] = Float(acc[c] / Double(n)) }
        for i in 0..<n {
            let dk = gr.k + i * gr.ld
            for c in 0..<d { dk[c] -= dvsum[c] }
        }
    }

    /// K̂_j = K_j − mean_c(K_jc) for every token j.
    static func centreHeadRows(_ k: UnsafePointer<Float>, _ ld: Int, into out: UnsafeMutablePointer<Float>, n: Int, d: Int) {
        for i in 0..<n {
            let r = k + i * ld, o = out + i * d
            var m: Float = 0
            for c in 0..<d { m += r[c] }
            m /= Float(d)
            for c in 0..<d { o[c] = r[c] - m }
        }
    }
}

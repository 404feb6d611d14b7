import RetortCore
import VectorMath

/// The Taylor forward (`TaylorKernel`'s six steps) for all (image, head) pairs in one call, on
/// the register-blocked micro-kernels instead of per-head BLAS calls, for d a multiple of 16.
///
/// Per pair, in row blocks: column sums of K and V (Step 1, 3), then G = Σ_blocks K̂_bᵀ·V_b
/// with each block of K̂ centred in L1 (Step 2), then per 32-row block Z = (√d·v_sum + Q·G) /
/// (n·√d + Q·k̂_sum) (Steps 4–6). Work splits over pairs when there are at least two per
/// thread; otherwise each pair in turn splits its row blocks across the threads (partial G
/// per thread, added in chunk order). The saved words are `TaylorKernel`'s, so its backward runs
/// unchanged.
enum TaylorTiledKernel {
    static let rowBlock = 64

    static func supports(headDim d: Int) -> Bool { d % 16 == 0 }

    /// Words of scratch one head takes on one thread: k̄, k̂_sum, v_sum, G, one centred block of
    /// K̂ and two 32-row tail buffers — independent of n.
    static func workspace(headDim d: Int) -> Int { 3 * d + d * d + rowBlock * d + 2 * 32 * d }

    static func forward(qkv: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, batch b: Int, heads h: Int,
                        tokens n: Int, headDim d: Int, save: UnsafeMutablePointer<Float>?, savedStride: Int,
                        workspaces wss: [Workspace]) {
        precondition(supports(headDim: d), "TaylorTiledKernel: d must be a multiple of 16")
        let pairs = b * h
        // Whole pairs per thread as soon as every thread gets one, even unevenly: splitting one
        // pair's row blocks costs three fork-joins and a serial column pass per pair, and with
        // 3 pairs on 2 threads (d = 64, n = 256–1024) it ran slower than 1 thread (0.54–0.58 ms
        // against 0.35 at n = 512, idle, `bench attention --threads 1|2`).
        if Threads.count == 1 || pairs >= Threads.count {
            parallelChunks(pairs) { chunk, range in
                for p in range {
                    forwardOne(p, qkv: qkv, out: out, heads: h, tokens: n, headDim: d, save: save, savedStride: savedStride, ws: wss[chunk])
                }
            }
            return
        }
        let blocks = (n + rowBlock - 1) / rowBlock, chunks = max(1, Threads.count)
        for p in 0..<pairs {
            let io = HeadIO(qkv: qkv, out: out, pair: p, heads: h, tokens: n, headDim: d)
            let ws0 = wss[0]
            ws0.beginHead()
            let st = ws0.take(30, 3 * d), kbar = st, ksum = st + d, vsum = st + 2 * d
            columnMeans(io, kbar: kbar, ksum: ksum, vsum: vsum)
            let g = ws0.take(31, d * d)
            let parts = (0..<chunks).map { c -> UnsafeMutablePointer<Float> in
                let q = c == 0 ? g : wss[c].take(32, d * d)
                q.update(repeating: 0, count: d * d)
                return q
            }
            parallelChunks(blocks) { chunk, range in
                let khat = wss[chunk].take(33, rowBlock * d)
                for blk in range { accumulateG(io, block: blk, kbar: kbar, khat: khat, into: parts[chunk]) }
            }
            for c in 1..<chunks { var i = 0; while i < d * d { store16(load16(g + i) + load16(parts[c] + i), g + i); i += 16 } }
            let t = save.map { $0 + p * savedStride + d * d }
            parallelChunks(n, minChunk: 32) { chunk, range in
                let pad = wss[chunk].take(34, 2 * 32 * d)
                var i0 = range.lowerBound
                while i0 < range.upperBound {
                    let rows = min(32, range.upperBound - i0)
                    outputRows(io, start: i0, rows: rows, g: g, ksum: ksum, vsum: vsum, pad: pad, t: t)
                    i0 += rows
                }
            }
            saveState(save.map { $0 + p * savedStride }, g: g, kbar: kbar, ksum: ksum, n: n, d: d)
            ws0.endHead()
        }
    }

    /// G, k̄ and k̂_sum into the saved words (t is written by `outputRows`), as `TaylorKernel` saves them.
    @inline(__always)
    static func saveState(_ s: UnsafeMutablePointer<Float>?, g: UnsafePointer<Float>, kbar: UnsafePointer<Float>,
                          ksum: UnsafePointer<Float>, n: Int, d: Int) {
        guard let s else { return }
        s.update(from: g, count: d * d)
        (s + d * d + n).update(from: kbar, count: d)
        (s + d * d + n + d).update(from: ksum, count: d)
    }

    /// One pair on the calling thread (the pair-parallel split).
    static func forwardOne(_ p: Int, qkv: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, heads h: Int,
                           tokens n: Int, headDim d: Int, save: UnsafeMutablePointer<Float>?, savedStride: Int, ws: Workspace) {
        let io = HeadIO(qkv: qkv, out: out, pair: p, heads: h, tokens: n, headDim: d)
        ws.beginHead()
        let st = ws.take(30, 3 * d), kbar = st, ksum = st + d, vsum = st + 2 * d
        columnMeans(io, kbar: kbar, ksum: ksum, vsum: vsum)
        let g = ws.take(31, d * d), khat = ws.take(33, rowBlock * d), pad = ws.take(34, 2 * 32 * d)
        g.update(repeating: 0, count: d * d)
        for blk in 0..<((n + rowBlock - 1) / rowBlock) { accumulateG(io, block: blk, kbar: kbar, khat: khat, into: g) }
        let t = save.map { $0 + p * savedStride + d * d }
        var i0 = 0
        while i0 < n {
            let rows = min(32, n - i0)
            outputRows(io, start: i0, rows: rows, g: g, ksum: ksum, vsum: vsum, pad: pad, t: t)
            i0 += rows
        }
        saveState(save.map { $0 + p * savedStride }, g: g, kbar: kbar, ksum: ksum, n: n, d: d)
        ws.endHead()
    }

    /// k̄ = mean of K over the tokens, k̂_sum = Σ_i (k_i − k̄) (≈ 0: the rounding residue, as the
    /// paper's Step 3), v_sum·√d. Sums run in Float over blocks of 64 rows, then in Double.
    @inline(__always)
    static func columnMeans(_ io: HeadIO, kbar: UnsafeMutablePointer<Float>, ksum: UnsafeMutablePointer<Float>,
                            vsum: UnsafeMutablePointer<Float>) {
        let n = io.n, d = io.d
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: 2 * d)
        defer { acc.deallocate() }
        acc.update(repeating: 0, count: 2 * d)
        var i0 = 0
        while i0 < n {
            let rows = min(rowBlock, n - i0)
            var c = 0
            while c < d {
                var sk = V16.zero, sv = V16.zero
                for i in i0..<(i0 + rows) { sk += load16(io.k + i * io.ld + c); sv += load16(io.v + i * io.ld + c) }
                for l in 0..<16 { acc[c + l] += Double(sk[l]); acc[d + c + l] += Double(sv[l]) }
                c += 16
            }
            i0 += rows
        }
        let sqrtD = Float(d).squareRoot()
        for c in 0..<d {
            kbar[c] = Float(acc[c] / Double(n))
            ksum[c] = Float(acc[c] - Double(n) * Double(kbar[c]))
            vsum[c] = sqrtD * Float(acc[d + c])
        }
    }

    /// G += K̂_bᵀ·V_b for row block `block` (K̂_b centred into `khat`, rowBlock × d).
    @inline(__always)
    static func accumulateG(_ io: HeadIO, block: Int, kbar: UnsafePointer<Float>, khat: UnsafeMutablePointer<Float>,
                            into g: UnsafeMutablePointer<Float>) {
        let d = io.d, i0 = block * rowBlock, rows = min(rowBlock, io.n - i0)
        for r in 0..<rows {
            let kr = io.k + (i0 + r) * io.ld, hr = khat + r * d
            var c = 0
            while c < d { store16(load16(kr + c) - load16(kbar + c), hr + c); c += 16 }
        }
        tileAccumulate(khat, sm: 1, sk: d, io.v + i0 * io.ld, ldb: io.ld, depth: rows, rows: d, width: d, g, ldc: d)
    }

    /// Z rows start..<start + rows (≤ 32): (√d·v_sum + Q·G) / t with t = n·√d + Q·k̂_sum, into `t` too when saving.
    @inline(__always)
    static func outputRows(_ io: HeadIO, start i0: Int, rows: Int, g: UnsafePointer<Float>, ksum: UnsafePointer<Float>,
                           vsum: UnsafePointer<Float>, pad: UnsafeMutablePointer<Float>, t: UnsafeMutablePointer<Float>?) {
        let d = io.d, rr = roundUp(rows, 4)
        let nSqrtD = Float(io.n) * Float(d).squareRoot()
        // Whole groups of 4 rows work in place; a tail runs on zero-padded copies.
        let direct = rr == rows
        let q = direct ? io.q + i0 * io.ld : pad, lq = direct ? io.ld : d
        let z = direct ? io.out + i0 * io.ldo : pad + 32 * d, lz = direct ? io.ldo : d
        if !direct { packRows(io.q + i0 * io.ld, lds: io.ld, rows: rows, d: d, scale: 1, into: pad, ldd: d, padRows: rr) }
        for r in 0..<rr { (z + r * lz).update(from: vsum, count: d) }
        tileAccumulate(q, sm: lq, sk: 1, g, ldb: d, depth: d, rows: rr, width: d, z, ldc: lz)
        for r in 0..<rows {
            let ti = nSqrtD + dot(q + r * lq, ksum, d)
            t?[i0 + r] = ti
            let zr = z + r * lz, inv = V16(repeating: ti)
            var c = 0
            while c < d { store16(load16(zr + c) / inv, zr + c); c += 16 }
            if !direct { (io.out + (i0 + r) * io.ldo).update(from: zr, count: d) }
        }
    }
}

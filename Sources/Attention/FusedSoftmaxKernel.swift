import Foundation
import RetortCore
import VectorMath

/// Fused (flash-style) softmax attention over all (image, head) pairs in one call, forward and
/// backward. The block products run on Retort's register-blocked micro-kernel (`tileAccumulate`)
/// when d is a multiple of 16 — with Kᵀ/√d (and in backward Vᵀ) packed per pair or key block —
/// and on single-threaded sgemm otherwise. Never forms the n×n map: scratch per thread is one or
/// two query-block × key-block tiles (at most 64 × 256 forward, 64 × 512 backward) plus, on the
/// micro-kernel path, the packed Kᵀ (O(n·d)).
///
/// Forward, per (pair, query block of at most `queryBlock(n)` rows; each thread an equal share of
/// all rows, `forEachQueryBlock`), over key blocks of ≤ 256:
///     S = (1/√d)·Q_i·K_jᵀ                      one sgemm into the per-thread tile
///     m' = max(m, rowmax S),  P = e^(S − m'),  α = e^(m − m')
///     l ← α·l + rowsum P,  Z_i ← α·Z_i + P·V_j    one sgemm, accumulating in the output rows
/// then Z_i = Z_i/l and, for backward, the row log-sum-exp L = m + log l.
///
/// Backward (FlashAttention-2), one task per (pair, key block j), over query blocks i, with
/// D = rowsum(dZ ⊙ Z):
///     P = e^((1/√d)·Q_i·K_jᵀ − L_i)            recomputed from the saved L
///     dV_j += Pᵀ·dZ_i,  dP = dZ_i·V_jᵀ,  dS = P ⊙ (dP − D_i)
///     dK_j += (1/√d)·dSᵀ·Q_i,  dQ_i += (1/√d)·dS·K_j
/// dK_j and dV_j are written by their task; dQ_i straight into dqkv when all key blocks of the
/// pair run on one thread, else into that thread's partial sums, added in thread order
/// afterwards, so results are deterministic for a given thread count.
///
/// Forward and backward each split over the threads in one `parallelChunks` call (forward: the
/// query rows of all pairs in equal shares; backward: the (pair, key block) tasks); every product
/// runs on the task's thread (micro-kernel or `BLAS.gemmOnThisThread`). Buffers that a product
/// overwrites (β = 0 on the first block) are never zeroed.
enum FusedSoftmaxKernel {
    /// Most keys per backward block (PyTorch's CPU flash attention uses 512 too).
    static let keyBlockLimit = 512

    /// Most keys per forward block: 256, so that the S/P tile (60 × 256 floats, 60 KiB) and the
    /// key block's Kᵀ and V (64 KiB each at d = 64) stay in L2 together. Against 126 × 512 (a
    /// 258 KiB tile beside 128 KiB each of Kᵀ and V, more than a 512 KiB L2), alternating the two
    /// six times at n = 1024 / 2048 / 4096 (2 threads, AVX2 EPYC): medians 5.51 / 21.74 / 86.52 ms
    /// against 5.55 / 22.28 / 88.16 (docs/performance.md).
    static let forwardKeyBlockLimit = 256

    /// Query rows per forward block: 32 below n = 192, so that the blocks of a few heads still
    /// spread over the threads, else 64 (PyTorch: 32 / 64 / 256); rounded down to the
    /// micro-kernel's row block (30 / 60 on AVX2).
    static func queryBlock(tokens n: Int) -> Int { min(n, roundDownToRowBlock(n < 192 ? 32 : 64)) }

    /// Keys per forward block.
    static func keyBlock(tokens n: Int) -> Int { min(n, forwardKeyBlockLimit) }

    /// Whether the forward's block products run on Retort's register-blocked micro-kernel
    /// (`tileAccumulate`, d a multiple of 16) instead of sgemm: the same speed under every
    /// OpenBLAS core, and 1.2–1.3× sgemm's on these shapes (K = d for S, N = d for P·V).
    static func usesTiles(headDim d: Int) -> Bool { d % 16 == 0 && d <= 256 }

    /// Row stride of the scaled Kᵀ copy the micro-kernel path reads: n rounded up to 16 plus 16
    /// (a power-of-two stride would put the d rows of a column panel in the same cache sets).
    static func keyStride(tokens n: Int) -> Int { roundUp(n, 16) + 16 }

    /// Row stride of the S/P tile (the key block rounded up to 16 on the micro-kernel path).
    static func tileStride(tokens n: Int, headDim d: Int) -> Int {
        usesTiles(headDim: d) ? roundUp(keyBlock(tokens: n), 16) : keyBlock(tokens: n)
    }

    /// Words of scratch one forward task takes: the S/P tile, the row max and sum, and on the
    /// micro-kernel path the pair's Kᵀ/√d (d × `keyStride`) and V in panels (n × d): O(n·d), never n².
    static func forwardWorkspace(tokens n: Int, headDim d: Int) -> Int {
        let br = queryBlock(tokens: n)
        return br * tileStride(tokens: n, headDim: d) + 2 * br + (usesTiles(headDim: d) ? d * keyStride(tokens: n) + n * d : 0)
    }

    /// V of a pair in d/16 column panels, each a contiguous n × 16 block (the micro-kernel's
    /// `panel` layout): the P·V product then streams one panel per 16 output columns, instead of
    /// reading 64 bytes per row at V's row stride of 3·H·d floats, whose rows share a quarter of
    /// L1's sets (stride 2304 bytes at H = 3, d = 64).
    static func packPanels(_ src: UnsafePointer<Float>, lds: Int, rows: Int, d: Int, into dst: UnsafeMutablePointer<Float>) {
        for j in 0..<rows {
            for q in 0..<(d / 16) { tileStore16(tileLoad16(src + j * lds + 16 * q), dst + q * 16 * rows + 16 * j) }
        }
    }

    /// dst[c·ldd + j] = scale·src[j·lds + c] for j < rows, c < d; zero for rows ≤ j < roundUp(rows, 16)
    /// (the columns the micro-kernel reads past the last key). Kᵀ/√d of a pair (forward) or of a
    /// key block, and V_jᵀ (backward).
    static func packTransposed(_ src: UnsafePointer<Float>, lds: Int, rows: Int, d: Int, scale: Float,
                               into dst: UnsafeMutablePointer<Float>, ldd: Int) {
        for j in 0..<rows {
            let row = src + j * lds
            for c in 0..<d { dst[c * ldd + j] = row[c] * scale }
        }
        let padded = roundUp(rows, 16)
        if padded > rows { for c in 0..<d { (dst + c * ldd + rows).update(repeating: 0, count: padded - rows) } }
    }

    /// Z of every pair into `out` ([B, n, H·d]); the log-sum-exp of every row into `lse`
    /// (pair-major, n per pair) when given.
    static func forward(qkv: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, batch b: Int, heads h: Int,
                        tokens n: Int, headDim d: Int, lse: UnsafeMutablePointer<Float>?, workspaces wss: [Workspace]) {
        let tiles = usesTiles(headDim: d), ldk = keyStride(tokens: n), pairs = b * h
        let t = forwardThreads(pairs: pairs, tokens: n)
        parallelChunks(t) { chunk, shares in
            let ws = wss[chunk]
            var packed = -1
            // one share per chunk, or all of them on one thread (nested in a parallel region)
            for share in shares { forEachQueryBlock(of: share, threads: t, pairs: pairs, tokens: n) { p, i0, rows in
                ws.beginHead()
                let io = HeadIO(qkv: qkv, out: out, pair: p, heads: h, tokens: n, headDim: d)
                var kt: UnsafeMutablePointer<Float>? = nil, vp: UnsafeMutablePointer<Float>? = nil
                if tiles {
                    // a thread's rows are consecutive: Kᵀ and V are packed once per pair and thread
                    kt = ws.take(3, d * ldk)
                    vp = ws.take(4, n * d)
                    if p != packed {
                        packTransposed(io.k, lds: io.ld, rows: n, d: d, scale: io.invSqrtD, into: kt!, ldd: ldk)
                        packPanels(io.v, lds: io.ld, rows: n, d: d, into: vp!)
                        packed = p
                    }
                }
                forwardBlock(io, start: i0, rows: rows, keysT: kt, ldk: ldk, valuePanels: vp, lse: lse.map { $0 + p * n }, ws)
                ws.endHead()
            } }
        }
    }

    /// Threads the forward splits over: all of them, unless there are fewer row blocks than
    /// threads (then one row block each).
    static func forwardThreads(pairs: Int, tokens n: Int) -> Int {
        min(Threads.count, pairs * ((n + tileRowBlock - 1) / tileRowBlock))
    }

    /// The forward's rows (all pairs' n query rows, pair-major) split into `threads` runs of
    /// equal length (up to a row block, `tileRowBlock`; boundaries fall on row blocks of a pair),
    /// and run `chunk`'s as query blocks of at most `queryBlock(n)` rows within a pair, evened
    /// out (a 100-row stretch is two blocks of 54 and 46, not 60 and 40). Every row's result
    /// is the same whichever block or thread computes it (each output element is the same chain
    /// of fused multiply-adds), so the split only balances the threads: with one task per
    /// 126-row block, 27 tasks at n = 1024 and 3 heads left one thread 7.7 % more rows.
    static func forEachQueryBlock(of chunk: Int, threads t: Int, pairs: Int, tokens n: Int,
                                  _ body: (_ pair: Int, _ start: Int, _ rows: Int) -> Void) {
        let rb = tileRowBlock, blocksPerPair = (n + rb - 1) / rb, total = pairs * blocksPerPair
        // row blocks [lo, hi) of the pair-major sequence (a pair's last block may be short)
        let lo = chunk * total / t, hi = (chunk + 1) * total / t
        let br = queryBlock(tokens: n)
        var blk = lo
        while blk < hi {
            let p = blk / blocksPerPair, first = blk % blocksPerPair
            let last = min(hi - p * blocksPerPair, blocksPerPair)          // this run's end within the pair, in blocks
            let rowsStart = first * rb, rowsEnd = min(n, last * rb), span = rowsEnd - rowsStart
            let pieces = (span + br - 1) / br
            var i0 = rowsStart
            for k in 0..<pieces {
                // even pieces, each a multiple of the row block except the pair's last
                let end = k == pieces - 1 ? rowsEnd : min(rowsEnd, rowsStart + roundUp((span * (k + 1)) / pieces, rb))
                if end > i0 { body(p, i0, end - i0) }
                i0 = end
            }
            blk = p * blocksPerPair + last
        }
    }

    /// Query rows i0..<i0 + rows of one pair against every key block. With `keysT` (the pair's
    /// Kᵀ/√d, row stride `ldk`) and `valuePanels` (its V, `packPanels`) both block products run on
    /// the micro-kernel, else on sgemm.
    @inline(__always)
    static func forwardBlock(_ io: HeadIO, start i0: Int, rows: Int, keysT kt: UnsafeMutablePointer<Float>?, ldk: Int,
                             valuePanels vp: UnsafeMutablePointer<Float>?, lse: UnsafeMutablePointer<Float>?, _ ws: Workspace) {
        let n = io.n, d = io.d, br = queryBlock(tokens: n), bc = keyBlock(tokens: n), ldt = tileStride(tokens: n, headDim: d)
        let s = ws.take(0, br * ldt), m = ws.take(1, br), l = ws.take(2, br)
        let q = io.q + i0 * io.ld, z = io.out + i0 * io.ldo
        var j0 = 0
        while j0 < n {
            let cols = min(bc, n - j0), first = j0 == 0
            if let kt {
                tileAccumulate(q, sm: io.ld, sk: 1, kt + j0, ldb: ldk, depth: d, rows: rows, width: roundUp(cols, 16),
                               s, ldc: ldt, accumulate: false)
            } else {
                BLAS.gemmOnThisThread(transB: true, m: rows, n: cols, k: d, alpha: io.invSqrtD, a: q, lda: io.ld,
                                      b: io.k + j0 * io.ld, ldb: io.ld, c: s, ldc: ldt)
            }
            for r in 0..<rows {
                let row = s + r * ldt
                let mNew = first ? rowMax(row, cols) : max(m[r], rowMax(row, cols))
                let sum = expShiftedSum(row, cols, shift: mNew)
                if first || mNew == m[r] {
                    l[r] = first ? sum : l[r] + sum          // α = e^0 = 1: nothing to rescale
                } else {
                    let alpha = Foundation.exp(m[r] - mNew)
                    l[r] = l[r] * alpha + sum
                    scaleRow(z + r * io.ldo, d, by: alpha)
                }
                m[r] = mNew
            }
            if let vp {
                tileAccumulate(s, sm: ldt, sk: 1, vp + 16 * j0, ldb: 16, panel: 16 * n, depth: cols, rows: rows, width: d,
                               z, ldc: io.ldo, accumulate: !first)
            } else {
                BLAS.gemmOnThisThread(m: rows, n: d, k: cols, a: s, lda: ldt, b: io.v + j0 * io.ld, ldb: io.ld,
                                      beta: first ? 0 : 1, c: z, ldc: io.ldo)
            }
            j0 += cols
        }
        for r in 0..<rows {
            scaleRow(z + r * io.ldo, d, by: 1 / l[r])
            if let lse { lse[i0 + r] = m[r] + Foundation.log(l[r]) }
        }
    }

    /// Query rows per backward block.
    static func backwardQueryBlock(tokens n: Int) -> Int { min(n, roundDownToRowBlock(64)) }

    /// `rows` rounded down to the micro-kernel's row block (`tileRowBlock`: 4, or 6 on AVX2).
    static func roundDownToRowBlock(_ rows: Int) -> Int { rows - rows % tileRowBlock }

    /// Keys per backward task: at most 512, fewer when there are few pairs, so that there are
    /// about four tasks per thread.
    static func backwardKeyBlock(tokens n: Int, pairs: Int) -> Int {
        let blocks = max(1, (4 * Threads.count + pairs - 1) / pairs)
        return min(n, keyBlockLimit, max(32, roundUp((n + blocks - 1) / blocks, 16)))
    }

    /// Overwrites dqkv ([B, n, 3·H·d]) from dZ = `dout`, with Z = `out` and the saved `lse`.
    static func backward(qkv: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, dout: UnsafeMutablePointer<Float>,
                         dqkv: UnsafeMutablePointer<Float>, batch b: Int, heads h: Int, tokens n: Int, headDim d: Int,
                         lse: UnsafePointer<Float>, workspaces wss: [Workspace]) {
        let pairs = b * h, bc = backwardKeyBlock(tokens: n, pairs: pairs), kBlocks = (n + bc - 1) / bc
        let tasks = pairs * kBlocks
        // A pair whose key blocks all ran in one chunk gets dQ written straight into dqkv. A chunk
        // shares at most its first and its last pair with other chunks; for those it keeps dQ
        // partial sums (n × d each, slot 0: first pair, slot 1: last), added in chunk order below.
        let slots = max(1, Threads.count)
        let ranges = UnsafeMutablePointer<Int>.allocate(capacity: 2 * slots)
        defer { ranges.deallocate() }
        ranges.initialize(repeating: 0, count: 2 * slots)
        let partials = (0..<slots).map { wss[$0].take(10, 2 * n * d) }
        parallelChunks(tasks) { chunk, range in
            ranges[2 * chunk] = range.lowerBound; ranges[2 * chunk + 1] = range.upperBound
            let ws = wss[chunk], firstPair = range.lowerBound / kBlocks
            for task in range {
                let p = task / kBlocks, j0 = (task % kBlocks) * bc
                let io = HeadIO(qkv: qkv, out: out, pair: p, heads: h, tokens: n, headDim: d)
                let g = HeadIO(qkv: dqkv, out: dout, pair: p, heads: h, tokens: n, headDim: d)
                let whole = range.lowerBound <= p * kBlocks && (p + 1) * kBlocks <= range.upperBound
                let dq = whole ? g.q : partials[chunk] + (p == firstPair ? 0 : n * d)
                backwardBlock(io, grad: g, lse: lse + p * n, keys: j0, cols: min(bc, n - j0), dq: dq, ldq: whole ? g.ld : d,
                              dqFresh: task == range.lowerBound || j0 == 0, ws)
            }
        }
        // dQ of the shared pairs: the chunks' partial sums in chunk order.
        parallelChunks(pairs) { _, range in
            for p in range {
                let lo = p * kBlocks, hi = lo + kBlocks
                let used = (0..<slots).filter { ranges[2 * $0] < ranges[2 * $0 + 1] && ranges[2 * $0] < hi && ranges[2 * $0 + 1] > lo }
                guard used.count > 1 else { continue }
                let srcs = used.map { partials[$0] + (p == ranges[2 * $0] / kBlocks ? 0 : n * d) }
                let g = HeadIO(qkv: dqkv, out: dout, pair: p, heads: h, tokens: n, headDim: d)
                for i in 0..<n {
                    let dst = g.q + i * g.ld
                    dst.update(from: srcs[0] + i * d, count: d)
                    for src in srcs.dropFirst() {
                        let row = src + i * d
                        for x in 0..<d { dst[x] += row[x] }
                    }
                }
            }
        }
    }

    /// dK and dV of keys j0..<j0 + cols of one pair (written into `grad`), their dQ contribution
    /// added into `dq` (row stride `ldq`; overwritten instead when `dqFresh`). For d a multiple
    /// of 16 the five block products run on the micro-kernel (K_jᵀ/√d and V_jᵀ packed once per
    /// task, 1/√d folded into dS), else on sgemm.
    @inline(__always)
    static func backwardBlock(_ io: HeadIO, grad g: HeadIO, lse: UnsafePointer<Float>, keys j0: Int, cols: Int,
                              dq: UnsafeMutablePointer<Float>, ldq: Int, dqFresh: Bool, _ ws: Workspace) {
        let n = io.n, d = io.d, br = backwardQueryBlock(tokens: n), ld = io.ld, scale = io.invSqrtD
        let tiles = usesTiles(headDim: d), ldt = tiles ? roundUp(cols, 16) : cols, ldp = ldt + 16
        let p = ws.take(11, br * ldt), ds = ws.take(12, br * ldt)
        let k = io.k + j0 * ld, v = io.v + j0 * ld, dk = g.k + j0 * g.ld, dv = g.v + j0 * g.ld
        var kt: UnsafeMutablePointer<Float>? = nil, vt: UnsafeMutablePointer<Float>? = nil
        if tiles {
            kt = ws.take(13, d * ldp); vt = ws.take(14, d * ldp)
            packTransposed(k, lds: ld, rows: cols, d: d, scale: scale, into: kt!, ldd: ldp)
            packTransposed(v, lds: ld, rows: cols, d: d, scale: 1, into: vt!, ldd: ldp)
        }
        var i0 = 0
        while i0 < n {
            let rows = min(br, n - i0), first = i0 == 0
            let q = io.q + i0 * ld, dz = g.out + i0 * g.ldo
            if let kt, let vt {
                tileAccumulate(q, sm: ld, sk: 1, kt, ldb: ldp, depth: d, rows: rows, width: ldt, p, ldc: ldt, accumulate: false)
                tileAccumulate(dz, sm: g.ldo, sk: 1, vt, ldb: ldp, depth: d, rows: rows, width: ldt, ds, ldc: ldt, accumulate: false)
            } else {
                BLAS.gemmOnThisThread(transB: true, m: rows, n: cols, k: d, alpha: scale, a: q, lda: ld, b: k, ldb: ld, c: p, ldc: ldt)
                BLAS.gemmOnThisThread(transB: true, m: rows, n: cols, k: d, a: dz, lda: g.ldo, b: v, ldb: ld, c: ds, ldc: ldt)
            }
            // dS = P ∘ (dP − D), times 1/√d on the micro-kernel path (the sgemms take it as α)
            let dsScale = V16(repeating: tiles ? scale : 1), dsScale1 = tiles ? scale : 1
            for r in 0..<rows {
                let pr = p + r * ldt, dr = ds + r * ldt
                _ = expShiftedSum(pr, cols, shift: lse[i0 + r])
                let dd = dot(dz + r * g.ldo, io.out + (i0 + r) * io.ldo, d)
                let dv16 = V16(repeating: dd)
                var j = 0
                while j + 16 <= cols { store16(load16(pr + j) * (load16(dr + j) - dv16) * dsScale, dr + j); j += 16 }
                while j < cols { dr[j] = pr[j] * (dr[j] - dd) * dsScale1; j += 1 }
            }
            if tiles {
                tileAccumulate(p, sm: 1, sk: ldt, dz, ldb: g.ldo, depth: rows, rows: cols, width: d, dv, ldc: g.ld, accumulate: !first)
                tileAccumulate(ds, sm: 1, sk: ldt, q, ldb: ld, depth: rows, rows: cols, width: d, dk, ldc: g.ld, accumulate: !first)
                tileAccumulate(ds, sm: ldt, sk: 1, k, ldb: ld, depth: cols, rows: rows, width: d, dq + i0 * ldq, ldc: ldq, accumulate: !dqFresh)
            } else {
                BLAS.gemmOnThisThread(transA: true, m: cols, n: d, k: rows, a: p, lda: ldt, b: dz, ldb: g.ldo,
                                      beta: first ? 0 : 1, c: dv, ldc: g.ld)
                BLAS.gemmOnThisThread(transA: true, m: cols, n: d, k: rows, alpha: scale, a: ds, lda: ldt, b: q, ldb: ld,
                                      beta: first ? 0 : 1, c: dk, ldc: g.ld)
                BLAS.gemmOnThisThread(m: rows, n: d, k: cols, alpha: scale, a: ds, lda: ldt, b: k, ldb: ld,
                                      beta: dqFresh ? 0 : 1, c: dq + i0 * ldq, ldc: ldq)
            }
            i0 += rows
        }
    }
}

import Foundation
import RetortCore

/// Fused (flash-style) softmax attention over all (image, head) pairs in one call, forward and
/// backward. Never forms the n×n map: scratch per head is O(n·d).
///
/// Forward, per tile of `queryTile` query rows, over key tiles of 64 (`keyTile`):
///     S = (Q_i/√d)·K_jᵀ                       `tileScores` on K packed as key tiles
///     m' = max(m, rowmax S),  P = exp(S − m'),  α = exp(m − m')
///     l ← α·l + rowsum P,  O ← α·O + P·V_j        online max and sum (`tileAccumulate`)
/// then Z_i = O/l and, for backward, the row log-sum-exp L = m + log l.
///
/// Backward (FlashAttention-2), per key tile j over all query tiles i, with D = rowsum(dZ ⊙ Z):
///     P = exp((Q_i/√d)·K_jᵀ − L_i)            recomputed from the saved L
///     dV_j += Pᵀ·dZ_i,  dP = dZ_i·V_jᵀ,  dS = P ⊙ (dP − D_i)
///     dK_j += dSᵀ·Q_i/√d,  dQ_i += dS·K_j/√d
///
/// Work splits over pairs when there are at least two per thread; otherwise each pair runs in
/// turn with its query tiles (forward) or key tiles (backward, each thread accumulating its own
/// dQ, added in chunk order) split across the threads. Results are deterministic for a given
/// thread count.
enum FusedSoftmaxKernel {
    /// Query rows per tile.
    static let queryTile = 32

    /// Words of scratch one head of the forward pass takes: K as key tiles (d·n'), V padded
    /// (n'·d'), then the query tile's Q, S, O, max and sum (n' = n rounded up to 64, d' = d to 16).
    static func forwardWorkspace(tokens n: Int, headDim d: Int) -> Int {
        let np = roundUp(n, keyTile), dp = roundUp(d, 16), br = queryTile
        return d * np + np * dp + br * dp + br * keyTile + br * dp + 2 * br
    }

    static func splitsPairs(_ pairs: Int) -> Bool { Threads.count == 1 || pairs >= 2 * Threads.count }

    /// Z of every pair into `out` ([B, n, H·d]); the log-sum-exp of every row into `lse`
    /// (pair-major, n per pair) when given.
    static func forward(qkv: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, batch b: Int, heads h: Int,
                        tokens n: Int, headDim d: Int, lse: UnsafeMutablePointer<Float>?, workspaces wss: [Workspace]) {
        let pairs = b * h, np = roundUp(n, keyTile), dp = roundUp(d, 16)
        let qTiles = (n + queryTile - 1) / queryTile
        func head(_ p: Int) -> HeadIO { HeadIO(qkv: qkv, out: out, pair: p, heads: h, tokens: n, headDim: d) }
        func pack(_ io: HeadIO, _ ws: Workspace) -> (kt: UnsafeMutablePointer<Float>, vp: UnsafeMutablePointer<Float>) {
            let kt = ws.take(0, d * np), vp = ws.take(1, np * dp)
            packKeyTiles(io.k, lds: io.ld, n: n, d: d, into: kt)
            packRows(io.v, lds: io.ld, rows: n, d: d, scale: 1, into: vp, ldd: dp, padRows: np)
            return (kt, vp)
        }
        func tiles(_ io: HeadIO, _ kt: UnsafeMutablePointer<Float>, _ vp: UnsafeMutablePointer<Float>, _ p: Int,
                   _ range: Range<Int>, _ ws: Workspace) {
            let br = queryTile
            let scratch = ForwardScratch(qs: ws.take(2, br * dp), s: ws.take(3, br * keyTile), o: ws.take(4, br * dp),
                                         m: ws.take(5, br), l: ws.take(6, br))
            for qi in range {
                forwardTile(io, start: qi * br, kt: kt, vp: vp, dp: dp, scratch, lse: lse.map { $0 + p * n })
            }
        }
        if splitsPairs(pairs) {
            parallelChunks(pairs) { chunk, range in
                let ws = wss[chunk]
                for p in range {
                    ws.beginHead()
                    let io = head(p), (kt, vp) = pack(io, ws)
                    tiles(io, kt, vp, p, 0..<qTiles, ws)
                    ws.endHead()
                }
            }
        } else {
            for p in 0..<pairs {
                let io = head(p), ws0 = wss[0]
                ws0.beginHead()
                let (kt, vp) = pack(io, ws0)
                parallelChunks(qTiles) { chunk, range in
                    let ws = wss[chunk]
                    if chunk != 0 { ws.beginHead() }
                    tiles(io, kt, vp, p, range, ws)
                    if chunk != 0 { ws.endHead() }
                }
                ws0.endHead()
            }
        }
    }

    struct ForwardScratch {
        var qs, s, o, m, l: UnsafeMutablePointer<Float>
    }

    /// One query tile: rows start..<start + queryTile (clipped to n) against every key tile.
    @inline(__always)
    static func forwardTile(_ io: HeadIO, start i0: Int, kt: UnsafePointer<Float>, vp: UnsafePointer<Float>, dp: Int,
                            _ w: ForwardScratch, lse: UnsafeMutablePointer<Float>?) {
        let n = io.n, d = io.d
        let rows = min(queryTile, n - i0), rr = roundUp(rows, 4)
        let s = w.s, o = w.o, m = w.m, l = w.l
        packRows(io.q + i0 * io.ld, lds: io.ld, rows: rows, d: d, scale: io.invSqrtD, into: w.qs, ldd: dp, padRows: rr)
        o.update(repeating: 0, count: rr * dp)
        for r in 0..<rr { m[r] = -.infinity; l[r] = 0 }
        let tiles = (n + keyTile - 1) / keyTile
        for t in 0..<tiles {
            tileScores(w.qs, lda: dp, kt + t * d * keyTile, k: d, rows: rr, s)
            let valid = min(keyTile, n - t * keyTile)
            for r in 0..<rr {
                let row = s + r * keyTile
                if valid < keyTile { for j in valid..<keyTile { row[j] = -.infinity } }
                let v0 = load16(row), v1 = load16(row + 16), v2 = load16(row + 32), v3 = load16(row + 48)
                let mNew = max(m[r], pointwiseMax(pointwiseMax(v0, v1), pointwiseMax(v2, v3)).max())
                let mv = V16(repeating: mNew)
                let e0 = simdExp(v0 - mv), e1 = simdExp(v1 - mv), e2 = simdExp(v2 - mv), e3 = simdExp(v3 - mv)
                store16(e0, row); store16(e1, row + 16); store16(e2, row + 32); store16(e3, row + 48)
                if valid < keyTile { for j in valid..<keyTile { row[j] = 0 } }
                let sum = (load16(row) + load16(row + 16) + load16(row + 32) + load16(row + 48)).sum()
                let alpha = simdExp(V16(repeating: m[r] - mNew))[0]
                l[r] = l[r] * alpha + sum
                m[r] = mNew
                if alpha != 1 {
                    let or = o + r * dp, av = V16(repeating: alpha)
                    var c = 0
                    while c < dp { store16(load16(or + c) * av, or + c); c += 16 }
                }
            }
            tileAccumulate(s, sm: keyTile, sk: 1, vp + t * keyTile * dp, ldb: dp, depth: valid, rows: rr, width: dp, o, ldc: dp)
        }
        for r in 0..<rows {
            let inv = 1 / l[r], zr = io.out + (i0 + r) * io.ldo, or = o + r * dp
            for c in 0..<d { zr[c] = or[c] * inv }
            if let lse { lse[i0 + r] = m[r] + Foundation.log(l[r]) }
        }
    }

    /// Overwrites dqkv ([B, n, 3·H·d]) from dZ = `dout`, with Z = `out` and the saved `lse`.
    static func backward(qkv: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, dout: UnsafeMutablePointer<Float>,
                         dqkv: UnsafeMutablePointer<Float>, batch b: Int, heads h: Int, tokens n: Int, headDim d: Int,
                         lse: UnsafePointer<Float>, workspaces wss: [Workspace]) {
        let pairs = b * h, np = roundUp(n, keyTile), dp = roundUp(d, 16), kTiles = np / keyTile
        func pack(_ p: Int, _ ws: Workspace) -> BackwardPack {
            let io = HeadIO(qkv: qkv, out: out, pair: p, heads: h, tokens: n, headDim: d)
            let g = HeadIO(qkv: dqkv, out: dout, pair: p, heads: h, tokens: n, headDim: d)
            let w = BackwardPack(io: io, grad: g, kt: ws.take(10, d * np), vt: ws.take(11, d * np), kp: ws.take(12, np * dp),
                                 qs: ws.take(13, np * dp), dz: ws.take(14, np * dp), dsum: ws.take(15, np), lse: ws.take(16, np),
                                 np: np, dp: dp)
            packKeyTiles(io.k, lds: io.ld, n: n, d: d, into: w.kt)
            packKeyTiles(io.v, lds: io.ld, n: n, d: d, into: w.vt)
            packRows(io.k, lds: io.ld, rows: n, d: d, scale: io.invSqrtD, into: w.kp, ldd: dp, padRows: np)
            packRows(io.q, lds: io.ld, rows: n, d: d, scale: io.invSqrtD, into: w.qs, ldd: dp, padRows: np)
            packRows(g.out, lds: g.ldo, rows: n, d: d, scale: 1, into: w.dz, ldd: dp, padRows: np)
            for i in 0..<np {
                w.dsum[i] = i < n ? dot(g.out + i * g.ldo, io.out + i * io.ldo, d) : 0
                w.lse[i] = i < n ? lse[p * n + i] : 0
            }
            return w
        }
        func writeDQ(_ w: BackwardPack, _ dq: UnsafePointer<Float>) {
            for i in 0..<n { (w.grad.q + i * w.grad.ld).update(from: dq + i * dp, count: d) }
        }
        if splitsPairs(pairs) {
            parallelChunks(pairs) { chunk, range in
                let ws = wss[chunk]
                for p in range {
                    let w = pack(p, ws)
                    let dq = ws.take(17, np * dp)
                    dq.update(repeating: 0, count: np * dp)
                    keyTiles(w, 0..<kTiles, dq: dq, ws)
                    writeDQ(w, dq)
                }
            }
        } else {
            let chunks = max(1, Threads.count)
            for p in 0..<pairs {
                let w = pack(p, wss[0])
                let dqs = (0..<chunks).map { c -> UnsafeMutablePointer<Float> in
                    let q = wss[c].take(17, np * dp)
                    q.update(repeating: 0, count: np * dp)
                    return q
                }
                parallelChunks(kTiles) { chunk, range in keyTiles(w, range, dq: dqs[chunk], wss[chunk]) }
                let dq = dqs[0]
                for c in 1..<chunks {
                    let o = dqs[c]
                    var i = 0
                    while i < np * dp { store16(load16(dq + i) + load16(o + i), dq + i); i += 16 }
                }
                writeDQ(w, dq)
            }
        }
    }

    /// One pair's packed operands for backward (rows padded to n', columns to d').
    struct BackwardPack {
        var io, grad: HeadIO
        /// K and V as key tiles; K/√d, Q/√d and dZ as padded rows; D and L per row.
        var kt, vt, kp, qs, dz, dsum, lse: UnsafeMutablePointer<Float>
        var np, dp: Int
    }

    /// dK and dV of the key tiles in `range` (written out), their dQ contribution added into `dq`.
    @inline(__always)
    static func keyTiles(_ w: BackwardPack, _ range: Range<Int>, dq: UnsafeMutablePointer<Float>, _ ws: Workspace) {
        let n = w.io.n, d = w.io.d, dp = w.dp, br = queryTile
        let p = ws.take(18, br * keyTile), ds = ws.take(19, br * keyTile)
        let dk = ws.take(20, keyTile * dp), dv = ws.take(21, keyTile * dp)
        for t in range {
            dk.update(repeating: 0, count: keyTile * dp)
            dv.update(repeating: 0, count: keyTile * dp)
            let valid = min(keyTile, n - t * keyTile)
            var i0 = 0
            while i0 < n {
                let rr = roundUp(min(br, n - i0), 4)
                tileScores(w.qs + i0 * dp, lda: dp, w.kt + t * d * keyTile, k: d, rows: rr, p)
                tileScores(w.dz + i0 * dp, lda: dp, w.vt + t * d * keyTile, k: d, rows: rr, ds)
                for r in 0..<rr {
                    let pr = p + r * keyTile, dr = ds + r * keyTile
                    let lv = V16(repeating: w.lse[i0 + r]), dd = V16(repeating: w.dsum[i0 + r])
                    var j = 0
                    while j < keyTile {
                        let e = simdExp(load16(pr + j) - lv)
                        store16(e, pr + j)
                        store16(e * (load16(dr + j) - dd), dr + j)
                        j += 16
                    }
                    if valid < keyTile { for j in valid..<keyTile { pr[j] = 0; dr[j] = 0 } }
                }
                tileAccumulate(p, sm: 1, sk: keyTile, w.dz + i0 * dp, ldb: dp, depth: rr, rows: keyTile, width: dp, dv, ldc: dp)
                tileAccumulate(ds, sm: 1, sk: keyTile, w.qs + i0 * dp, ldb: dp, depth: rr, rows: keyTile, width: dp, dk, ldc: dp)
                tileAccumulate(ds, sm: keyTile, sk: 1, w.kp + t * keyTile * dp, ldb: dp, depth: keyTile, rows: rr, width: dp,
                               dq + i0 * dp, ldc: dp)
                i0 += br
            }
            for j in 0..<valid {
                let row = t * keyTile + j
                (w.grad.k + row * w.grad.ld).update(from: dk + j * dp, count: d)
                (w.grad.v + row * w.grad.ld).update(from: dv + j * dp, count: d)
            }
        }
    }
}

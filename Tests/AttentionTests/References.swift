import Foundation
import RetortCore

/// Straightforward Double-precision references, written independently of the kernels: they
/// form the n×n matrices explicitly (the quadratic forms).
enum Reference {
    /// Per (image, head): Q, K, V as [n][d] Double arrays from a qkv tensor [B, n, 3·H·d].
    static func heads(_ qkv: Tensor, heads h: Int) -> [(q: [[Double]], k: [[Double]], v: [[Double]])] {
        let b = qkv.dim(0), n = qkv.dim(1), width = qkv.lastDim / 3, d = width / h
        var out: [(q: [[Double]], k: [[Double]], v: [[Double]])] = []
        for bi in 0..<b {
            for hi in 0..<h {
                func m(_ s: Int) -> [[Double]] {
                    (0..<n).map { i in (0..<d).map { c in Double(qkv[(bi * n + i) * 3 * width + s * width + hi * d + c]) } }
                }
                out.append((m(0), m(1), m(2)))
            }
        }
        return out
    }

    /// Assembles per-head outputs [n][d] back into [B, n, H·d].
    static func assemble(_ z: [[[Double]]], batch b: Int, heads h: Int) -> Tensor {
        let n = z[0].count, d = z[0][0].count
        let t = Tensor(shape: [b, n, h * d])
        for p in 0..<(b * h) {
            let bi = p / h, hi = p % h
            for i in 0..<n { for c in 0..<d { t[(bi * n + i) * h * d + hi * d + c] = Float(z[p][i][c]) } }
        }
        return t
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// softmax(QKᵀ/√d) row-wise.
    static func softmaxMap(q: [[Double]], k: [[Double]]) -> [[Double]] {
        let d = Double(q[0].count)
        return q.map { qi in
            let a = k.map { dot(qi, $0) / d.squareRoot() }
            let m = a.max()!
            let e = a.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }

    static func apply(_ w: [[Double]], _ v: [[Double]]) -> [[Double]] {
        w.map { wi in (0..<v[0].count).map { c in (0..<v.count).reduce(0.0) { $0 + wi[$1] * v[$1][c] } } }
    }

    /// Centred logits x_ij = q_i·(k_j − k̄)/√d.
    static func centredLogits(q: [[Double]], k: [[Double]]) -> [[Double]] {
        let n = Double(k.count), d = q[0].count
        let kbar = (0..<d).map { c in k.reduce(0.0) { $0 + $1[c] } / n }
        let kh = k.map { kj in (0..<d).map { kj[$0] - kbar[$0] } }
        return q.map { qi in kh.map { dot(qi, $0) / Double(d).squareRoot() } }
    }

    /// The quadratic centred first-order Taylor form: Z_i = Σ_j (1 + x_ij)·v_j / Σ_j (1 + x_ij).
    static func taylorQuadratic(q: [[Double]], k: [[Double]], v: [[Double]]) -> [[Double]] {
        let w = centredLogits(q: q, k: k).map { row -> [Double] in
            let t = row.map { 1 + $0 }
            let s = t.reduce(0, +)
            return t.map { $0 / s }
        }
        return apply(w, v)
    }

    static func softmaxAttention(q: [[Double]], k: [[Double]], v: [[Double]]) -> [[Double]] {
        apply(softmaxMap(q: q, k: k), v)
    }
}

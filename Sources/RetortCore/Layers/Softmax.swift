import Foundation

/// Softmax over the last dimension (max-subtracted for stability).
public final class Softmax: Layer {
    private var output: Tensor?
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let c = x.lastDim, rows = x.rows
        let y = Tensor(uninitializedShape: x.shape)
        let xp = x.data, yp = y.data
        parallelChunks(rows, minChunk: max(1, 4096 / max(1, c))) { _, range in
            for r in range {
                let xr = xp + r * c, yr = yp + r * c
                var m = -Float.infinity
                for j in 0..<c { m = max(m, xr[j]) }
                var s: Float = 0
                for j in 0..<c { let e = expf(xr[j] - m); yr[j] = e; s += e }
                let inv = 1 / s
                for j in 0..<c { yr[j] *= inv }
            }
        }
        output = y
        return y
    }

    /// dx = y ⊙ (dy − Σ dy·y) per row.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("Softmax.backward before forward") }
        precondition(dy.shape == y.shape, "Softmax.backward: dy \(dy.shape) vs \(y.shape)")
        let c = y.lastDim, rows = y.rows
        let dx = Tensor(uninitializedShape: y.shape)
        let yp = y.data, gp = dy.data, dp = dx.data
        parallelChunks(rows, minChunk: max(1, 4096 / max(1, c))) { _, range in
            for r in range {
                let yr = yp + r * c, gr = gp + r * c, dr = dp + r * c
                var dot: Float = 0
                for j in 0..<c { dot += gr[j] * yr[j] }
                for j in 0..<c { dr[j] = yr[j] * (gr[j] - dot) }
            }
        }
        return dx
    }
}

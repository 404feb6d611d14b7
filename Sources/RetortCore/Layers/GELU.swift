import Foundation

/// Exact GELU, y = x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's default, approximate='none').
public final class GELU: Layer {
    private var input: Tensor?
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor(uninitializedShape: x.shape)
        let xp = x.data, yp = y.data
        let r2: Float = 0.70710678118654752
        parallelChunks(x.count, minChunk: 1 << 13) { _, r in
            for i in r { let v = xp[i]; yp[i] = 0.5 * v * (1 + erff(v * r2)) }
        }
        input = x
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("GELU.backward before forward") }
        precondition(dy.count == x.count, "GELU.backward: dy \(dy.shape) vs \(x.shape)")
        let dx = Tensor(uninitializedShape: x.shape)
        let xp = x.data, gp = dy.data, dp = dx.data
        let r2: Float = 0.70710678118654752, invSqrt2Pi: Float = 0.39894228040143268
        // dy/dx = Φ(x) + x·φ(x)
        parallelChunks(x.count, minChunk: 1 << 13) { _, r in
            for i in r {
                let v = xp[i]
                let cdf = 0.5 * (1 + erff(v * r2)), pdf = invSqrt2Pi * expf(-0.5 * v * v)
                dp[i] = gp[i] * (cdf + v * pdf)
            }
        }
        return dx
    }
}

/// y = min(max(x, 0), 6). The gradient passes where 0 < x < 6 (as PyTorch's hardtanh).
public final class ReLU6: Layer {
    /// The last forward output (set by the fused BatchNorm + ReLU6 forward too).
    var output: Tensor?
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor(uninitializedShape: x.shape)
        let xp = x.data, yp = y.data
        parallelChunks(x.count, minChunk: 1 << 15) { _, r in
            for i in r { yp[i] = min(max(xp[i], 0), 6) }
        }
        output = y
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("ReLU6.backward before forward") }
        precondition(dy.count == y.count, "ReLU6.backward: dy \(dy.shape) vs \(y.shape)")
        let dx = Tensor(uninitializedShape: y.shape)
        let yp = y.data, gp = dy.data, dp = dx.data
        // 0 < y < 6 ⇔ 0 < x < 6
        parallelChunks(y.count, minChunk: 1 << 15) { _, r in
            Elementwise.passGradient(r.count, where: yp + r.lowerBound, above: 0, below: 6, gp + r.lowerBound, into: dp + r.lowerBound)
        }
        return dx
    }
}

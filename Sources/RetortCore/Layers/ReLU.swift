/// y = max(x, 0). The gradient passes where x > 0 (as PyTorch).
public final class ReLU: Layer {
    private var output: Tensor?
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Tensor(uninitializedShape: x.shape)
        let xp = x.data, yp = y.data
        parallelChunks(x.count, minChunk: 1 << 15) { _, r in
            for i in r { yp[i] = max(xp[i], 0) }
        }
        output = y
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("ReLU.backward before forward") }
        precondition(dy.count == y.count, "ReLU.backward: dy \(dy.shape) vs \(y.shape)")
        let dx = Tensor(uninitializedShape: y.shape)
        let yp = y.data, gp = dy.data, dp = dx.data
        parallelChunks(y.count, minChunk: 1 << 15) { _, r in
            Elementwise.passGradient(r.count, where: yp + r.lowerBound, above: 0, below: .infinity, gp + r.lowerBound, into: dp + r.lowerBound)
        }
        return dx
    }
}

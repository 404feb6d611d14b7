/// Global average pooling: NHWC [N, H, W, C] → [N, C] (the mean over all dimensions
/// between the first and the last, so [N, L, C] works too).
public final class GlobalAvgPool: Layer {
    private var inputShape: [Int] = []
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 2, "GlobalAvgPool expects [N, …, C], got \(x.shape)")
        let n = x.dim(0), c = x.lastDim, hw = x.count / max(1, n * c)
        inputShape = x.shape
        let y = Tensor(shape: [n, c])
        let xp = x.data, yp = y.data, inv = 1 / Float(max(1, hw))
        parallelChunks(n) { _, images in
            for i in images {
                let out = yp + i * c
                for p in 0..<hw { let src = xp + (i * hw + p) * c; for j in 0..<c { out[j] += src[j] } }
                for j in 0..<c { out[j] *= inv }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(!inputShape.isEmpty, "GlobalAvgPool.backward before forward")
        let n = inputShape[0], c = inputShape[inputShape.count - 1]
        precondition(dy.shape == [n, c], "GlobalAvgPool.backward: dy \(dy.shape), expected [\(n), \(c)]")
        let dx = Tensor(shape: inputShape)
        let hw = dx.count / max(1, n * c)
        let gp = dy.data, dp = dx.data, inv = 1 / Float(max(1, hw))
        parallelChunks(n) { _, images in
            for i in images {
                let g = gp + i * c
                for p in 0..<hw { let d = dp + (i * hw + p) * c; for j in 0..<c { d[j] = g[j] * inv } }
            }
        }
        return dx
    }
}

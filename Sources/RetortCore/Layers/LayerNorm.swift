/// Layer normalisation over the last dimension with an elementwise affine (weight 1, bias 0
/// at init, no weight decay), as PyTorch's `LayerNorm(features)`. An input narrower than
/// `features` uses the first-k slice of weight and bias.
public final class LayerNorm: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let features: Int
    public let eps: Float

    private var xhat: Tensor?
    private var invStd: Tensor?

    public init(_ features: Int, eps: Float = 1e-5, name: String = "ln") {
        precondition(features > 0, "LayerNorm: features must be positive")
        self.features = features; self.eps = eps
        weight = Parameter("\(name).weight", Tensor(shape: [features], repeating: 1), decays: false)
        bias = Parameter("\(name).bias", Tensor(shape: [features]), decays: false)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let c = x.lastDim, rows = x.rows
        precondition(c <= features, "LayerNorm: width \(c) exceeds \(features)")
        let xh = Tensor(uninitializedShape: x.shape), y = Tensor(uninitializedShape: x.shape), inv = Tensor(uninitializedShape: [rows])
        let xp = x.data, hp = xh.data, yp = y.data, ip = inv.data
        let gp = weight.value.data, bp = bias.value.data, eps = eps
        parallelChunks(rows, minChunk: max(1, 8192 / c)) { _, range in
            for r in range {
                let xr = xp + r * c, hr = hp + r * c, yr = yp + r * c
                var s = 0.0, s2 = 0.0
                for j in 0..<c { let v = Double(xr[j]); s += v; s2 += v * v }
                let mu = s / Double(c)
                let v = max(0, s2 / Double(c) - mu * mu)
                let m = Float(mu), iv = 1 / (Float(v) + eps).squareRoot()
                ip[r] = iv
                for j in 0..<c {
                    let h = (xr[j] - m) * iv
                    hr[j] = h
                    yr[j] = h * gp[j] + bp[j]
                }
            }
        }
        xhat = xh; invStd = inv
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let xh = xhat, let inv = invStd else { preconditionFailure("LayerNorm.backward before forward") }
        precondition(dy.shape == xh.shape, "LayerNorm.backward: dy \(dy.shape) vs \(xh.shape)")
        let c = xh.lastDim, rows = xh.rows
        // Parameter grads: column sums of dy and dy·x̂ (deterministic chunked reduction).
        let sums = BatchNorm.columnSums(dy.data, xh.data, rows: rows, cols: c)
        let gg = weight.grad.data, gb = bias.grad.data
        for j in 0..<c { gb[j] += Float(sums[j]); gg[j] += Float(sums[c + j]) }
        // dx = σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ, per row.
        let dx = Tensor(uninitializedShape: xh.shape)
        let dyp = dy.data, hp = xh.data, dxp = dx.data, ip = inv.data, gp = weight.value.data
        parallelChunks(rows, minChunk: max(1, 8192 / c)) { _, range in
            for r in range {
                let g = dyp + r * c, h = hp + r * c, d = dxp + r * c
                var a: Float = 0, b: Float = 0
                for j in 0..<c { let gj = g[j] * gp[j]; a += gj; b += gj * h[j] }
                a /= Float(c); b /= Float(c)
                let iv = ip[r]
                for j in 0..<c { d[j] = iv * (g[j] * gp[j] - a - h[j] * b) }
            }
        }
        return dx
    }
}

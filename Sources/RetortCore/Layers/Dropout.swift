/// Inverted dropout: in training each element is zeroed with probability p and the kept
/// ones scaled by 1/(1−p); identity when not training. The mask comes from the layer's
/// own seeded RNG, so a seed reproduces the masks.
public final class Dropout: Layer {
    public let p: Float
    private var rng: RNG
    private var mask: Tensor?  // 0 or 1/(1−p) per element; nil after an identity pass

    public init(p: Float, seed: UInt64) {
        precondition(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got \(p)")
        self.p = p
        rng = RNG(seed: seed)
    }

    /// Restarts the mask sequence (e.g. to replay the same masks).
    public func reseed(_ seed: UInt64) { rng = RNG(seed: seed) }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training && p > 0 else { mask = nil; return x }
        let m = Tensor(shape: x.shape), y = Tensor(shape: x.shape)
        let keep = 1 - p, scale: Float = p >= 1 ? 0 : 1 / keep
        let mp = m.data, xp = x.data, yp = y.data
        var g = rng
        for i in 0..<x.count { mp[i] = g.uniform() < keep ? scale : 0 }
        rng = g
        for i in 0..<x.count { yp[i] = xp[i] * mp[i] }
        mask = m
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let m = mask else { return dy }
        precondition(dy.count == m.count, "Dropout.backward: dy \(dy.shape) vs \(m.shape)")
        let dx = Tensor(shape: dy.shape)
        let mp = m.data, gp = dy.data, dp = dx.data
        for i in 0..<dy.count { dp[i] = gp[i] * mp[i] }
        return dx
    }
}

import RetortCore

/// Synthetic attention masks at a chosen density [R]: entry (i, j) is kept with probability
/// ρ_i, where row i's density ρ_i = clamp(density·(1 + skew·(2u_i − 1)), 0, 1) with u_i
/// uniform in [0, 1) (skew 0: every row at `density`; skew 1: rows spread evenly over
/// 0…2·density). Every row keeps at least one entry: the row's largest probability is
/// ≥ 1/n, above any threshold < 1/n (Sanger's 2e-3 for n < 500, its 2e-2 for n < 50). Seeded: the same seed gives the same masks.
public struct SyntheticMaskSpec: Sendable, Hashable {
    public var density: Double
    public var rowSkew: Double
    public var seed: UInt64

    public init(density: Double, rowSkew: Double = 0, seed: UInt64 = 1) {
        self.density = density; self.rowSkew = rowSkew; self.seed = seed
    }

    /// Allowed densities: (0, 1]; row skew: [0, 1].
    public static let densityRange = "0 < density ≤ 1"

    /// One mask per (layer, head): masks[layer][head].
    public func masks(tokens n: Int, layers: Int, heads: Int) -> [[AttentionMask]] {
        var rng = RNG(seed: seed)
        return (0..<layers).map { _ in (0..<heads).map { _ in mask(n: n, rng: &rng) } }
    }

    public func mask(n: Int, rng: inout RNG) -> AttentionMask {
        var m = AttentionMask(n: n)
        for i in 0..<n {
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            let rho = min(1, max(0, density * (1 + rowSkew * (2 * u - 1))))
            var any = false
            for j in 0..<n where Double(rng.next() >> 11) / Double(1 << 53) < rho { m[i, j] = true; any = true }
            if !any { m[i, Int(rng.next() % UInt64(n))] = true }
        }
        return m
    }
}

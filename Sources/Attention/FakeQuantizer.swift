/// Asymmetric uniform fake quantisation of a whole tensor, as the released ViTALiTy code's
/// `QuantMeasure(4)` (src/quantize.py) does it:
///
///     zero_point = min(x), range = max(x) − min(x)         (this tensor, in training)
///     scale = max(range / (2^bits − 1), 1e-8)
///     x̃ = clamp(round((x − zero_point) / scale), 0, 2^bits − 1) · scale + zero_point
///
/// `round` is round-half-to-even (torch.round). In training the tensor's own range is used
/// and the running statistics follow an EMA, running = m·running + (1 − m)·current with
/// m = `momentum` (0.9), starting from 0; in evaluation the running range is used. The
/// gradient is the straight-through estimator: dx = dx̃, unclipped (the repo's
/// `my_clamp_round` passes the gradient over the whole range).
public struct FakeQuantizer: Sendable, Codable, Equatable {
    /// Bits per value; 0 turns quantisation off (x̃ = x: a full-precision predicted map, used
    /// by the finite-difference tests, where a staircase has no useful derivative).
    public var bits: Int
    public var momentum: Float
    public var runningZeroPoint: Float = 0
    public var runningRange: Float = 0

    public init(bits: Int = 4, momentum: Float = 0.9) {
        precondition(bits >= 0 && bits <= 16, "FakeQuantizer: bits must be in 0…16")
        self.bits = bits; self.momentum = momentum
    }

    public var levels: Int { (1 << bits) - 1 }

    /// Quantises a strided `rows × cols` block of `src` into `dst` (row stride `ldd`).
    /// Returns the (zero point, range) used.
    @discardableResult
    public mutating func quantize(_ src: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int,
                                  into dst: UnsafeMutablePointer<Float>, ldd: Int, training: Bool) -> (zeroPoint: Float, range: Float) {
        var zp: Float, range: Float
        if training {
            var lo = Float.infinity, hi = -Float.infinity
            for r in 0..<rows {
                let row = src + r * ld
                for c in 0..<cols { lo = min(lo, row[c]); hi = max(hi, row[c]) }
            }
            zp = lo; range = hi - lo
            // PyTorch: running.mul_(m).add_(current * (1 − m)), with 1 − m formed in double.
            let keep = Float(1 - Double(momentum.description)!)
            runningZeroPoint = runningZeroPoint * momentum + zp * keep
            runningRange = runningRange * momentum + range * keep
        } else {
            zp = runningZeroPoint; range = runningRange
        }
        if bits == 0 {
            for r in 0..<rows { (dst + r * ldd).update(from: src + r * ld, count: cols) }
            return (zp, range)
        }
        let scale = max(range / Float(levels), 1e-8)
        let top = Float(levels)
        for r in 0..<rows {
            let s = src + r * ld, d = dst + r * ldd
            for c in 0..<cols {
                let q = min(max(((s[c] - zp) / scale).rounded(.toNearestOrEven), 0), top)
                d[c] = q * scale + zp
            }
        }
        return (zp, range)
    }
}

/// Settings of the training-time sparse component (vitality §2.2). The released code's
/// choices and the paper's reading differ where noted; each is selectable (all [R] where the
/// paper is silent):
///
/// - threshold: absolute (the code's 0.002, tuned at DeiT's n = 197), a kept fraction per
///   head map, or scaled by token count (τ·n_ref/n: the same threshold relative to a uniform 1/n);
/// - scale: the sparse term as it is (weight·S·V) or divided by √d as the code divides both terms;
/// - quantiser: separate ranges for Q̃ and K̃, or one shared quantiser as the code has.
public struct SparseConfig: Sendable, Codable, Equatable {
    /// Keep P̃_ij when P̃_ij > threshold (the released code's 0.002); in `tokenScaled` mode the
    /// threshold at `referenceTokens` tokens.
    public var threshold: Float = 0.002
    /// Bits of the fake-quantised Q̃ and K̃.
    public var bits: Int = 4
    /// EMA momentum of the quantisers' running ranges.
    public var momentum: Float = 0.9
    /// Weight of S_sparse·V in Z_train = Taylor + weight·S_sparse·V (the paper's weighting is not known; 1).
    public var weight: Float = 1
    /// How the mask threshold is set.
    public var thresholdMode: SparseThresholdMode = .absolute
    /// `keptFraction` mode: the fraction of each head's n² entries kept (the largest ones).
    public var keptFraction: Float = 0.1
    /// `tokenScaled` mode: the token count at which `threshold` holds (DeiT's 197).
    public var referenceTokens: Int = 197
    /// Multiply the sparse term by 1/√d (the released code scales both terms so).
    public var scaleByInvSqrtD: Bool = false
    /// One quantiser for Q̃ and K̃ (the released code's `QuantMeasure`, shared), else one each.
    public var sharedQuantizer: Bool = false

    public init(threshold: Float = 0.002, bits: Int = 4, momentum: Float = 0.9, weight: Float = 1,
                thresholdMode: SparseThresholdMode = .absolute, keptFraction: Float = 0.1, referenceTokens: Int = 197,
                scaleByInvSqrtD: Bool = false, sharedQuantizer: Bool = false) {
        self.threshold = threshold; self.bits = bits; self.momentum = momentum; self.weight = weight
        self.thresholdMode = thresholdMode; self.keptFraction = keptFraction; self.referenceTokens = referenceTokens
        self.scaleByInvSqrtD = scaleByInvSqrtD; self.sharedQuantizer = sharedQuantizer
    }

    /// The released code's choices on the paper's Taylor kind: 1/√d on the sparse term, one
    /// shared quantiser, the absolute threshold 0.002.
    public static let releasedCode = SparseConfig(scaleByInvSqrtD: true, sharedQuantizer: true)

    private enum CodingKeys: String, CodingKey {
        case threshold, bits, momentum, weight, thresholdMode, keptFraction, referenceTokens, scaleByInvSqrtD, sharedQuantizer
    }

    /// Configs written before the variants existed read as the absolute threshold, unscaled, separate quantisers.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SparseConfig()
        threshold = try c.decodeIfPresent(Float.self, forKey: .threshold) ?? d.threshold
        bits = try c.decodeIfPresent(Int.self, forKey: .bits) ?? d.bits
        momentum = try c.decodeIfPresent(Float.self, forKey: .momentum) ?? d.momentum
        weight = try c.decodeIfPresent(Float.self, forKey: .weight) ?? d.weight
        thresholdMode = try c.decodeIfPresent(SparseThresholdMode.self, forKey: .thresholdMode) ?? d.thresholdMode
        keptFraction = try c.decodeIfPresent(Float.self, forKey: .keptFraction) ?? d.keptFraction
        referenceTokens = try c.decodeIfPresent(Int.self, forKey: .referenceTokens) ?? d.referenceTokens
        scaleByInvSqrtD = try c.decodeIfPresent(Bool.self, forKey: .scaleByInvSqrtD) ?? d.scaleByInvSqrtD
        sharedQuantizer = try c.decodeIfPresent(Bool.self, forKey: .sharedQuantizer) ?? d.sharedQuantizer
    }

    /// The absolute threshold for one map of n tokens in `absolute` and `tokenScaled` modes.
    public func threshold(tokens n: Int) -> Float {
        thresholdMode == .tokenScaled ? threshold * Float(referenceTokens) / Float(max(1, n)) : threshold
    }

    /// The sparse term's multiplier for head dimension d.
    public func effectiveWeight(headDim d: Int) -> Float {
        scaleByInvSqrtD ? weight / Float(d).squareRoot() : weight
    }
}

/// How the sparse mask's threshold is set.
public enum SparseThresholdMode: String, Codable, Sendable, CaseIterable {
    /// Keep P̃ > threshold.
    case absolute
    /// Keep the largest `keptFraction` of each head map's n² entries.
    case keptFraction = "kept-fraction"
    /// Keep P̃ > threshold·referenceTokens/n.
    case tokenScaled = "token-scaled"
}

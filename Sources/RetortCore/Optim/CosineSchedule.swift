import Foundation

/// Linear warm-up followed by cosine decay. With W = `warmupSteps`, N = `totalSteps`,
/// base = `baseLR`, min = `minLR` and s = the 0-based step index (s < 0 is treated as 0):
///
///     s < W:   lr(s) = base · (s + 1) / W            (step 0 → base/W, step W−1 → base)
///     s ≥ W:   p = min(1, (s − W) / max(1, N − W))
///              lr(s) = min + (base − min) · ½ · (1 + cos(π·p))
///
/// so lr(W) = base, lr(N) = min, and lr(s) = min for every s ≥ N (clamped). With W = 0
/// there is no warm-up: lr(0) = base. This equals PyTorch's
/// `SequentialLR([LinearLR(start_factor=1/W, total_iters=W−1), CosineAnnealingLR(T_max=N−W, eta_min=min)], milestones=[W])`
/// for steps 0…N.
public struct CosineSchedule: Sendable {
    public var baseLR: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minLR: Float

    public init(baseLR: Float, warmupSteps: Int, totalSteps: Int, minLR: Float = 0) {
        precondition(warmupSteps >= 0 && totalSteps >= 0, "CosineSchedule: negative step counts")
        self.baseLR = baseLR; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps; self.minLR = minLR
    }

    public func lr(at step: Int) -> Float {
        let s = max(0, step)
        if s < warmupSteps { return Float(Double(baseLR) * Double(s + 1) / Double(warmupSteps)) }
        let span = Double(max(1, totalSteps - warmupSteps))
        let p = min(1, Double(s - warmupSteps) / span)
        return Float(Double(minLR) + (Double(baseLR) - Double(minLR)) * 0.5 * (1 + Foundation.cos(Double.pi * p)))
    }
}

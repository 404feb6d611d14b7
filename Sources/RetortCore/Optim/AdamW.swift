import Foundation

/// Adam with decoupled weight decay, PyTorch `torch.optim.AdamW` semantics (amsgrad off):
///
///     t += 1
///     p *= 1 − lr·wd                    (only parameters with `decays == true`)
///     m = β1·m + (1 − β1)·g
///     v = β2·v + (1 − β2)·g²
///     p −= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
///
/// Every element of each parameter's full-size `grad` buffer is used.
public final class AdamW: Optimizer {
    public let parameters: [Parameter]
    public var lr: Float
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    /// Number of `step()` calls so far (t in the bias corrections).
    public private(set) var stepCount = 0
    /// First (m) and second (v) moment estimates, one per parameter.
    public let firstMoments: [Tensor]
    public let secondMoments: [Tensor]

    public init(parameters: [Parameter], lr: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        firstMoments = parameters.map { Tensor(shape: $0.shape) }
        secondMoments = parameters.map { Tensor(shape: $0.shape) }
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        // PyTorch computes every scalar coefficient in Python floats (double) from the
        // decimal hyper-parameters, then rounds it to float32 once. `exact` recovers the
        // decimal a Float was written as (0.999 → 0.999, not 0.99900001…), so 1 − β2 is
        // 0.001 rather than 0.000999987 (a 1.3e-5 relative difference otherwise).
        func exact(_ f: Float) -> Double { Double(f.description) ?? Double(f) }
        let lrD = exact(self.lr), b1 = exact(self.beta1), b2 = exact(self.beta2)
        let bc1 = 1 - Foundation.pow(b1, t)
        let bc2Sqrt = Float((1 - Foundation.pow(b2, t)).squareRoot())
        let negStepSize = Float(-lrD / bc1)
        let oneMinusB1 = Float(1 - b1), b2f = Float(b2), oneMinusB2 = Float(1 - b2)
        let epsF = Float(exact(self.eps))
        let decayFactor = Float(1 - lrD * exact(self.weightDecay))
        for (i, p) in parameters.enumerated() {
            precondition(p.grad.count == p.count, "AdamW: grad of \(p.name) has \(p.grad.count) elements, value \(p.count)")
            let w = p.value.data, g = p.grad.data, n = p.count
            let m = firstMoments[i].data, v = secondMoments[i].data
            let decay: Float = p.decays ? decayFactor : 1
            for j in 0..<n {
                let gj = g[j]
                let mj = m[j] + oneMinusB1 * (gj - m[j])          // exp_avg.lerp_(grad, 1 − β1)
                let vj = v[j] * b2f + oneMinusB2 * gj * gj      // exp_avg_sq.mul_(β2).addcmul_(g, g, 1 − β2)
                m[j] = mj; v[j] = vj
                let denom = vj.squareRoot() / bc2Sqrt + epsF      // (√v / √bc2) + eps
                w[j] = w[j] * decay + negStepSize * mj / denom     // p.addcdiv_(m, denom, −lr/bc1)
            }
        }
    }

    /// Sets the step count t (restoring a checkpoint; the moments are restored in place).
    public func restore(stepCount n: Int) {
        precondition(n >= 0, "AdamW.restore: negative step count")
        stepCount = n
    }

    public func zeroGrad() { for p in parameters { p.grad.zero() } }
}

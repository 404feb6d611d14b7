/// Stochastic gradient descent with PyTorch's `torch.optim.SGD` semantics (dampening 0):
///
///     d = grad + wd·p                  (wd only for parameters with `decays == true`)
///     buf = d                          (first step with momentum ≠ 0)
///     buf = momentum·buf + d           (later steps)
///     d = nesterov ? d + momentum·buf : buf     (when momentum ≠ 0)
///     p -= lr·d
///
/// Every element of each parameter's full-size `grad` buffer is used, so parameters
/// whose gradient is (partly) zero still feel momentum and weight decay, as in PyTorch.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var lr: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    /// Momentum buffers, one per parameter, created on the first step with momentum ≠ 0.
    public private(set) var momentumBuffers: [Tensor?]

    public init(parameters: [Parameter], lr: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum requires momentum > 0")
        self.parameters = parameters
        self.lr = lr; self.momentum = momentum; self.nesterov = nesterov; self.weightDecay = weightDecay
        momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        let lr = lr, mu = momentum
        for (i, p) in parameters.enumerated() {
            precondition(p.grad.count == p.count, "SGD: grad of \(p.name) has \(p.grad.count) elements, value \(p.count)")
            let w = p.value.data, g = p.grad.data, n = p.count
            let wd: Float = p.decays ? weightDecay : 0
            if mu == 0 {
                if wd == 0 {
                    for j in 0..<n { w[j] -= lr * g[j] }
                } else {
                    for j in 0..<n { w[j] -= lr * (g[j] + wd * w[j]) }
                }
                continue
            }
            if let buf = momentumBuffers[i] {
                let b = buf.data
                if nesterov {
                    for j in 0..<n {
                        let d = g[j] + wd * w[j]
                        let nb = mu * b[j] + d
                        b[j] = nb
                        w[j] -= lr * (d + mu * nb)
                    }
                } else {
                    for j in 0..<n {
                        let d = g[j] + wd * w[j]
                        let nb = mu * b[j] + d
                        b[j] = nb
                        w[j] -= lr * nb
                    }
                }
            } else {
                let buf = Tensor(shape: p.shape)
                let b = buf.data
                for j in 0..<n {
                    let d = g[j] + wd * w[j]
                    b[j] = d
                    w[j] -= lr * (nesterov ? d + mu * d : d)
                }
                momentumBuffers[i] = buf
            }
        }
    }

    /// Replaces the momentum buffers (restoring a checkpoint); nil = not created yet.
    public func restore(momentumBuffers b: [Tensor?]) {
        precondition(b.count == parameters.count, "SGD.restore: \(b.count) buffers for \(parameters.count) parameters")
        for (i, t) in b.enumerated() { precondition(t == nil || t!.count == parameters[i].count, "SGD.restore: buffer \(i) has the wrong size") }
        momentumBuffers = b
    }

    public func zeroGrad() { for p in parameters { p.grad.zero() } }
}

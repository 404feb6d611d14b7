import Foundation

/// Per-row entropy −Σ_c p_c·log p_c (natural log) of softmax(logits) for `[B, C]` logits.
/// Ranges from 0 (one-hot) to log C (uniform). Used for uncertainty-based sample weights.
public func softmaxEntropy(logits: Tensor) -> [Float] {
    let b = logits.rows, c = logits.lastDim
    var out = [Float](repeating: 0, count: b)
    let lp = UnsafeMutablePointer<Double>.allocate(capacity: max(1, c))
    defer { lp.deallocate() }
    for i in 0..<b {
        retortLogSoftmaxRow(logits.data + i * c, c, into: lp)
        var h = 0.0
        for k in 0..<c { let p = Foundation.exp(lp[k]); if p > 0 { h -= p * lp[k] } }
        out[i] = Float(h)
    }
    return out
}

import Foundation

/// Row-wise numerically stable log-softmax of `n` values, in Double for the sums.
/// Writes log p_c into `out` and returns nothing; shared by the loss functions here.
@inline(__always)
func retortLogSoftmaxRow(_ x: UnsafePointer<Float>, _ n: Int, scale: Float = 1,
                         into out: UnsafeMutablePointer<Double>) {
    var m = -Float.infinity
    for c in 0..<n { m = max(m, x[c] * scale) }
    var s = 0.0
    for c in 0..<n { s += Foundation.exp(Double(x[c] * scale - m)) }
    let lse = Double(m) + Foundation.log(s)
    for c in 0..<n { out[c] = Double(x[c] * scale) - lse }
}

/// Mean cross-entropy over a batch of logits `[B, C]` (any leading shape: rows × last dim).
///
/// Per sample i with label y and ε = `labelSmoothing`:
///     ℓ_i = (1 − ε)·(−log p_{i,y}) + ε·mean_c(−log p_{i,c})
/// which is exactly PyTorch's `F.cross_entropy(logits, y, label_smoothing=ε, reduction='none')`.
/// The loss is Σ_i w_i·ℓ_i / B with w_i = `sampleWeights[i]` (1 when nil); note the
/// divisor is B, not Σ w_i.
///
/// `grad` is dLoss/dlogits: (w_i / B)·(p_i − ((1 − ε)·onehot(y_i) + ε/C)).
public func crossEntropy(logits: Tensor, labels: [Int], labelSmoothing: Float = 0,
                         sampleWeights: [Float]? = nil) -> (loss: Float, grad: Tensor) {
    let b = logits.rows, c = logits.lastDim
    precondition(labels.count == b, "crossEntropy: \(labels.count) labels for \(b) rows")
    precondition(sampleWeights == nil || sampleWeights!.count == b, "crossEntropy: sampleWeights count \(sampleWeights!.count) ≠ \(b)")
    precondition(c > 0, "crossEntropy: no classes")
    let eps = Double(labelSmoothing)
    let grad = Tensor(shape: logits.shape)
    let logp = UnsafeMutablePointer<Double>.allocate(capacity: c)
    defer { logp.deallocate() }
    var total = 0.0
    let invB = 1.0 / Double(max(1, b))
    for i in 0..<b {
        let y = labels[i]
        precondition(y >= 0 && y < c, "crossEntropy: label \(y) outside 0..<\(c)")
        let w = Double(sampleWeights?[i] ?? 1)
        let row = logits.data + i * c
        retortLogSoftmaxRow(row, c, into: logp)
        var sumNeg = 0.0
        for k in 0..<c { sumNeg -= logp[k] }
        let li = (1 - eps) * (-logp[y]) + eps * sumNeg / Double(c)
        total += w * li
        let g = grad.data + i * c
        let scale = w * invB
        let smooth = eps / Double(c)
        for k in 0..<c {
            let target = (k == y ? 1 - eps : 0) + smooth
            g[k] = Float(scale * (Foundation.exp(logp[k]) - target))
        }
    }
    return (Float(total * invB), grad)
}

/// Index of the largest value in each row of a `[rows, C]` tensor (first index on ties).
public func argmax(rows t: Tensor) -> [Int] {
    let c = t.lastDim
    var out = [Int](repeating: 0, count: t.rows)
    for i in 0..<t.rows {
        let r = t.data + i * c
        var best = 0
        for k in 1..<max(1, c) where r[k] > r[best] { best = k }
        out[i] = best
    }
    return out
}

/// Per-sample correctness: `argmax(rows: logits)[i] == labels[i]`.
public func correctness(logits: Tensor, labels: [Int]) -> [Bool] {
    precondition(labels.count == logits.rows, "correctness: \(labels.count) labels for \(logits.rows) rows")
    return zip(argmax(rows: logits), labels).map { $0 == $1 }
}

/// Fraction of rows whose argmax equals the label (0 for an empty batch).
public func accuracy(logits: Tensor, labels: [Int]) -> Float {
    let ok = correctness(logits: logits, labels: labels)
    return ok.isEmpty ? 0 : Float(ok.filter { $0 }.count) / Float(ok.count)
}

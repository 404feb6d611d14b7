import Foundation

/// Knowledge-distillation loss between student and teacher logits `[B, C]`:
///
///     loss = T² · (1/B) · Σ_i w_i · KL(softmax(t_i/T) ‖ softmax(s_i/T))
///
/// with w_i = `sampleWeights[i]` (1 when nil). PyTorch equivalent:
/// `(F.kl_div(F.log_softmax(s/T, 1), F.softmax(t/T, 1), reduction='none').sum(1) * w).mean() * T**2`.
/// Terms with a teacher probability of exactly 0 contribute 0 (as `kl_div`'s xlogy).
///
/// `grad` is dLoss/d(student logits) only (the teacher is treated as a constant):
/// T·(w_i/B)·(softmax(s_i/T) − softmax(t_i/T)).
public func softTargetKL(studentLogits: Tensor, teacherLogits: Tensor, temperature T: Float,
                         sampleWeights: [Float]? = nil) -> (loss: Float, grad: Tensor) {
    precondition(studentLogits.shape == teacherLogits.shape,
                 "softTargetKL: student \(studentLogits.shape) vs teacher \(teacherLogits.shape)")
    precondition(T > 0, "softTargetKL: temperature must be positive")
    let b = studentLogits.rows, c = studentLogits.lastDim
    precondition(sampleWeights == nil || sampleWeights!.count == b, "softTargetKL: sampleWeights count ≠ \(b)")
    let grad = Tensor(shape: studentLogits.shape)
    let ls = UnsafeMutablePointer<Double>.allocate(capacity: c)
    let lt = UnsafeMutablePointer<Double>.allocate(capacity: c)
    defer { ls.deallocate(); lt.deallocate() }
    let invT = 1 / T
    let invB = 1.0 / Double(max(1, b))
    let t = Double(T)
    var total = 0.0
    for i in 0..<b {
        let w = Double(sampleWeights?[i] ?? 1)
        retortLogSoftmaxRow(studentLogits.data + i * c, c, scale: invT, into: ls)
        retortLogSoftmaxRow(teacherLogits.data + i * c, c, scale: invT, into: lt)
        var kl = 0.0
        let g = grad.data + i * c
        let scale = t * w * invB
        for k in 0..<c {
            let pt = Foundation.exp(lt[k])
            if pt > 0 { kl += pt * (lt[k] - ls[k]) }
            g[k] = Float(scale * (Foundation.exp(ls[k]) - pt))
        }
        total += w * kl
    }
    return (Float(t * t * total * invB), grad)
}

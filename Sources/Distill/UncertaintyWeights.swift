import Foundation
import RetortCore

/// Per-sample distillation weights from the teacher's uncertainty (spec §4.2, all [R]).
public enum UncertaintyWeights {
    /// Row-wise softmax of logits / T in Double.
    static func softmaxRows(_ logits: Tensor, temperature T: Float = 1) -> [[Double]] {
        let b = logits.rows, c = logits.lastDim
        var out: [[Double]] = []
        out.reserveCapacity(b)
        for i in 0..<b {
            let row = logits.data + i * c
            var m = -Double.infinity
            for k in 0..<c { m = max(m, Double(row[k]) / Double(T)) }
            var p = (0..<c).map { Foundation.exp(Double(row[$0]) / Double(T) - m) }
            let s = p.reduce(0, +)
            for k in 0..<c { p[k] /= s }
            out.append(p)
        }
        return out
    }

    static func entropy(_ p: [Double]) -> Double { p.reduce(0) { $1 > 0 ? $0 - $1 * Foundation.log($1) : $0 } }

    /// U1: w = 1 − H(softmax(z))/log C, clipped to [0, 1]; also returns the entropies H.
    public static func entropy(teacherLogits z: Tensor) -> (weights: [Float], entropies: [Float]) {
        let h = softmaxEntropy(logits: z)
        let logC = Foundation.log(Float(max(2, z.lastDim)))
        return (h.map { min(1, max(0, 1 - $0 / logC)) }, h)
    }

    /// Mean negative log-likelihood of `labels` under softmax(z / T), in Double.
    public static func nll(logits z: Tensor, labels: [Int], temperature T: Double) -> Double {
        let b = z.rows, c = z.lastDim
        guard b > 0 else { return .nan }
        var total = 0.0
        for i in 0..<b {
            let row = z.data + i * c
            var m = -Double.infinity
            for k in 0..<c { m = max(m, Double(row[k]) / T) }
            var s = 0.0
            for k in 0..<c { s += Foundation.exp(Double(row[k]) / T - m) }
            total += m + Foundation.log(s) - Double(row[labels[i]]) / T
        }
        return total / Double(b)
    }

    /// Temperature scaling [R]: the T in `range` that minimises the NLL of `labels` under
    /// softmax(z / T) (golden-section search on log T; the NLL is convex in 1/T, so unimodal
    /// in log T). With `range` starting at 1 it only ever softens an over-confident teacher.
    public static func fitTemperature(logits z: Tensor, labels: [Int], range: ClosedRange<Double> = 1...50) -> Double {
        guard z.rows > 0 else { return range.lowerBound }
        var lo = Foundation.log(range.lowerBound), hi = Foundation.log(range.upperBound)
        let g = (5.0.squareRoot() - 1) / 2
        func f(_ u: Double) -> Double { nll(logits: z, labels: labels, temperature: Foundation.exp(u)) }
        var a = hi - g * (hi - lo), b = lo + g * (hi - lo)
        var fa = f(a), fb = f(b)
        for _ in 0..<60 {
            if fa <= fb { hi = b; b = a; fb = fa; a = hi - g * (hi - lo); fa = f(a) }
            else { lo = a; a = b; fa = fb; b = lo + g * (hi - lo); fb = f(b) }
        }
        let u = (lo + hi) / 2
        // the ends are candidates too (the minimum may sit on the boundary)
        let best = [(u, f(u)), (Foundation.log(range.lowerBound), f(Foundation.log(range.lowerBound))),
                    (Foundation.log(range.upperBound), f(Foundation.log(range.upperBound)))].min { $0.1 < $1.1 }!
        return min(range.upperBound, max(range.lowerBound, Foundation.exp(best.0)))
    }

    /// Calibrated KD [R]: trust the teacher on a training sample only as far as its held-out
    /// calibration justifies. `heldOutError` is the teacher's error rate on rows it never
    /// trained on; a confidence c_i = max softmax(z_i) (T = 1) claims an error rate 1 − c_i.
    /// w_i = min(1, (1 − c_i) / heldOutError): full weight where the teacher is no more
    /// confident than its held-out accuracy allows, proportionally less where it claims
    /// fewer errors than it makes on held-out data (an over-fitted teacher on the samples it
    /// memorised). The KD target stays the teacher's logits.
    public static func calibrated(teacherLogits z: Tensor, heldOutError e: Double) -> [Float] {
        precondition(e > 0, "calibrated weights need a positive held-out error rate")
        return softmaxRows(z).map { p in Float(min(1, (1 - (p.max() ?? 0)) / e)) }
    }

    /// U2: w = 1 when the teacher's argmax is the label, else 0.
    public static func gate(teacherLogits z: Tensor, labels: [Int]) -> [Float] {
        correctness(logits: z, labels: labels).map { $0 ? 1 : 0 }
    }

    /// U4: an ensemble of K sub-networks' logits. The KD target is the mean of
    /// softmax(z_k/T), returned as logits T·log(p̄) (so that softmax(target/T) = p̄ exactly);
    /// the weight is w = 1 − MI/log K, where MI = H(mean_k q_k) − mean_k H(q_k) at T = 1 is
    /// the members' disagreement (0 when they agree, log K at most).
    public static func ensemble(members: [Tensor], temperature T: Float) -> (target: Tensor, weights: [Float], disagreement: [Float]) {
        precondition(members.count >= 2, "ensemble needs at least two members")
        let shape = members[0].shape
        precondition(members.allSatisfy { $0.shape == shape }, "ensemble members differ in shape")
        let b = members[0].rows, c = members[0].lastDim, k = Double(members.count)
        let atT = members.map { softmaxRows($0, temperature: T) }
        let at1 = T == 1 ? atT : members.map { softmaxRows($0, temperature: 1) }
        let target = Tensor(shape: shape)
        var weights = [Float](repeating: 0, count: b), mi = [Float](repeating: 0, count: b)
        let logK = Foundation.log(k)
        for i in 0..<b {
            var mean = [Double](repeating: 0, count: c), mean1 = [Double](repeating: 0, count: c)
            var meanH = 0.0
            for m in 0..<members.count {
                for j in 0..<c { mean[j] += atT[m][i][j] / k; mean1[j] += at1[m][i][j] / k }
                meanH += entropy(at1[m][i]) / k
            }
            for j in 0..<c { target.data[i * c + j] = Float(Double(T) * Foundation.log(max(mean[j], 1e-30))) }
            let d = max(0, entropy(mean1) - meanH)
            mi[i] = Float(d)
            weights[i] = Float(min(1, max(0, 1 - d / logK)))
        }
        return (target, weights, mi)
    }
}

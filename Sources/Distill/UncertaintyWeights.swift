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

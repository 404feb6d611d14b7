/// ViTALiTy's six Taylor steps for one head computed value by value, with the three
/// matrix products run on the functional (register-level) systolic arrays exactly as the
/// timing model maps them: stationary operand preloaded from the top (double-buffered
/// tiles), streamed operand from the left, partial sums flowing down.
public enum TaylorAttentionFunctional {
    public struct Result {
        /// n×d attention output Z.
        public var z: Matrix
        /// Cycles of K̂ᵀV and Q·G on SA-General and of Q·k̂_sumᵀ on SA-Diag (each counted
        /// like `SAWork.duration`, i.e. the functional array's last cycle index + 1).
        public var kvCycles: Int, qgCycles: Int, diagCycles: Int
    }

    /// q, k, v: n×d. `rows`×`cols` is SA-General; SA-Diag is `diagRows`×1.
    public static func run(q: Matrix, k: Matrix, v: Matrix, rows: Int, cols: Int, diagRows: Int) -> Result {
        let n = q.rows, d = q.cols
        let sqrtD = Double(d).squareRoot()
        // Step 1: K̂ = K − 1·(1ᵀK / n)   (ACC, DIV single-divisor, ADD)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for c in 0..<d { mean[c] += k[i, c] } }
        for c in 0..<d { mean[c] /= Double(n) }
        var kHat = k
        for i in 0..<n { for c in 0..<d { kHat[i, c] -= mean[c] } }
        // Step 2: G = K̂ᵀV on SA-General, V stationary (WS: A = K̂ᵀ streamed, B = V stationary)
        let sa = FunctionalSystolicArray(array: ArrayShape(rows: rows, cols: cols), dataflow: .weightStationary, overlappedPreload: true)
        let kv = sa.multiply(kHat.transposed, v)
        // Step 3: k̂_sum = 1ᵀK̂, v_sum = 1ᵀV  (ACC)
        var kSum = Matrix(rows: d, cols: 1), vSum = [Double](repeating: 0, count: d)
        for i in 0..<n { for c in 0..<d { kSum[c, 0] += kHat[i, c]; vSum[c] += v[i, c] } }
        // Step 4: t_D = n√d + Q·k̂_sumᵀ  (SA-Diag, k̂_sum stationary; ADD)
        let diag = FunctionalSystolicArray(array: ArrayShape(rows: diagRows, cols: 1), dataflow: .weightStationary, overlappedPreload: true)
        let qk = diag.multiply(q, kSum)
        // Step 5: T_N = √d·v_sum + Q·G  (SA-General, G stationary; ADD)
        let qg = sa.multiply(q, kv.product)
        var z = Matrix(rows: n, cols: d)
        for i in 0..<n {
            let tD = Double(n) * sqrtD + qk.product[i, 0]
            // Step 6: Z = diag(t_D)⁻¹·T_N  (DIV, multiple-divisor mode)
            for c in 0..<d { z[i, c] = (sqrtD * vSum[c] + qg.product[i, c]) / tD }
        }
        return Result(z: z, kvCycles: kv.totalCycles + 1, qgCycles: qg.totalCycles + 1, diagCycles: qk.totalCycles + 1)
    }

    /// The quadratic reference: Z_i = Σ_j (1 + q_i·k̂_j/√d) v_j / Σ_j (1 + q_i·k̂_j/√d).
    public static func reference(q: Matrix, k: Matrix, v: Matrix) -> Matrix {
        let n = q.rows, d = q.cols, s = Double(d).squareRoot()
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for c in 0..<d { mean[c] += k[i, c] / Double(n) } }
        var z = Matrix(rows: n, cols: d)
        for i in 0..<n {
            var den = 0.0
            var num = [Double](repeating: 0, count: d)
            for j in 0..<n {
                var dot = 0.0
                for c in 0..<d { dot += q[i, c] * (k[j, c] - mean[c]) }
                let w = 1 + dot / s
                den += w
                for c in 0..<d { num[c] += w * v[j, c] }
            }
            for c in 0..<d { z[i, c] = num[c] / den }
        }
        return z
    }
}

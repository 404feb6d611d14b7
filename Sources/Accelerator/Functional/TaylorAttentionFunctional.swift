/// ViTALiTy's six Taylor steps for one head computed value by value, with the three
/// matrix products run on the functional (register-level) systolic arrays exactly as the
/// timing model maps them: stationary operand preloaded from the top (double-buffered
/// tiles), streamed operand from the left, partial sums flowing down. Both centring readings
/// (K centred over the tokens or over the head dimension) and the optimised tokens mode that
/// skips k̂_sum (`TaylorVariant`).
public enum TaylorAttentionFunctional {
    public struct Result {
        /// n×d attention output Z.
        public var z: Matrix
        /// Cycles of K̂ᵀV and Q·G on SA-General and of Q·k̂_sumᵀ on SA-Diag (each counted
        /// like `SAWork.duration`, i.e. the functional array's last cycle index + 1; nil:
        /// k̂_sum skipped, SA-Diag not used).
        public var kvCycles: Int, qgCycles: Int, diagCycles: Int?
        /// k̂_sum = 1ᵀK̂ (zero up to rounding with tokens centring; nil when skipped).
        public var kHatSum: [Double]?
        /// The n divisors of Step 6: t_D (multiple-divisor mode), or n√d for every row when skipped.
        public var divisors: [Double]
    }

    /// K̂: K minus its column means over the n tokens, or each row minus its mean over the d entries.
    public static func centred(_ k: Matrix, _ centring: KeyCentring) -> Matrix {
        let n = k.rows, d = k.cols
        var kHat = k
        switch centring {
        case .tokens:
            // ACC: d column sums; DIV single-divisor Reg(n); ADD
            var mean = [Double](repeating: 0, count: d)
            for i in 0..<n { for c in 0..<d { mean[c] += k[i, c] } }
            for c in 0..<d { mean[c] /= Double(n) }
            for i in 0..<n { for c in 0..<d { kHat[i, c] -= mean[c] } }
        case .head:
            // ACC: n row sums (one token per lane); DIV single-divisor Reg(d); ADD
            for i in 0..<n {
                var m = 0.0
                for c in 0..<d { m += k[i, c] }
                m /= Double(d)
                for c in 0..<d { kHat[i, c] -= m }
            }
        }
        return kHat
    }

    /// q, k, v: n×d. `rows`×`cols` is SA-General; SA-Diag is `diagRows`×1.
    public static func run(q: Matrix, k: Matrix, v: Matrix, rows: Int, cols: Int, diagRows: Int,
                           variant: TaylorVariant = .paper) -> Result {
        precondition(variant.problem == nil, "TaylorVariant.problem: check before running")
        let n = q.rows, d = q.cols
        let sqrtD = Double(d).squareRoot()
        // Step 1: K̂ = K − mean   (ACC, DIV single-divisor, ADD)
        let kHat = centred(k, variant.centring)
        // Step 2: G = K̂ᵀV on SA-General, V stationary (WS: A = K̂ᵀ streamed, B = V stationary)
        let sa = FunctionalSystolicArray(array: ArrayShape(rows: rows, cols: cols), dataflow: .weightStationary, overlappedPreload: true)
        let kv = sa.multiply(kHat.transposed, v)
        // Step 3: v_sum = 1ᵀV and (unless skipped) k̂_sum = 1ᵀK̂  (ACC)
        var vSum = [Double](repeating: 0, count: d)
        for i in 0..<n { for c in 0..<d { vSum[c] += v[i, c] } }
        var divisors = [Double](repeating: Double(n) * sqrtD, count: n)
        var kHatSum: [Double]? = nil, diagCycles: Int? = nil
        if variant.kSum == .compute {
            var kSum = Matrix(rows: d, cols: 1)
            for i in 0..<n { for c in 0..<d { kSum[c, 0] += kHat[i, c] } }
            // Step 4: t_D = n√d + Q·k̂_sumᵀ  (SA-Diag, k̂_sum stationary; ADD)
            let diag = FunctionalSystolicArray(array: ArrayShape(rows: diagRows, cols: 1), dataflow: .weightStationary, overlappedPreload: true)
            let qk = diag.multiply(q, kSum)
            for i in 0..<n { divisors[i] += qk.product[i, 0] }
            kHatSum = kSum.data; diagCycles = qk.totalCycles + 1
        }
        // Step 5: T_N = √d·v_sum + Q·G  (SA-General, G stationary; ADD)
        let qg = sa.multiply(q, kv.product)
        var z = Matrix(rows: n, cols: d)
        for i in 0..<n {
            // Step 6: Z = diag(t_D)⁻¹·T_N  (DIV: multiple-divisor mode, or the one divisor n√d when skipped)
            for c in 0..<d { z[i, c] = (sqrtD * vSum[c] + qg.product[i, c]) / divisors[i] }
        }
        return Result(z: z, kvCycles: kv.totalCycles + 1, qgCycles: qg.totalCycles + 1, diagCycles: diagCycles,
                      kHatSum: kHatSum, divisors: divisors)
    }

    /// The quadratic reference: Z_i = Σ_j (1 + q_i·k̂_j/√d) v_j / Σ_j (1 + q_i·k̂_j/√d).
    /// k̂_j centred over the tokens (the default) or over the head dimension.
    public static func reference(q: Matrix, k: Matrix, v: Matrix, centring: KeyCentring = .tokens) -> Matrix {
        let n = q.rows, d = q.cols, s = Double(d).squareRoot()
        let kHat = centred(k, centring)
        var z = Matrix(rows: n, cols: d)
        for i in 0..<n {
            var den = 0.0
            var num = [Double](repeating: 0, count: d)
            for j in 0..<n {
                var dot = 0.0
                for c in 0..<d { dot += q[i, c] * kHat[j, c] }
                let w = 1 + dot / s
                den += w
                for c in 0..<d { num[c] += w * v[j, c] }
            }
            for c in 0..<d { z[i, c] = num[c] / den }
        }
        return z
    }
}

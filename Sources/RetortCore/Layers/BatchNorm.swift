import Foundation

/// Batch normalisation over all dimensions but the last ([N, F] or NHWC [N, H, W, C]).
///
/// The active width is the input's last dimension: the first-k slice of gamma, beta and
/// the running statistics is used. Training normalises with the batch statistics
/// (biased variance) and updates the running statistics with the unbiased variance, as
/// PyTorch does; evaluation uses the running statistics.
///
/// With `perWidthStatistics`, each active width keeps its own running mean/variance, so
/// passes at one width (e.g. a wide teacher) do not disturb the statistics used at
/// another (a narrow student). The full width always uses `runningMean`/`runningVar`.
public final class BatchNorm: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let features: Int
    public let eps: Float
    public let momentum: Float
    public let perWidthStatistics: Bool
    /// Running statistics at full width (and, when shared, for every width as a first-k slice).
    public let runningMean: Tensor
    public let runningVar: Tensor
    private var widthStatistics: [Int: (mean: Tensor, variance: Tensor)] = [:]

    // forward cache: the input and the statistics used; x̂ = (x − mean)·invStd is
    // recomputed in backward (bit-identical) instead of being stored.
    private var input: Tensor?
    private var mean: [Float] = []
    private var invStd: [Float] = []
    private var usedBatchStatistics = false
    /// Set when the forward pass also applied a following ReLU6 (see `Sequential`): its
    /// output, and the γ, β used, so that the backward pass can recompute the ReLU6 mask.
    private var clamped: (output: Tensor, gamma: [Float], beta: [Float])?

    public init(_ features: Int, eps: Float = 1e-5, momentum: Float = 0.1, perWidthStatistics: Bool = false,
                name: String = "bn") {
        precondition(features > 0, "BatchNorm: features must be positive")
        self.features = features; self.eps = eps; self.momentum = momentum
        self.perWidthStatistics = perWidthStatistics
        weight = Parameter("\(name).weight", Tensor(shape: [features], repeating: 1), decays: false)
        bias = Parameter("\(name).bias", Tensor(shape: [features]), decays: false)
        runningMean = Tensor(shape: [features])
        runningVar = Tensor(shape: [features], repeating: 1)
    }

    public var parameters: [Parameter] { [weight, bias] }
    /// The full-width running statistics (per-width ones are not included).
    public var buffers: [(name: String, tensor: Tensor)] {
        let base = weight.name.hasSuffix(".weight") ? String(weight.name.dropLast(7)) : weight.name
        return [("\(base).running_mean", runningMean), ("\(base).running_var", runningVar)]
    }

    /// Widths that have their own running statistics (per-width mode), besides the full width.
    public var trackedWidths: [Int] { widthStatistics.keys.sorted() }

    /// Running mean and variance used at `width`: views of the first `width` entries of
    /// `runningMean`/`runningVar` when shared (or at full width), else that width's own
    /// (mean 0, variance 1 if the width has not been trained yet).
    public func runningStatistics(width: Int) -> (mean: Tensor, var: Tensor) {
        precondition(width > 0 && width <= features, "BatchNorm: width \(width) outside 1...\(features)")
        if perWidthStatistics && width != features {
            if let s = widthStatistics[width] { return (s.mean, s.variance) }
            return (Tensor(shape: [width]), Tensor(shape: [width], repeating: 1))
        }
        return (Tensor(view: runningMean.storage, shape: [width]), Tensor(view: runningVar.storage, shape: [width]))
    }

    /// Sets the running statistics used at `width` (restoring a checkpoint): copies into the
    /// full-width buffers' first entries when shared or at full width, else gives that width
    /// its own statistics (tracked from now on).
    public func setRunningStatistics(width: Int, mean: Tensor, variance: Tensor) {
        precondition(width > 0 && width <= features && mean.count == width && variance.count == width,
                     "BatchNorm: statistics of width \(width) do not fit \(features) features")
        let s = statistics(width: width)
        s.mean.copy(from: mean); s.variance.copy(from: variance)
    }

    /// Resets every running mean to 0 and variance to 1, and forgets per-width statistics.
    public func resetRunningStatistics() {
        runningMean.fill(0); runningVar.fill(1)
        widthStatistics.removeAll()
    }

    /// The stored statistics for `width`, created on first use.
    private func statistics(width: Int) -> (mean: Tensor, variance: Tensor) {
        if perWidthStatistics && width != features {
            if let s = widthStatistics[width] { return s }
            let s = (mean: Tensor(shape: [width]), variance: Tensor(shape: [width], repeating: 1))
            widthStatistics[width] = s
            return s
        }
        let s = runningStatistics(width: width)
        return (s.mean, s.var)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        forward(x, training: training, clampingTo6: false)
    }

    /// With `clampingTo6`, returns ReLU6(BN(x)) without materialising BN(x): the fused
    /// forward of a BatchNorm followed by a ReLU6 (see `Sequential`). The values are
    /// exactly those of the two layers run one after the other.
    func forward(_ x: Tensor, training: Bool, clampingTo6: Bool) -> Tensor {
        let c = x.lastDim, rows = x.rows
        precondition(c <= features, "BatchNorm: width \(c) exceeds \(features)")
        var mean = [Float](repeating: 0, count: c)
        var invStd = [Float](repeating: 0, count: c)
        if training {
            let stats = statistics(width: c)
            precondition(rows > 1, "BatchNorm: training needs more than one value per channel, got \(x.shape)")
            // Σ(x − K), Σ(x − K)² with K = the first row: shifting by a sample of the
            // column keeps E[x²] − E[x]² free of cancellation when |mean| ≫ std.
            let sums = BatchNorm.shiftedSquareSums(x.data, rows: rows, cols: c)
            let m = momentum, rm = stats.mean.data, rv = stats.variance.data
            for j in 0..<c {
                let d = sums[j] / Double(rows)
                let mu = Double(x.data[j]) + d
                let v = max(0, sums[c + j] / Double(rows) - d * d)
                mean[j] = Float(mu)
                invStd[j] = 1 / (Float(v) + eps).squareRoot()
                rm[j] = (1 - m) * rm[j] + m * Float(mu)
                rv[j] = (1 - m) * rv[j] + m * Float(v * Double(rows) / Double(rows - 1))
            }
        } else {
            let stats = runningStatistics(width: c)  // does not register a new width
            for j in 0..<c {
                mean[j] = stats.mean.data[j]
                invStd[j] = 1 / (stats.var.data[j] + eps).squareRoot()
            }
        }
        usedBatchStatistics = training
        let y = Tensor(uninitializedShape: x.shape)
        let xp = UnsafePointer(x.data), yp = y.data, gp = UnsafePointer(weight.value.data), bp = UnsafePointer(bias.value.data)
        mean.withUnsafeBufferPointer { mu in
            invStd.withUnsafeBufferPointer { inv in
                let mu = mu.baseAddress!, inv = inv.baseAddress!
                parallelChunks(rows, minChunk: BatchNorm.minChunkRows(c)) { _, range in
                    BatchNorm.forEachRowBlock(range) { block in
                        @inline(__always) func run<V: FloatLanes>(_: V.Type, _ j: Int) {
                            let m = V.load(mu + j), iv = V.load(inv + j), gv = V.load(gp + j), bv = V.load(bp + j)
                            for r in block {
                                let v = BatchNorm.affine(V.load(xp + r * c + j), m, iv, gv, bv)
                                (clampingTo6 ? v.clamped(0, 6) : v).store(yp + r * c + j)
                            }
                        }
                        forEachChannelBlock(c, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
                    }
                }
            }
        }
        input = x
        self.mean = mean
        self.invStd = invStd
        clamped = clampingTo6 ? (y, Array(UnsafeBufferPointer(start: gp, count: c)), Array(UnsafeBufferPointer(start: bp, count: c))) : nil
        return y
    }

    /// The input of the last forward pass.
    var lastInput: Tensor? { input }

    /// Whether `backward(_:throughReLU6:)` can take the gradient of `relu`'s output: the last
    /// forward pass was fused with a ReLU6 and `relu` still holds that pass's output.
    func canBackwardThroughReLU6(_ relu: ReLU6) -> Bool {
        guard let clamped, let out = relu.output else { return false }
        return clamped.output === out
    }

    public func backward(_ dy: Tensor) -> Tensor {
        backward(dy, throughReLU6: false)
    }

    /// With `throughReLU6`, `dy` is the gradient of the fused ReLU6's output (requires
    /// `canBackwardThroughReLU6`): the ReLU6 mask 0 < BN(x) < 6 is recomputed from x with the
    /// forward pass's γ, β — bit for bit the forward values — instead of reading the output.
    /// The result equals ReLU6.backward followed by BatchNorm.backward.
    func backward(_ dy: Tensor, throughReLU6: Bool) -> Tensor {
        let plan = backwardPlan(dy, throughReLU6: throughReLU6)
        let dx = Tensor(uninitializedShape: dy.shape)
        let dyp = UnsafePointer(dy.data), dxp = dx.data
        parallelChunks(plan.rows, minChunk: BatchNorm.minChunkRows(plan.c)) { _, range in
            applyBackward(plan, dy: dyp, rows: range, into: dxp + range.lowerBound * plan.c)
        }
        return dx
    }

    /// What the second backward pass needs: per channel μ, σ⁻¹, the fused ReLU6's γ, β and the
    /// coefficients of dx = s·(g − a − x̂·b), with g = dy (masked by the ReLU6).
    struct BackwardPlan {
        let rows: Int, c: Int
        let throughReLU6: Bool
        /// [μ | σ⁻¹ | γ | β | s | a | b], c values each
        let coef: [Float]
        let input: Tensor
    }

    /// The first backward pass: accumulates the parameter gradients (Σg, Σg·x̂) and returns
    /// the plan for `applyBackward`.
    func backwardPlan(_ dy: Tensor, throughReLU6: Bool) -> BackwardPlan {
        guard let x = input else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(dy.shape == x.shape, "BatchNorm.backward: dy \(dy.shape) vs \(x.shape)")
        let c = x.lastDim, rows = x.rows
        var coef = [Float](repeating: 0, count: 7 * c)
        for j in 0..<c { coef[j] = mean[j]; coef[c + j] = invStd[j] }
        if throughReLU6 {
            guard let cl = clamped else { preconditionFailure("BatchNorm.backward(throughReLU6:) without a fused forward") }
            for j in 0..<c { coef[2 * c + j] = cl.gamma[j]; coef[3 * c + j] = cl.beta[j] }
        }
        let dyq = UnsafePointer(dy.data), xq = UnsafePointer(x.data)
        // Σg, Σg·x̂
        let sums = coef.withUnsafeBufferPointer { cf in
            let mu = cf.baseAddress!, inv = mu + c, mg = mu + 2 * c, mb = mu + 3 * c
            return BatchNorm.blockedColumnSums(rows: rows, cols: c) { block, s1, s2 in
                @inline(__always) func run<V: FloatLanes>(_: V.Type, _ j: Int) {
                    let m = V.load(mu + j), iv = V.load(inv + j), ga = V.load(mg + j), gb = V.load(mb + j)
                    var a1 = V.zero, a2 = V.zero
                    for r in block {
                        let h = (V.load(xq + r * c + j) - m) * iv
                        let gj = BatchNorm.masked(V.load(dyq + r * c + j), h, ga, gb, throughReLU6)
                        a1 = a1 + gj
                        a2 = a2.addingProduct(gj, h)
                    }
                    a1.store(s1 + j); a2.store(s2 + j)
                }
                forEachChannelBlock(c, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
            }
        }
        let gg = weight.grad.data, gb = bias.grad.data
        for j in 0..<c { gb[j] += Float(sums[j]); gg[j] += Float(sums[c + j]) }
        // train: dx = γ·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂));  eval: dx = γ·σ⁻¹·g
        for j in 0..<c {
            coef[4 * c + j] = weight.value.data[j] * invStd[j]
            if usedBatchStatistics {
                coef[5 * c + j] = Float(sums[j] / Double(rows))
                coef[6 * c + j] = Float(sums[c + j] / Double(rows))
            }
        }
        return BackwardPlan(rows: rows, c: c, throughReLU6: throughReLU6, coef: coef, input: x)
    }

    /// The second backward pass for `rows`: writes dx row r to dst + (r − rows.lowerBound)·c.
    func applyBackward(_ plan: BackwardPlan, dy: UnsafePointer<Float>, rows: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        let c = plan.c, through = plan.throughReLU6, xq = UnsafePointer(plan.input.data)
        let base = rows.lowerBound
        plan.coef.withUnsafeBufferPointer { cf in
            let mu = cf.baseAddress!, inv = mu + c, mg = mu + 2 * c, mb = mu + 3 * c, s = mu + 4 * c, a = mu + 5 * c, b = mu + 6 * c
            BatchNorm.forEachRowBlock(rows) { block in
                @inline(__always) func run<V: FloatLanes>(_: V.Type, _ j: Int) {
                    let m = V.load(mu + j), iv = V.load(inv + j), ga = V.load(mg + j), gb = V.load(mb + j)
                    let sv = V.load(s + j), av = V.load(a + j), bv = V.load(b + j)
                    for r in block {
                        let h = (V.load(xq + r * c + j) - m) * iv
                        let gj = BatchNorm.masked(V.load(dy + r * c + j), h, ga, gb, through)
                        (sv * (gj - av - h * bv)).store(dst + (r - base) * c + j)
                    }
                }
                forEachChannelBlock(c, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
            }
        }
    }

    /// g, or with the fused ReLU6 g where 0 < x̂·γ + β < 6 (the forward value) and 0 elsewhere.
    @inline(__always)
    static func masked<V: FloatLanes>(_ g: V, _ h: V, _ gamma: V, _ beta: V, _ throughReLU6: Bool) -> V {
        throughReLU6 ? g.passing(where: h * gamma + beta, above: 0, below: 6) : g
    }

    /// Rows per parallel chunk: below ~64k elements per chunk the fork/join costs more than it saves.
    @inline(__always) static func minChunkRows(_ c: Int) -> Int { max(1, 65536 / max(1, c)) }

    /// Rows processed together: summed in Float before the block total is added to the
    /// Double accumulators, and the unit of the column-block loops (a block of rows × one
    /// block of 16/8/1 channels, with the per-channel constants and sums in registers).
    static let rowBlock = 32

    /// Calls `body` for consecutive blocks of at most `rowBlock` rows of `range`.
    @inline(__always)
    static func forEachRowBlock(_ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var r0 = range.lowerBound
        while r0 < range.upperBound {
            let r1 = min(range.upperBound, r0 + rowBlock)
            body(r0..<r1)
            r0 = r1
        }
    }

    /// The normalised, scaled and shifted value γ·(x − μ)·σ⁻¹ + β, computed the same way
    /// in the forward pass and when the backward pass recomputes the fused ReLU6 mask.
    @inline(__always)
    static func affine<V: FloatLanes>(_ x: V, _ mu: V, _ inv: V, _ gamma: V, _ beta: V) -> V {
        (x - mu) * inv * gamma + beta
    }

    /// Per-column [Σ₁ | Σ₂] over `rows`, where `accumulate(block, s1, s2)` *writes* the sums
    /// over the rows in `block` (at most `rowBlock` rows) to s1, s2 (length `cols` each).
    /// Block sums are Float, added up in Double; chunks of rows run in parallel and are
    /// combined in chunk order (deterministic for a given thread count).
    @inline(__always)
    static func blockedColumnSums(rows: Int, cols c: Int,
                                  _ accumulate: (Range<Int>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        let chunks = Threads.count
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: chunks * 2 * c)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * 2 * c)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunks * 2 * c)
        defer { scratch.deallocate() }
        parallelChunks(rows, minChunk: minChunkRows(c)) { chunk, range in
            let d = partial + chunk * 2 * c, f = scratch + chunk * 2 * c
            forEachRowBlock(range) { block in
                accumulate(block, f, f + c)
                for e in 0..<2 * c { d[e] += Double(f[e]) }
            }
        }
        var out = [Double](repeating: 0, count: 2 * c)
        for chunk in 0..<chunks { for e in 0..<2 * c { out[e] += partial[chunk * 2 * c + e] } }
        return out
    }

    /// Per-column [Σa | Σa·b] over rows (b = nil ⇒ Σa | Σa²); see `blockedColumnSums`.
    static func columnSums(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>?, rows: Int, cols c: Int) -> [Double] {
        blockedColumnSums(rows: rows, cols: c) { block, s1, s2 in
            @inline(__always) func run<V: FloatLanes>(_: V.Type, _ j: Int) {
                var a1 = V.zero, a2 = V.zero
                for r in block {
                    let v = V.load(a + r * c + j)
                    a1 = a1 + v
                    a2 = a2.addingProduct(v, b.map { V.load($0 + r * c + j) } ?? v)
                }
                a1.store(s1 + j); a2.store(s2 + j)
            }
            forEachChannelBlock(c, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
        }
    }

    /// Per-column [Σ(a − K) | Σ(a − K)²] with K = row 0 of `a`.
    static func shiftedSquareSums(_ a: UnsafePointer<Float>, rows: Int, cols c: Int) -> [Double] {
        blockedColumnSums(rows: rows, cols: c) { block, s1, s2 in
            @inline(__always) func run<V: FloatLanes>(_: V.Type, _ j: Int) {
                let k = V.load(a + j)
                var a1 = V.zero, a2 = V.zero
                for r in block {
                    let v = V.load(a + r * c + j) - k
                    a1 = a1 + v
                    a2 = a2.addingProduct(v, v)
                }
                a1.store(s1 + j); a2.store(s2 + j)
            }
            forEachChannelBlock(c, { run(SIMD16<Float>.self, $0) }, { run(SIMD8<Float>.self, $0) }, { run(Float.self, $0) })
        }
    }
}

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

    // forward cache
    private var xhat: Tensor?
    private var invStd: [Float] = []
    private var usedBatchStatistics = false

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
        let c = x.lastDim, rows = x.rows
        precondition(c <= features, "BatchNorm: width \(c) exceeds \(features)")
        var mean = [Float](repeating: 0, count: c)
        invStd = [Float](repeating: 0, count: c)
        if training {
            let stats = statistics(width: c)
            precondition(rows > 1, "BatchNorm: training needs more than one value per channel, got \(x.shape)")
            let sums = BatchNorm.columnSums(x.data, nil, rows: rows, cols: c)  // Σx, Σx²
            let m = momentum, rm = stats.mean.data, rv = stats.variance.data
            for j in 0..<c {
                let mu = sums[j] / Double(rows)
                let v = max(0, sums[c + j] / Double(rows) - mu * mu)
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
        let xh = Tensor(uninitializedShape: x.shape), y = Tensor(uninitializedShape: x.shape)
        let xp = x.data, xhp = xh.data, yp = y.data, gp = weight.value.data, bp = bias.value.data
        mean.withUnsafeBufferPointer { mu in
            invStd.withUnsafeBufferPointer { inv in
                let mu = mu.baseAddress!, inv = inv.baseAddress!
                parallelChunks(rows, minChunk: max(1, 16384 / c)) { _, range in
                    for r in range {
                        let xr = xp + r * c, hr = xhp + r * c, yr = yp + r * c
                        for j in 0..<c {
                            let h = (xr[j] - mu[j]) * inv[j]
                            hr[j] = h
                            yr[j] = h * gp[j] + bp[j]
                        }
                    }
                }
            }
        }
        xhat = xh
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let xh = xhat else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(dy.shape == xh.shape, "BatchNorm.backward: dy \(dy.shape) vs \(xh.shape)")
        let c = xh.lastDim, rows = xh.rows
        let sums = BatchNorm.columnSums(dy.data, xh.data, rows: rows, cols: c)  // Σdy, Σdy·x̂
        let gg = weight.grad.data, gb = bias.grad.data
        for j in 0..<c { gb[j] += Float(sums[j]); gg[j] += Float(sums[c + j]) }
        // train: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂));  eval: dx = γ·σ⁻¹·dy
        var scale = [Float](repeating: 0, count: c), meanDy = scale, meanDyXh = scale
        for j in 0..<c {
            scale[j] = weight.value.data[j] * invStd[j]
            if usedBatchStatistics {
                meanDy[j] = Float(sums[j] / Double(rows))
                meanDyXh[j] = Float(sums[c + j] / Double(rows))
            }
        }
        let dx = Tensor(uninitializedShape: xh.shape)
        let dyp = dy.data, xhp = xh.data, dxp = dx.data
        scale.withUnsafeBufferPointer { s in
            meanDy.withUnsafeBufferPointer { a in
                meanDyXh.withUnsafeBufferPointer { b in
                    let s = s.baseAddress!, a = a.baseAddress!, b = b.baseAddress!
                    parallelChunks(rows, minChunk: max(1, 16384 / c)) { _, range in
                        for r in range {
                            let g = dyp + r * c, h = xhp + r * c, d = dxp + r * c
                            for j in 0..<c { d[j] = s[j] * (g[j] - a[j] - h[j] * b[j]) }
                        }
                    }
                }
            }
        }
        return dx
    }

    /// Per-column [Σa | Σa·b] over rows (b = nil ⇒ Σa | Σa²), accumulated in Double per
    /// chunk and combined in chunk order (deterministic for a given thread count).
    static func columnSums(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>?, rows: Int, cols c: Int) -> [Double] {
        let chunks = Threads.count
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: chunks * 2 * c)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * 2 * c)
        parallelChunks(rows, minChunk: max(1, 16384 / c)) { chunk, range in
            let s1 = partial + chunk * 2 * c, s2 = s1 + c
            if let b {
                for r in range {
                    let ar = a + r * c, br = b + r * c
                    for j in 0..<c { let v = ar[j]; s1[j] += Double(v); s2[j] += Double(v * br[j]) }
                }
            } else {
                for r in range {
                    let ar = a + r * c
                    for j in 0..<c { let v = ar[j]; s1[j] += Double(v); s2[j] += Double(v * v) }
                }
            }
        }
        var out = [Double](repeating: 0, count: 2 * c)
        for chunk in 0..<chunks { for e in 0..<2 * c { out[e] += partial[chunk * 2 * c + e] } }
        return out
    }
}

import RetortCore
import RetortData
import RunKit
import TrainEngine

/// Counts of values in equal bins over [lower, upper), plus those below and at/above.
public struct LogitHistogram: Sendable, Equatable, Codable {
    public let lower: Double
    public let upper: Double
    public private(set) var counts: [Int]
    public private(set) var below = 0
    public private(set) var above = 0

    public init(lower: Double, upper: Double, bins: Int) {
        precondition(upper > lower && bins >= 1, "LogitHistogram: empty range")
        self.lower = lower; self.upper = upper; counts = Array(repeating: 0, count: bins)
    }

    public var binWidth: Double { (upper - lower) / Double(counts.count) }
    public var total: Int { counts.reduce(0, +) + below + above }
    /// Lower edge of bin i.
    public func edge(_ i: Int) -> Double { lower + Double(i) * binWidth }

    public mutating func add(_ x: Double) {
        if x < lower { below += 1; return }
        if x >= upper { above += 1; return }
        counts[min(counts.count - 1, Int((x - lower) / binWidth))] += 1
    }

    public mutating func merge(_ o: LogitHistogram) {
        precondition(o.lower == lower && o.upper == upper && o.counts.count == counts.count, "LogitHistogram.merge: different bins")
        for i in counts.indices { counts[i] += o.counts[i] }
        below += o.below; above += o.above
    }

    /// Share of all values outside [lo, hi); lo and hi must be bin edges.
    public func shareOutside(_ lo: Double, _ hi: Double) -> Double {
        var inside = 0
        for i in counts.indices where edge(i) >= lo - 1e-12 && edge(i) + binWidth <= hi + 1e-12 { inside += counts[i] }
        return total == 0 ? 0 : Double(total - inside) / Double(total)
    }
}

/// What one layer's attention looks like on real activations.
public struct LayerAttentionDiagnostics: Sendable, Equatable {
    public let layer: Int
    /// ‖Z_Taylor − Z_softmax‖_F / ‖Z_softmax‖_F with both computed from this layer's real Q, K, V.
    public let relativeError: Double
    /// The same error per head: ‖Z_T,h − Z_S,h‖_F / ‖Z_S,h‖_F over the head's output columns.
    public let headRelativeErrors: [Double]
    /// Softmax inputs q_i·k_j/√d (paper Fig. 3a) and the row-mean-centred q_i·k̂_j/√d (Fig. 3b),
    /// in 32 bins over [−4, 4).
    public let rawLogits: LogitHistogram
    public let centredLogits: LogitHistogram
    /// Share of centred logits outside [−1, 1) — where 1 + x is a poor stand-in for eˣ.
    public let centredShareOutside: Double
    public let rawShareOutside: Double
    /// Share of Taylor weights (1 + x_ij)/Σ_j(1 + x_ij) below zero.
    public let negativeWeightShare: Double
    /// Logits measured (images × heads × n²).
    public let count: Int
}

/// Per-layer diagnostics of a model's attention on real activations (what `diagnostics`
/// of `AttentionJob` returns and `retort attention train --diagnostics` prints).
public struct AttentionDiagnostics: Sendable {
    /// The attention the model ran while the activations were taken (inference form).
    public let kind: AttentionKind
    public let images: Int
    public let layers: [LayerAttentionDiagnostics]

    public static let histogramRange = (-4.0, 4.0, 32)

    /// Runs the model in evaluation mode on the first `images` rows of `set` and measures
    /// every layer's attention inputs.
    public static func measure(_ model: VisionTransformer, on set: ImageData, images: Int) -> AttentionDiagnostics {
        let count = min(images, set.count)
        let (x, _) = set.batch(Array(0..<count)[...], sampleShape: model.inputShape)
        _ = model.forward(x, training: false)
        let layers = model.cores.enumerated().map { i, core in measure(qkv: core.lastInput!, heads: core.heads, layer: i) }
        return AttentionDiagnostics(kind: model.kind, images: count, layers: layers)
    }

    /// The diagnostics of one qkv tensor [B, n, 3·H·d].
    public static func measure(qkv: Tensor, heads: Int, layer: Int = 0) -> LayerAttentionDiagnostics {
        let soft = AttentionCore(kind: .softmax, heads: heads).forward(qkv, training: false)
        let tay = AttentionCore(kind: .taylor, heads: heads).forward(qkv, training: false)
        let dHead = qkv.lastDim / 3 / heads
        var headNum = [Double](repeating: 0, count: heads), headDen = headNum
        for i in 0..<soft.count {
            let e = Double(tay[i] - soft[i]), s = Double(soft[i])
            let h = (i % (heads * dHead)) / dHead
            headNum[h] += e * e; headDen[h] += s * s
        }
        let num = headNum.reduce(0, +), den = headDen.reduce(0, +)
        let (lo, hi, bins) = histogramRange
        var raw = LogitHistogram(lower: lo, upper: hi, bins: bins), centred = raw
        var rawOut = 0, centredOut = 0, negative = 0, total = 0
        let b = qkv.dim(0), n = qkv.dim(1), width = qkv.lastDim / 3, d = width / heads
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n), kh = UnsafeMutablePointer<Float>.allocate(capacity: n * d)
        defer { a.deallocate(); kh.deallocate() }
        let scale = 1 / Float(d).squareRoot()
        for p in 0..<(b * heads) {
            let io = HeadIO(qkv: qkv.data, out: soft.data, pair: p, heads: heads, tokens: n, headDim: d)
            mm(false, true, m: n, n: n, k: d, alpha: scale, io.q, io.ld, io.k, io.ld, a, n)
            for i in 0..<(n * n) {
                let v = Double(a[i])
                raw.add(v)
                if v < -1 || v >= 1 { rawOut += 1 }
            }
            var kbar = [Double](repeating: 0, count: d)
            for j in 0..<n { for c in 0..<d { kbar[c] += Double(io.k[j * io.ld + c]) } }
            for j in 0..<n { for c in 0..<d { kh[j * d + c] = io.k[j * io.ld + c] - Float(kbar[c] / Double(n)) } }
            mm(false, true, m: n, n: n, k: d, alpha: scale, io.q, io.ld, kh, d, a, n)
            for i in 0..<n {
                let row = a + i * n
                var t = 0.0
                for j in 0..<n { t += 1 + Double(row[j]) }
                for j in 0..<n {
                    let v = Double(row[j])
                    centred.add(v)
                    if v < -1 || v >= 1 { centredOut += 1 }
                    if (1 + v) / t < 0 { negative += 1 }
                }
            }
            total += n * n
        }
        let tot = Double(max(1, total))
        return LayerAttentionDiagnostics(layer: layer, relativeError: (num / max(den, 1e-300)).squareRoot(),
                                         headRelativeErrors: (0..<heads).map { (headNum[$0] / max(headDen[$0], 1e-300)).squareRoot() },
                                         rawLogits: raw, centredLogits: centred,
                                         centredShareOutside: Double(centredOut) / tot, rawShareOutside: Double(rawOut) / tot,
                                         negativeWeightShare: Double(negative) / tot, count: total)
    }
}

/// Mean and sample standard deviation (n − 1) of accuracies over seeds.
public struct SeedSummary: Sendable, Equatable {
    public let values: [Double]
    public init(_ values: [Double]) { self.values = values }
    public var mean: Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
    /// Sample standard deviation; 0 for a single value.
    public var std: Double {
        guard values.count > 1 else { return 0 }
        let m = mean
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}

/// Maps raw features to `[0, 1]` by a value range, then optionally standardises them
/// (subtract mean, divide by standard deviation) with statistics measured on the
/// training split only. Fit once on train, apply to train and test alike:
///
///     let norm = Normalizer(fitOn: parts.train, standardization: .perFeature)
///     let train = norm.apply(to: parts.train), test = norm.apply(to: parts.test)
public struct Normalizer: Sendable, Equatable, Codable {
    public enum Standardization: String, Sendable, Codable, CaseIterable {
        /// Only scale to [0, 1].
        case none
        /// One mean and one standard deviation over all train features.
        case global
        /// A mean and standard deviation per feature (pixel), over train rows.
        case perFeature
    }

    public let featureCount: Int
    /// Raw value mapped to 0 (`low`) and to 1 (`high`).
    public let low: Float
    public let high: Float
    public let standardization: Standardization
    /// Means of the scaled train features: empty (`.none`), one value (`.global`) or
    /// `featureCount` values (`.perFeature`).
    public let mean: [Float]
    /// Population standard deviations, same shape as `mean`. A standard deviation
    /// below 1e-6 (e.g. MNIST border pixels, always 0) is stored as 1, so such
    /// features are only centred.
    public let std: [Float]

    /// Measures the statistics on `train`. The [0, 1] scaling uses `train.valueRange`
    /// (the range the file was validated against) or, when that is unknown, the
    /// smallest and largest train value.
    public init(fitOn train: Dataset, standardization: Standardization = .none) {
        featureCount = train.featureCount
        self.standardization = standardization
        var lo: Float, hi: Float
        if let r = train.valueRange {
            lo = r.lowerBound; hi = r.upperBound
        } else {
            lo = train.features.min() ?? 0; hi = train.features.max() ?? 1
        }
        if hi <= lo { hi = lo + 1 }
        low = lo; high = hi

        let n = train.count, fc = train.featureCount
        let scale = Double(1 / (hi - lo))
        switch standardization {
        case .none:
            mean = []; std = []
        case .global:
            var sum = 0.0, sumSq = 0.0
            for v in train.features {
                let x = (Double(v) - Double(lo)) * scale
                sum += x; sumSq += x * x
            }
            let m = train.features.isEmpty ? 0 : sum / Double(train.features.count)
            let variance = train.features.isEmpty ? 0 : max(0, sumSq / Double(train.features.count) - m * m)
            mean = [Float(m)]; std = [Self.safeStd(variance)]
        case .perFeature:
            var sum = [Double](repeating: 0, count: fc), sumSq = [Double](repeating: 0, count: fc)
            train.features.withUnsafeBufferPointer { f in
                for r in 0..<n {
                    let row = f.baseAddress! + r * fc
                    for j in 0..<fc {
                        let x = (Double(row[j]) - Double(lo)) * scale
                        sum[j] += x; sumSq[j] += x * x
                    }
                }
            }
            let dn = Double(max(n, 1))
            mean = (0..<fc).map { Float(sum[$0] / dn) }
            std = (0..<fc).map { j in
                let m = sum[j] / dn
                return Self.safeStd(max(0, sumSq[j] / dn - m * m))
            }
        }
    }

    private static func safeStd(_ variance: Double) -> Float {
        let s = Float(variance.squareRoot())
        return s < 1e-6 ? 1 : s
    }

    /// A copy of `data` with every feature normalised. The result's `valueRange` is
    /// 0…1 without standardisation and `nil` with it.
    public func apply(to data: Dataset) -> Dataset {
        precondition(data.featureCount == featureCount,
                     "normaliser fitted on \(featureCount) features applied to \(data.featureCount)")
        var out = data
        apply(toFeatures: &out.features)
        out.valueRange = standardization == .none ? 0...1 : nil
        return out
    }

    /// Normalises row-major features in place (`values.count` a multiple of `featureCount`),
    /// e.g. a single sample drawn by the user. Scaling divides by `high - low` (rather than
    /// multiplying by its reciprocal) so `low` and `high` map to exactly 0 and 1.
    public func apply(toFeatures values: inout [Float]) {
        precondition(values.count % featureCount == 0,
                     "\(values.count) values are not whole rows of \(featureCount) features")
        let lo = low, span = high - low, fc = featureCount
        values.withUnsafeMutableBufferPointer { v in
            let p = v.baseAddress!
            switch standardization {
            case .none:
                for i in 0..<v.count { p[i] = (p[i] - lo) / span }
            case .global:
                let m = mean[0], s = 1 / std[0]
                for i in 0..<v.count { p[i] = ((p[i] - lo) / span - m) * s }
            case .perFeature:
                mean.withUnsafeBufferPointer { m in
                    std.withUnsafeBufferPointer { sd in
                        var i = 0
                        while i < v.count {
                            for j in 0..<fc { p[i + j] = ((p[i + j] - lo) / span - m[j]) / sd[j] }
                            i += fc
                        }
                    }
                }
            }
        }
    }
}

/// Maps raw pixel values to `[0, 1]` by a value range, then standardises each channel with
/// its mean and standard deviation measured on the training rows only:
/// `x = ((v − low) / (high − low) − mean[c]) · (1 / std[c])`.
///
/// For one channel this is exactly `Normalizer(.global)`'s formula and summation order,
/// so the bundled samples give the same floats as before images were kept as bytes.
public struct ChannelNormalizer: Sendable, Equatable, Codable {
    public let low: Float
    public let high: Float
    public let mean: [Float]
    public let std: [Float]
    /// `1 / std[c]`, the factor applied.
    public let scale: [Float]

    public init(low: Float, high: Float, mean: [Float], std: [Float]) {
        self.low = low; self.high = high; self.mean = mean; self.std = std
        scale = std.map { 1 / $0 }
    }

    public var channels: Int { mean.count }

    /// Measures per-channel statistics over `rows` of `pixels` (NHWC, `channels` per pixel).
    /// `range` gives the raw values mapped to 0 and 1 (uint8 data: 0…255, or the sample's own
    /// range); nil takes the smallest and largest value of those rows.
    public static func fit(pixels: ImagePixels, rows: [Int], featureCount: Int, channels: Int,
                           range: ClosedRange<Float>?) -> ChannelNormalizer {
        var lo: Float, hi: Float
        if let range { lo = range.lowerBound; hi = range.upperBound } else {
            lo = .infinity; hi = -.infinity
            for r in rows { for j in 0..<featureCount { let v = pixels[r * featureCount + j]; lo = Swift.min(lo, v); hi = Swift.max(hi, v) } }
            if !lo.isFinite { lo = 0; hi = 1 }
        }
        if hi <= lo { hi = lo + 1 }
        let scale = Double(1 / (hi - lo))
        var sum = [Double](repeating: 0, count: channels), sumSq = [Double](repeating: 0, count: channels)
        func accumulate<T>(_ p: UnsafeBufferPointer<T>, _ value: (T) -> Double) {
            let dlo = Double(lo)
            for r in rows {
                let base = r * featureCount
                var c = 0
                for j in 0..<featureCount {
                    let x = (value(p[base + j]) - dlo) * scale
                    sum[c] += x; sumSq[c] += x * x
                    c += 1; if c == channels { c = 0 }
                }
            }
        }
        switch pixels {
        case .uint8(let v): v.withUnsafeBufferPointer { accumulate($0) { Double(Float($0)) } }
        case .float32(let v): v.withUnsafeBufferPointer { accumulate($0) { Double($0) } }
        }
        let n = Double(rows.count * (featureCount / channels))
        var mean = [Float](), std = [Float]()
        for c in 0..<channels {
            let m = n > 0 ? sum[c] / n : 0
            let variance = n > 0 ? Swift.max(0, sumSq[c] / n - m * m) : 0
            let s = Float(variance.squareRoot())
            mean.append(Float(m)); std.append(s < 1e-6 ? 1 : s)
        }
        return ChannelNormalizer(low: lo, high: hi, mean: mean, std: std)
    }

    /// The normalised value of raw `v` in channel `c`.
    @inline(__always) public func apply(_ v: Float, channel c: Int) -> Float {
        ((v - low) / (high - low) - mean[c]) * scale[c]
    }
}

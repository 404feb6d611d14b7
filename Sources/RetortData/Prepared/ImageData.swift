import RetortCore

/// One part (train or test) of a prepared image data set: rows of a shared pixel store,
/// kept in the source's own type (bytes for uint8 sources), normalised per channel only
/// when a batch is taken. The train and test parts of a split share one store, so a
/// split costs an index list, not a copy.
public struct ImageData: Sendable {
    /// Every image of the source, NHWC; only `rows` of it belong to this part.
    public let pixels: ImagePixels
    /// Rows of `pixels` in this part, in order (row `i` of the part is `rows[i]`).
    public let rows: [Int]
    /// Labels of this part's rows, in the same order.
    public let labels: [Int]
    public let shape: ImageShape
    public let classCount: Int
    public let normalizer: ChannelNormalizer

    public init(pixels: ImagePixels, rows: [Int], labels: [Int], shape: ImageShape, classCount: Int, normalizer: ChannelNormalizer) {
        precondition(rows.count == labels.count, "one label per row")
        precondition(normalizer.channels == shape.channels, "normaliser of \(normalizer.channels) channels for \(shape)")
        self.pixels = pixels; self.rows = rows; self.labels = labels; self.shape = shape
        self.classCount = classCount; self.normalizer = normalizer
    }

    public var count: Int { rows.count }
    public var featureCount: Int { shape.featureCount }

    /// Copies the normalised pixels of part rows `indices` into `x` (`indices.count` ×
    /// `featureCount` floats); returns their labels.
    public func fill(_ x: UnsafeMutablePointer<Float>, _ indices: ArraySlice<Int>) -> [Int] {
        let f = featureCount, ch = shape.channels, n = normalizer
        let lo = n.low, span = n.high - n.low
        var labels = [Int](); labels.reserveCapacity(indices.count)
        n.mean.withUnsafeBufferPointer { mean in
            n.scale.withUnsafeBufferPointer { scale in
                func copy<T>(_ src: UnsafeBufferPointer<T>, _ value: (T) -> Float) {
                    for (b, i) in indices.enumerated() {
                        let s = src.baseAddress! + rows[i] * f, d = x + b * f
                        var c = 0
                        for j in 0..<f {
                            d[j] = ((value(s[j]) - lo) / span - mean[c]) * scale[c]
                            c += 1; if c == ch { c = 0 }
                        }
                        labels.append(self.labels[i])
                    }
                }
                switch pixels {
                case .uint8(let v): v.withUnsafeBufferPointer { copy($0) { Float($0) } }
                case .float32(let v): v.withUnsafeBufferPointer { copy($0) { $0 } }
                }
            }
        }
        return labels
    }

    /// Rows `indices` as a batch tensor of shape `[B] + sampleShape` (which must hold
    /// `featureCount` values: `[H, W, C]` for convolutions, `[F]` for dense layers).
    public func batch(_ indices: ArraySlice<Int>, sampleShape: [Int]) -> (Tensor, [Int]) {
        precondition(sampleShape.reduce(1, *) == featureCount, "model input \(sampleShape) does not match \(featureCount) features")
        let x = Tensor(shape: [indices.count] + sampleShape)
        return (x, fill(x.data, indices))
    }

    /// The normalised value of each channel's smallest raw value in this part: what a
    /// blank (padded) pixel becomes, used to fill the border uncovered by a shift.
    public func blankValue() -> [Float] {
        let ch = shape.channels, f = featureCount
        var lo = [Float](repeating: .infinity, count: ch)
        for r in rows {
            var c = 0
            for j in 0..<f {
                let v = pixels[r * f + j]
                if v < lo[c] { lo[c] = v }
                c += 1; if c == ch { c = 0 }
            }
        }
        return (0..<ch).map { normalizer.apply(lo[$0].isFinite ? lo[$0] : normalizer.low, channel: $0) }
    }

    /// Images per class, indexed by label.
    public func classCounts() -> [Int] {
        var c = [Int](repeating: 0, count: classCount)
        for l in labels where l >= 0 && l < classCount { c[l] += 1 }
        return c
    }
}

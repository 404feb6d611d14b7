import RetortCore
import RetortData

/// A data set loaded, split (seeded) and normalised on the training split only.
public struct PreparedData: Sendable {
    public let train: Dataset
    public let test: Dataset
    public let sample: SampleData

    public static func load(_ sample: SampleData, directory: String, testCount: Int, seed: UInt64) throws -> PreparedData {
        let all = try Dataset.load(sample: sample, in: directory)
        guard testCount < all.count else {
            throw ConfigError("test-count: must be below the \(all.count) rows of \(sample.fileName), got \(testCount)")
        }
        let (train, test) = all.split(testCount: testCount, seed: seed)
        let norm = Normalizer(fitOn: train, standardization: .global)
        return PreparedData(train: norm.apply(to: train), test: norm.apply(to: test), sample: sample)
    }

    /// Copies rows `indices` into a batch tensor of shape [B] + `sampleShape`.
    public static func batch(_ data: Dataset, _ indices: ArraySlice<Int>, sampleShape: [Int]) -> (Tensor, [Int]) {
        let f = data.featureCount
        let x = Tensor(shape: [indices.count] + sampleShape)
        precondition(sampleShape.reduce(1, *) == f, "model input \(sampleShape) does not match \(f) features")
        var labels = [Int](); labels.reserveCapacity(indices.count)
        data.features.withUnsafeBufferPointer { src in
            for (b, i) in indices.enumerated() {
                (x.data + b * f).update(from: src.baseAddress! + i * f, count: f)
                labels.append(data.labels[i])
            }
        }
        return (x, labels)
    }
}

/// Training-time augmentation: shift each NHWC image by a random offset in
/// [−maxShift, maxShift]², filling the uncovered border with `fill` (the normalised
/// value of a blank pixel).
public enum Augment {
    public static func shift(_ x: Tensor, maxShift: Int, fill: Float, rng: inout RNG) {
        guard maxShift > 0, x.rank == 4 else { return }
        let n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3)
        let img = h * w * c
        let tmp = UnsafeMutablePointer<Float>.allocate(capacity: img)
        defer { tmp.deallocate() }
        for b in 0..<n {
            let dy = rng.int(2 * maxShift + 1) - maxShift, dx = rng.int(2 * maxShift + 1) - maxShift
            if dy == 0 && dx == 0 { continue }
            let p = x.data + b * img
            tmp.update(from: p, count: img)
            for y in 0..<h {
                let sy = y - dy
                for xx in 0..<w {
                    let sx = xx - dx
                    let dst = p + (y * w + xx) * c
                    if sy < 0 || sy >= h || sx < 0 || sx >= w { dst.update(repeating: fill, count: c) }
                    else { dst.update(from: tmp + (sy * w + sx) * c, count: c) }
                }
            }
        }
    }
}

import Foundation
import RetortCore
import RetortData

/// A data set loaded, split (seeded, unless the source has its own test part) and given
/// per-channel normalisation statistics measured on the training part only. Pixels stay
/// in the source's type (bytes for uint8 data); batches are normalised as they are taken.
public struct PreparedData: Sendable {
    public let train: ImageData
    public let test: ImageData
    public let source: DataSource
    /// What the data was read as, e.g. `CSV (gzip)`, `CIFAR-10`, `NumPy .npz`.
    public let format: String
    /// Where the test part came from, for the start-up line: `split seed 1`, `the source's test part`, or a path.
    public let testOrigin: String
    public let classNames: [String]?
    /// How the data was read: the run's settings with its sidecar's filled in (`flip` among them).
    public internal(set) var readSettings = DataReadSettings()

    public var shape: ImageShape { train.shape }
    public var classCount: Int { train.classCount }
    public var signature: DataSignature { DataSignature(shape: shape, classCount: classCount) }
    /// The sample or the file name, for headers and start-up lines.
    public var name: String { source.sample?.fileName ?? (source.description as NSString).lastPathComponent }

    /// Loads `source`: a bundled sample from `directory`, or any file or folder
    /// `ImageSetReader` reads. The test part is `settings.test` when given, else the
    /// source's own test part, else `testCount` rows taken after a shuffle by `seed`.
    public static func load(_ source: DataSource, settings: DataReadSettings? = nil, directory: String,
                            testCount: Int, seed: UInt64, memoryBudget: Int? = nil) throws -> PreparedData {
        let settings = settings ?? DataReadSettings()
        switch source {
        case .sample(let sample):
            let all = try Dataset.load(sample: sample, in: directory)
            guard testCount < all.count else {
                throw ConfigError("test-count: must be below the \(all.count) rows of \(sample.fileName), got \(testCount)")
            }
            let pixels = ImagePixels.uint8(all.features.map { UInt8($0) })
            let raw = RawImageSet(path: sample.fileName, format: "CSV (gzip)", shape: all.imageShape!, classCount: sample.classCount,
                                  train: ImageSamples(pixels: pixels, labels: all.labels.map { Int32($0) }))
            var prepared = try split(raw, source: source, range: sample.valueRange, testCount: testCount, seed: seed)
            prepared.readSettings = settings
            return prepared
        case .path(let path):
            if case .missing = BoundedFile.kind(of: path) {
                throw DataError(file: path, "no such file or folder (a sample: \(SampleData.allCases.map(\.rawValue).joined(separator: ", ")); or a data file or folder)")
            }
            let settings = try settings.withSidecar(of: path)
            let options = try settings.loadOptions(memoryBudget: memoryBudget)
            var prepared = try read(path, source: source, settings: settings, options: options, testCount: testCount, seed: seed)
            prepared.readSettings = settings
            return prepared
        }
    }

    static func read(_ path: String, source: DataSource, settings: DataReadSettings, options: ImageLoadOptions,
                     testCount: Int, seed: UInt64) throws -> PreparedData {
        let raw = try ImageSetReader.load(path: path, options: options)
        if let testPath = settings.test {
            let t = try ImageSetReader.load(path: testPath, options: options)
            guard t.shape == raw.shape else { throw DataError(file: testPath, "shape: test images are \(t.shape), training images \(raw.shape) (one shape for both)") }
            guard t.train.pixels.dtypeName == raw.train.pixels.dtypeName else {
                throw DataError(file: testPath, "dtype: the test set holds \(t.train.pixels.dtypeName) values, the training set \(raw.train.pixels.dtypeName) (one type for both, so one normalisation fits both)")
            }
            let classes = max(raw.classCount, t.classCount)
            return try separate(raw, test: t.train, classes: classes, source: source, origin: testPath)
        }
        if let t = raw.test { return try separate(raw, test: t, classes: raw.classCount, source: source, origin: "the source's own test part") }
        guard testCount < raw.train.count else {
            throw ConfigError("test-count: must be below the \(raw.train.count) images of \(path), got \(testCount)")
        }
        return try split(raw, source: source, range: range(of: raw.train.pixels), testCount: testCount, seed: seed)
    }

    /// Raw values mapped to 0…1: the byte range for uint8 data, nil (the training rows' own range) for floats.
    static func range(of pixels: ImagePixels) -> ClosedRange<Float>? {
        if case .uint8 = pixels { return 0...255 }
        return nil
    }

    static func split(_ raw: RawImageSet, source: DataSource, range: ClosedRange<Float>?, testCount: Int, seed: UInt64) throws -> PreparedData {
        var order = Array(0..<raw.train.count)
        var rng = RNG(seed: seed)
        rng.shuffle(&order)
        let testRows = Array(order[..<testCount]), trainRows = Array(order[testCount...])
        let f = raw.shape.featureCount
        let norm = ChannelNormalizer.fit(pixels: raw.train.pixels, rows: trainRows, featureCount: f, channels: raw.shape.channels, range: range)
        let labels = raw.train.labels
        func part(_ rows: [Int]) -> ImageData {
            ImageData(pixels: raw.train.pixels, rows: rows, labels: rows.map { Int(labels[$0]) }, shape: raw.shape,
                      classCount: raw.classCount, normalizer: norm)
        }
        return PreparedData(train: part(trainRows), test: part(testRows), source: source, format: raw.format,
                            testOrigin: "\(testCount) images split off with seed \(seed)", classNames: raw.classNames)
    }

    static func separate(_ raw: RawImageSet, test: ImageSamples, classes: Int, source: DataSource, origin: String) throws -> PreparedData {
        guard test.count > 0 else { throw DataError(file: raw.path, "the test part is empty") }
        let trainRows = Array(0..<raw.train.count)
        let norm = ChannelNormalizer.fit(pixels: raw.train.pixels, rows: trainRows, featureCount: raw.shape.featureCount,
                                         channels: raw.shape.channels, range: range(of: raw.train.pixels))
        let train = ImageData(pixels: raw.train.pixels, rows: trainRows, labels: raw.train.labels.map { Int($0) }, shape: raw.shape,
                              classCount: classes, normalizer: norm)
        let t = ImageData(pixels: test.pixels, rows: Array(0..<test.count), labels: test.labels.map { Int($0) }, shape: raw.shape,
                          classCount: classes, normalizer: norm)
        return PreparedData(train: train, test: t, source: source, format: raw.format, testOrigin: origin, classNames: raw.classNames)
    }

    /// One line for start-up output: `mnist_5k.csv.gz (CSV (gzip)): 4000 train / 1000 test of 28×28×1, 10 classes`.
    public var summary: String {
        "\(name) (\(format)): \(train.count) train / \(test.count) test of \(shape), \(classCount) classes"
    }
}

/// Training-time augmentation on NHWC batches.
public enum Augment {
    /// Shifts each image by a random offset in [−maxShift, maxShift]² (a random crop of the
    /// image padded by `maxShift`), filling the uncovered border with `fill[c]` (the
    /// normalised value of a blank pixel of channel c).
    public static func shift(_ x: Tensor, maxShift: Int, fill: [Float], rng: inout RNG) {
        guard maxShift > 0, x.rank == 4 else { return }
        let n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3)
        precondition(fill.count == c, "one fill value per channel")
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
                    if sy < 0 || sy >= h || sx < 0 || sx >= w { for k in 0..<c { dst[k] = fill[k] } }
                    else { dst.update(from: tmp + (sy * w + sx) * c, count: c) }
                }
            }
        }
    }

    /// Mirrors each image left–right with probability ½.
    public static func flip(_ x: Tensor, rng: inout RNG) {
        guard x.rank == 4 else { return }
        let n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3)
        for b in 0..<n where rng.int(2) == 1 {
            for y in 0..<h {
                let row = x.data + ((b * h + y) * w) * c
                var l = 0, r = w - 1
                while l < r {
                    for k in 0..<c { let t = row[l * c + k]; row[l * c + k] = row[r * c + k]; row[r * c + k] = t }
                    l += 1; r -= 1
                }
            }
        }
    }
}

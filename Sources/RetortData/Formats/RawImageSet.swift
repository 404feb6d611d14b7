/// Pixel values of an image data set, NHWC order (sample, row, column, channel).
///
/// Images stay in the source's own type: uint8 sources (IDX, CIFAR, PNG/JPEG, `|u1`
/// NumPy arrays) keep one byte per value, so CIFAR-10's training set is 150 MB, not
/// 600 MB of Float. Only sources that are floating point already (`<f4`, `<f8` NumPy
/// arrays) are held as `[Float]`; converting to Float happens batch by batch later.
public enum ImagePixels: Sendable, Equatable {
    case uint8([UInt8])
    case float32([Float])

    public var count: Int {
        switch self {
        case .uint8(let v): return v.count
        case .float32(let v): return v.count
        }
    }
    /// `uint8` or `float32`.
    public var dtypeName: String {
        switch self {
        case .uint8: return "uint8"
        case .float32: return "float32"
        }
    }
    /// The smallest and largest value (nil when empty).
    public var valueRange: ClosedRange<Float>? {
        switch self {
        case .uint8(let v):
            guard let lo = v.min(), let hi = v.max() else { return nil }
            return Float(lo)...Float(hi)
        case .float32(let v):
            guard let lo = v.min(), let hi = v.max() else { return nil }
            return lo...hi
        }
    }
    /// Value `i` as Float.
    public subscript(i: Int) -> Float {
        switch self {
        case .uint8(let v): return Float(v[i])
        case .float32(let v): return v[i]
        }
    }
}

/// One part of an image data set (the training part, or the separate test part):
/// `labels.count` images of one `ImageShape`, NHWC.
public struct ImageSamples: Sendable, Equatable {
    public let pixels: ImagePixels
    public let labels: [Int32]
    public init(pixels: ImagePixels, labels: [Int32]) {
        self.pixels = pixels; self.labels = labels
    }
    public var count: Int { labels.count }
}

/// An image classification data set read from disk in one of the common formats
/// (NumPy `.npy`/`.npz`, IDX, CIFAR binary batches, class folders of PNG/JPEG, CSV),
/// with an optional separate test part.
public struct RawImageSet: Sendable {
    /// The file or folder it was read from.
    public let path: String
    /// What it was read as, e.g. `IDX`, `CIFAR-10`, `NumPy .npz`, `PNG/JPEG folder`.
    public let format: String
    /// Height × width × channels of every image.
    public let shape: ImageShape
    /// Labels are `0..<classCount`.
    public let classCount: Int
    /// Class names when the source has them (folder names, CIFAR meta files).
    public let classNames: [String]?
    public let train: ImageSamples
    /// The source's own test set (`t10k-*`, `test_batch.bin`, `test/`, `x_test`), if any.
    public let test: ImageSamples?

    public init(path: String, format: String, shape: ImageShape, classCount: Int, classNames: [String]? = nil,
                train: ImageSamples, test: ImageSamples? = nil) {
        precondition(train.pixels.count == train.count * shape.featureCount, "train pixels do not match the shape")
        precondition(test == nil || test!.pixels.count == test!.count * shape.featureCount, "test pixels do not match the shape")
        self.path = path; self.format = format; self.shape = shape; self.classCount = classCount
        self.classNames = classNames; self.train = train; self.test = test
    }

    /// Images per class in `part`, indexed by label.
    public func classCounts(_ part: ImageSamples) -> [Int] {
        var c = [Int](repeating: 0, count: classCount)
        for l in part.labels where l >= 0 && Int(l) < classCount { c[Int(l)] += 1 }
        return c
    }

    /// The smallest and largest pixel value over both parts.
    public var valueRange: ClosedRange<Float>? {
        let ranges = [train.pixels.valueRange, test?.pixels.valueRange].compactMap { $0 }
        guard let lo = ranges.map(\.lowerBound).min(), let hi = ranges.map(\.upperBound).max() else { return nil }
        return lo...hi
    }
}

/// How a NumPy image array's axes are ordered.
public enum ImageLayout: String, Sendable, CaseIterable {
    /// N×H×W×C (or N×H×W for grey images).
    case nhwc
    /// N×C×H×W.
    case nchw
}

/// Choices that cannot always be read from the files themselves.
public struct ImageLoadOptions: Sendable {
    /// Axis order of a 4-d NumPy array; nil infers it (C ∈ {1, 3, 4} on one side only).
    public var layout: ImageLayout?
    /// Bytes the loaded data may take; nil uses the memory available on this machine.
    public var memoryBudget: Int?
    /// Image shape of a CSV row (which holds no shape of its own); nil: square grey images
    /// when the row length is a square, else one row of values.
    public var shape: DeclaredShape?
    /// A CSV file's label column and header row (default: detected).
    public var csv: CSVColumns
    public init(layout: ImageLayout? = nil, memoryBudget: Int? = nil, shape: DeclaredShape? = nil, csv: CSVColumns = CSVColumns()) {
        self.layout = layout; self.memoryBudget = memoryBudget; self.shape = shape; self.csv = csv
    }
    /// The budget in force.
    public var budget: Int { memoryBudget ?? MemoryBudget.available() }
}

/// An image shape given by the user: `H×W` (channels follow from the row length) or `H×W×C`.
public struct DeclaredShape: Sendable, Equatable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    public let channels: Int?

    /// Parses `28x28`, `32x32x3` (`x` or `×`); nil when malformed or not positive.
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == "x" || $0 == "×" || $0 == "X" }).map { Int($0) }
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        height = parts[0]!; width = parts[1]!; channels = parts.count == 3 ? parts[2]! : nil
    }

    public var description: String { "\(height)×\(width)" + (channels.map { "×\($0)" } ?? "") }

    /// The full shape of a row of `values` values; throws when the declaration does not divide it.
    public func resolve(values: Int, file: String) throws -> ImageShape {
        let plane = height * width
        let c = channels ?? (values % plane == 0 ? values / plane : 0)
        guard c > 0, plane * c == values else {
            throw DataError(file: file, "shape: declared \(self) does not divide a row of \(values) values (H×W×C must equal the values per row)")
        }
        return ImageShape(height: height, width: width, channels: c)
    }
}

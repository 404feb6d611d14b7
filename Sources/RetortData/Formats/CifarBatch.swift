/// CIFAR-10 and CIFAR-100 binary batches: fixed-size records of label byte(s) followed
/// by a 32×32 colour image stored channel-planar (1024 red, 1024 green, 1024 blue bytes).
/// CIFAR-10 records carry one label (0…9); CIFAR-100 records two, coarse (0…19) then fine
/// (0…99), and the fine label is used. Pixels are rewritten to NHWC.
public enum CifarBatch {
    public enum Variant: Sendable, CaseIterable {
        case cifar10, cifar100
        public var name: String { self == .cifar10 ? "CIFAR-10" : "CIFAR-100" }
        public var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        public var recordSize: Int { labelBytes + 3072 }
        public var classCount: Int { self == .cifar10 ? 10 : 100 }
    }
    public static let shape = ImageShape(height: 32, width: 32, channels: 3)

    /// The variant a file of `size` bytes named `name` must be, nil when it is neither.
    /// File names decide when the size fits both record lengths.
    public static func variant(size: Int, name: String) -> Variant? {
        let fits10 = size > 0 && size % 3073 == 0, fits100 = size > 0 && size % 3074 == 0
        if fits10 && fits100 { return name.hasPrefix("data_batch") || name.hasPrefix("test_batch") ? .cifar10 : .cifar100 }
        return fits10 ? .cifar10 : fits100 ? .cifar100 : nil
    }

    /// The images and labels of one batch file.
    public static func parse(bytes: [UInt8], file: String, variant: Variant, budget: Int = Int.max) throws -> ImageSamples {
        let r = variant.recordSize
        guard !bytes.isEmpty else { throw DataError(file: file, "empty \(variant.name) batch (records of \(r) bytes)") }
        guard bytes.count % r == 0 else {
            throw DataError(file: file, "truncated \(variant.name) batch: \(bytes.count) bytes is not a whole number of \(r)-byte records (\(bytes.count / r) whole, \(bytes.count % r) bytes left over)")
        }
        let n = bytes.count / r
        try MemoryBudget.check(n * 3072, budget: budget, file: file)
        var pixels = [UInt8](repeating: 0, count: n * 3072)
        var labels = [Int32]()
        labels.reserveCapacity(n)
        try bytes.withUnsafeBufferPointer { src in
            try pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let rec = i * r
                    let label = Int(src[rec + variant.labelBytes - 1])
                    if variant == .cifar100, src[rec] >= 20 {
                        throw DataError(file: file, "labels: coarse label \(src[rec]) of record \(i) is out of range (0…19)")
                    }
                    guard label < variant.classCount else {
                        throw DataError(file: file, "labels: label \(label) of record \(i) is out of range (0…\(variant.classCount - 1))")
                    }
                    labels.append(Int32(label))
                    let img = rec + variant.labelBytes, out = i * 3072
                    for p in 0..<1024 {
                        dst[out + p * 3] = src[img + p]
                        dst[out + p * 3 + 1] = src[img + 1024 + p]
                        dst[out + p * 3 + 2] = src[img + 2048 + p]
                    }
                }
            }
        }
        return ImageSamples(pixels: .uint8(pixels), labels: labels)
    }
}

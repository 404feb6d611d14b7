/// IDX files, the format of MNIST, Fashion-MNIST, KMNIST and EMNIST: a 4-byte magic
/// (two zero bytes, the element type, the number of dimensions), one big-endian 32-bit
/// size per dimension, then the data. Images are `0x00000803` (uint8, N×H×W; N×H×W×C
/// with `0x00000804`), labels `0x00000801` (uint8, N). gzip-compressed files are
/// inflated first (by the caller).
public enum IdxFile {
    /// True when `bytes` starts with an IDX magic (any element type, 1–4 dimensions).
    public static func isIdx(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(bytes[2])
            && (1...4).contains(bytes[3])
    }

    /// The dimensions and uint8 data of an IDX file.
    public static func parse(bytes: [UInt8], file: String, budget: Int = Int.max) throws -> (dims: [Int], data: ArraySlice<UInt8>) {
        guard bytes.count >= 4 else { throw DataError(file: file, "truncated IDX file: \(bytes.count) bytes, shorter than the 4-byte magic") }
        guard bytes[0] == 0, bytes[1] == 0, (1...4).contains(bytes[3]) else {
            let hex = bytes[0..<4].map { String($0, radix: 16).leftPadded(2) }.joined()
            throw DataError(file: file, "magic: 0x\(hex) is not an IDX magic (0x00000801 labels, 0x00000803 images)")
        }
        guard bytes[2] == 0x08 else {
            throw DataError(file: file, "dtype: IDX element type 0x\(String(bytes[2], radix: 16)) is not supported (0x08, unsigned byte)")
        }
        let ndim = Int(bytes[3])
        guard bytes.count >= 4 + 4 * ndim else { throw DataError(file: file, "truncated IDX file: the \(ndim) dimension sizes are cut off") }
        var dims = [Int]()
        for k in 0..<ndim {
            let o = 4 + 4 * k
            dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let need = MemoryBudget.product(dims)
        try MemoryBudget.check(need, budget: budget, file: file)
        let start = 4 + 4 * ndim
        let have = bytes.count - start
        guard let need, have >= need else {
            throw DataError(file: file, "truncated IDX file: \(dims.map(String.init).joined(separator: "×")) needs \(need ?? 0) data bytes, the file has \(have)")
        }
        return (dims, bytes[start..<(start + need)])
    }

    /// An images file (3 or 4 dimensions) and its labels file (1 dimension).
    public static func imagesAndLabels(bytes: [UInt8], file: String, labels lbytes: [UInt8], labelsFile: String, budget: Int) throws
        -> (shape: ImageShape, samples: ImageSamples) {
        let (dims, data) = try parse(bytes: bytes, file: file, budget: budget)
        guard dims.count == 3 || dims.count == 4 else {
            throw DataError(file: file, "shape: an images file has 3 dimensions (N×H×W) or 4 (N×H×W×C), this one has \(dims.count)")
        }
        guard dims[1...].allSatisfy({ $0 > 0 }) else { throw DataError(file: file, "shape: image dimensions \(dims.map(String.init).joined(separator: "×")) include a zero") }
        let (ldims, ldata) = try parse(bytes: lbytes, file: labelsFile, budget: budget)
        guard ldims.count == 1 else {
            throw DataError(file: labelsFile, "shape: a labels file has 1 dimension, this one has \(ldims.count) (is it an images file?)")
        }
        try LabelCheck.matchCount(images: dims[0], labels: ldims[0], file: file, labelsFile: labelsFile)
        let labels = try LabelCheck.checked(ldata, file: labelsFile)
        let shape = ImageShape(height: dims[1], width: dims[2], channels: dims.count == 4 ? dims[3] : 1)
        return (shape, ImageSamples(pixels: .uint8(Array(data)), labels: labels))
    }
}

extension String {
    func leftPadded(_ n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}

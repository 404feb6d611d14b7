#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data sets Retort trains and evaluates on: the sample files shipped in the
/// repository's `sample-data/` folder. This is the one data-set type of every engine's
/// config, checkpoint and weights metadata (the raw values `mnist5k` and `digits` are
/// what `config.json` and `retort.data` hold); its file, shape and value range are
/// defined here and nowhere else.
public enum SampleData: String, Codable, CaseIterable, Sendable {
    /// 5000 MNIST digits (500 per class), 28×28 grey, values 0…255.
    case mnist5k
    /// UCI optical digits from scikit-learn, 1797 rows, 8×8, values 0…16.
    case digits

    public var fileName: String {
        switch self {
        case .mnist5k: return "mnist_5k.csv.gz"
        case .digits: return "digits_8x8.csv.gz"
        }
    }
    public var featureCount: Int { imageSide * imageSide }
    public var valueRange: ClosedRange<Float> {
        switch self {
        case .mnist5k: return 0...255
        case .digits: return 0...16
        }
    }
    public var imageSide: Int {
        switch self {
        case .mnist5k: return 28
        case .digits: return 8
        }
    }
    public var classCount: Int { 10 }

    /// Walks up from `start` (default: the current directory) looking for a
    /// `sample-data/` folder holding this set's file; returns the folder's path.
    public func findDirectory(startingAt start: String? = nil) -> String? {
        var dir = start ?? currentDirectory()
        while true {
            let candidate = dir + (dir.hasSuffix("/") ? "" : "/") + "sample-data"
            if access(candidate + "/" + fileName, R_OK) == 0 { return candidate }
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { return nil }
            dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
        }
    }

    private func currentDirectory() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { return "." }
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Dataset {
    /// Loads one of the sample files from `directory` (the repository's `sample-data/`),
    /// with its known feature count, value range and 28×28 / 8×8 image shape.
    public static func load(sample: SampleData, in directory: String) throws -> Dataset {
        let path = directory + (directory.hasSuffix("/") ? "" : "/") + sample.fileName
        var d = try load(path: path, featureCount: sample.featureCount,
                         valueRange: sample.valueRange, classCount: sample.classCount)
        d.imageShape = ImageShape(height: sample.imageSide, width: sample.imageSide, channels: 1)
        return d
    }
}

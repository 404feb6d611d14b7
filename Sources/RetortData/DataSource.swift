/// Where a run's data comes from: one of the bundled samples (`mnist5k`, `digits`) or a
/// file or folder in any format `ImageSetReader` reads. Written to `config.json`,
/// checkpoints and weights metadata as one string: the sample's name or the path (so
/// configs written before paths were allowed still read).
public enum DataSource: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    case sample(SampleData)
    case path(String)

    /// A sample name when `text` is one, else a path.
    public init(_ text: String) {
        if let s = SampleData(rawValue: text) { self = .sample(s) } else { self = .path(text) }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard !text.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "data: empty (a sample name or a path)"))
        }
        self.init(text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// The sample name or the path.
    public var description: String {
        switch self {
        case .sample(let s): return s.rawValue
        case .path(let p): return p
        }
    }

    /// A short name for generated run-folder names: the sample, or the file/folder name
    /// without extensions, reduced to letters, digits, `-` and `_` (at most 24 characters).
    public var shortName: String {
        switch self {
        case .sample(let s): return s.rawValue
        case .path(let p):
            var base = p
            while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
            base = base.split(separator: "/").last.map(String.init) ?? base
            for ext in [".gz", ".csv", ".npz", ".npy", ".bin", ".txt"] where base.hasSuffix(ext) && base.count > ext.count { base.removeLast(ext.count) }
            let kept = String(base.unicodeScalars.filter { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }.map(Character.init))
            return kept.isEmpty ? "data" : String(kept.prefix(24))
        }
    }

    /// The sample when this is one.
    public var sample: SampleData? {
        if case .sample(let s) = self { return s }
        return nil
    }
}

/// How to read a data source where its files cannot say it themselves; written to
/// `config.json` only when something is set.
public struct DataReadSettings: Codable, Sendable, Equatable {
    /// A separate test set (any supported format); nil: the source's own test part
    /// (`t10k-*`, `test_batch.bin`, `x_test`, `test/`) or else a seeded split.
    public var test: String?
    /// Axis order of 4-d NumPy arrays; nil infers it.
    public var layout: ImageLayout?
    /// Image shape of a CSV row, `H×W` or `H×W×C`.
    public var shape: String?
    /// Horizontal-flip augmentation; nil: on for 3-channel (RGB) images, off otherwise.
    public var flip: Bool?
    /// A CSV file's label column: `first`, `last`, a 1-based number or a header name; nil:
    /// the header's `label` (or `class`, `target`, `y`) column, else the last.
    public var labelColumn: String?
    /// Whether a CSV file starts with a header row; nil: when its first row is all names.
    public var header: Bool?

    /// Nothing set.
    public init() {}

    public init(test: String? = nil, layout: ImageLayout? = nil, shape: String? = nil, flip: Bool? = nil,
                labelColumn: String? = nil, header: Bool? = nil) {
        self.test = test; self.layout = layout; self.shape = shape; self.flip = flip
        self.labelColumn = labelColumn; self.header = header
    }

    /// Every field set: the template config files' keys are read off.
    public static let template = DataReadSettings(test: "test", layout: .nhwc, shape: "1x1", flip: true, labelColumn: "last", header: true)

    /// The CSV layout these settings declare; throws a one-line message for a bad label column.
    public func csvColumns() throws -> CSVColumns {
        var c = CSVColumns(header: header)
        if let labelColumn {
            guard let l = CSVLabelColumn(labelColumn) else {
                throw DataError(file: "label-column", "'\(labelColumn)' is not a column (\(CSVLabelColumn.allowed))")
            }
            c.label = l
        }
        return c
    }

    /// These settings, with every unset field taken from `other` (a data file's sidecar).
    public func filled(from other: DataReadSettings) -> DataReadSettings {
        DataReadSettings(test: test ?? other.test, layout: layout ?? other.layout, shape: shape ?? other.shape,
                         flip: flip ?? other.flip, labelColumn: labelColumn ?? other.labelColumn, header: header ?? other.header)
    }

    /// True when nothing is set (so it need not be written).
    public var isEmpty: Bool { self == DataReadSettings() }
}

extension ImageLayout: Codable {}

extension DataSource {
    /// The bundled samples, so `config.data = .digits` reads as before paths were allowed.
    public static let mnist5k = DataSource.sample(.mnist5k)
    public static let digits = DataSource.sample(.digits)
}

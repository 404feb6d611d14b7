import ArgumentParser
import Foundation
import RetortData

extension DataSource: ExpressibleByArgument {
    public init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        self.init(argument)
    }
    public var defaultValueDescription: String { description }

    /// A path made absolute (against the current folder), so a run's config still finds the
    /// data when it is resumed or replayed from elsewhere; samples as they are.
    var absolute: DataSource {
        guard case .path(let p) = self else { return self }
        return .path(absolutePath(p))
    }
}

/// `/abs/path` for `path` relative to the current folder (`~` is the shell's business).
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    let cwd = FileManager.default.currentDirectoryPath
    var p = path
    while p.hasPrefix("./") { p.removeFirst(2) }
    return cwd + (cwd.hasSuffix("/") ? "" : "/") + p
}


/// How to read a data file or folder given as `--data PATH` where the files cannot say it.
struct DataReadOptions: ParsableArguments {
    @Option(help: "A separate test set (any format --data takes; default: the data's own test part, e.g. t10k-*, test_batch.bin, x_test, test/, else a seeded split of --test-count images).")
    var testData: String?
    @Option(help: "Axis order of 4-d NumPy image arrays: nhwc or nchw (default: inferred from where the channel axis of 1, 3 or 4 is).")
    var layout: ImageLayout?
    @Option(help: "Image shape of a CSV row, HxW or HxWxC, e.g. 32x32x3 (default: square grey images when the row length is a square).")
    var shape: String?
    @Flag(inversion: .prefixedNo, help: "Random horizontal flips of training images (default: on for 3-channel images, off otherwise).")
    var flip: Bool?
    @Option(help: "A CSV file's label column: first, last, a column number from 1, or a header row's column name (default: the header's label/class/target/y column, else the last).")
    var labelColumn: String?
    @Flag(inversion: .prefixedNo, help: "Whether a CSV file starts with a header row (default: when its first row is all names).")
    var header: Bool?

    /// nil when nothing is set.
    var settings: DataReadSettings? { applied(to: nil) }

    /// The options given over `base` (a config file's), nil when nothing is set.
    func applied(to base: DataReadSettings?) -> DataReadSettings? {
        var s = base ?? DataReadSettings()
        if let testData { s.test = absolutePath(testData) }
        if let layout { s.layout = layout }
        if let shape { s.shape = shape }
        if let flip { s.flip = flip }
        if let labelColumn { s.labelColumn = labelColumn }
        if let header { s.header = header }
        return s.isEmpty ? nil : s
    }

    func validate() throws {
        if let shape, DeclaredShape(shape) == nil {
            throw ValidationError("shape: '\(shape)' is not HxW or HxWxC with positive whole numbers (e.g. 28x28 or 32x32x3)")
        }
        if let labelColumn, CSVLabelColumn(labelColumn) == nil {
            throw ValidationError("label-column: '\(labelColumn)' is not a column (\(CSVLabelColumn.allowed))")
        }
        if let testData, testData.isEmpty { throw ValidationError("test-data: empty (give a data file or folder)") }
    }
}

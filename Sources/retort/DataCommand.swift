import ArgumentParser
import Foundation
import RetortData
import RunKit

/// `retort data …`: working with data sets on disk.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Inspect image data sets (NumPy .npy/.npz, IDX, CIFAR, PNG/JPEG folders, CSV).",
        subcommands: [DataInspect.self])
}

/// `retort data inspect PATH`: what a data set holds, and a few of its images drawn.
struct DataInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a data set's format, size, shape, dtype, classes and balance, value range, test part, and a few samples.",
        discussion: "PATH is a file or a folder holding a known layout. Bad input: one line naming the file, exit 2.")

    @Argument(help: "The data file or folder.") var path: String
    @Option(help: "Axis order of 4-d NumPy image arrays: \(ImageLayout.allCases.map(\.rawValue).joined(separator: ", ")) (default: inferred).")
    var layout: ImageLayout?
    @Option(help: "Image shape of a CSV row, HxW or HxWxC (default: square grey when the row length is a square).")
    var shape: String?
    @Option(help: "A CSV file's label column: first, last, a column number from 1, or a header row's column name (default: the header's label/class/target/y column, else the last).")
    var labelColumn: String?
    @Flag(inversion: .prefixedNo, help: "Whether a CSV file starts with a header row (default: when its first row is all names).")
    var header: Bool?
    @Option(help: "How many images to draw.") var samples: Int = 4
    @Flag(help: "ASCII drawing even on a UTF-8 terminal.") var ascii = false

    func validate() throws {
        guard (0...16).contains(samples) else { throw ValidationError("--samples must be 0…16, got \(samples)") }
        if let shape, DeclaredShape(shape) == nil { throw ValidationError("--shape must be HxW or HxWxC with positive sizes, got '\(shape)'") }
        if let labelColumn, CSVLabelColumn(labelColumn) == nil {
            throw ValidationError("label-column: '\(labelColumn)' is not a column (\(CSVLabelColumn.allowed))")
        }
    }

    func run() throws {
        let settings = try DataReadSettings(layout: layout, shape: shape, labelColumn: labelColumn, header: header).withSidecar(of: path)
        let set = try ImageSetReader.load(path: path, options: try settings.loadOptions())
        setlocale(LC_ALL, "")
        let utf8 = !ascii && String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
        for line in DataInspect.summary(set) { print(line) }
        if samples > 0 {
            print("samples:")
            for line in ImagePreview.gallery(set, count: samples, utf8: utf8) { print("  " + line) }
        }
    }

    static func summary(_ set: RawImageSet) -> [String] {
        var out = ["format: \(set.format)", "path: \(set.path)"]
        let s = set.shape
        out.append("train: \(set.train.count) images of \(s.height)×\(s.width)×\(s.channels) (H×W×C), \(set.train.pixels.dtypeName)")
        if let t = set.test {
            out.append("test: \(t.count) images (separate test set)")
        } else {
            out.append("test: none (a seeded split of the training part is used)")
        }
        if let r = set.valueRange { out.append("values: \(fmt(r.lowerBound))…\(fmt(r.upperBound))") }
        out.append("classes: \(set.classCount)")
        let train = set.classCounts(set.train), test = set.test.map { set.classCounts($0) }
        let shown = min(set.classCount, 20)
        for k in 0..<shown {
            let name = set.classNames.map { " \($0[k])" } ?? ""
            out.append("  \(k)\(name): \(train[k]) train" + (test.map { ", \($0[k]) test" } ?? ""))
        }
        if set.classCount > shown {
            let rest = train[shown...]
            out.append("  … \(set.classCount - shown) more classes, \(rest.min() ?? 0)–\(rest.max() ?? 0) train images each")
        }
        if let lo = train.min(), let hi = train.max() {
            out.append("balance: \(lo)–\(hi) train images per class" + (lo == 0 ? " (some classes have no training images)" : ""))
        }
        return out
    }

    static func fmt(_ v: Float) -> String {
        v == v.rounded() && abs(v) < 1e7 ? String(Int(v)) : String(format: "%.4g", v)
    }
}

extension ImageLayout: ExpressibleByArgument {}

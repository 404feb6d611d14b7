import Foundation
import RetortData

/// A data file's sidecar, `FILE.yaml` (or `FILE.yml`) beside it, holds the keys a CSV or
/// NumPy file cannot say itself: `label-column`, `header`, `shape`, `layout`, `flip`, `test`
/// (a path relative to the sidecar's folder). Flags and config files override it.
extension DataReadSettings: FileConfigurable {
    public static var fileTemplate: DataReadSettings { .template }
    public static var fileAliases: [String: String] { ["test-data": "test"] }

    /// The sidecar of the data file `path`, if there is one.
    public static func sidecarPath(of path: String) -> String? {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        for ext in [".yaml", ".yml"] where FileManager.default.fileExists(atPath: trimmed + ext) { return trimmed + ext }
        return nil
    }

    /// These settings with every unset field taken from `path`'s sidecar (if any).
    public func withSidecar(of path: String) throws -> DataReadSettings {
        guard let file = Self.sidecarPath(of: path) else { return self }
        var side = try ConfigFile.read(DataReadSettings.self, path: file).config
        if let t = side.test, !t.hasPrefix("/") {
            side.test = (file as NSString).deletingLastPathComponent + "/" + t
        }
        return filled(from: side)
    }

    /// The reader's options these settings declare (checked: a bad shape or label column is one line).
    public func loadOptions(memoryBudget: Int? = nil) throws -> ImageLoadOptions {
        var options = ImageLoadOptions(layout: layout, memoryBudget: memoryBudget, csv: try csvColumns())
        if let s = shape {
            guard let d = DeclaredShape(s) else { throw ConfigError("data shape: '\(s)' is not H×W or H×W×C with positive whole numbers (e.g. 28x28 or 32x32x3)") }
            options.shape = d
        }
        return options
    }
}

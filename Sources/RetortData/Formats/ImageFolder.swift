import CStb
import Foundation

/// A folder with one sub-folder per class of PNG/JPEG images, decoded with stb_image
/// (Debian's libstb). Class names are the sub-folder names in sorted order; files that
/// are not .png/.jpg/.jpeg, and hidden entries, are skipped. Every image must have the
/// same height and width; grey and colour images may mix (all are expanded to the
/// largest channel count found).
public enum ImageFolder {
    static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Non-hidden sub-folders of `path`, sorted.
    static func subfolders(_ path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") && BoundedFile.kind(of: path + "/" + $0) == .directory }.sorted()
    }

    static func imageFiles(_ path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
    }

    /// True when `path` holds class folders with at least one image between them.
    static func looksLikeClassFolders(_ path: String) -> Bool {
        subfolders(path).contains { !imageFiles(path + "/" + $0).isEmpty }
    }

    /// Reads class folders under `path`; `classNames` fixes the label order (for a test part).
    static func read(path: String, classNames: [String]?, budget: Int) throws -> (shape: ImageShape, names: [String], samples: ImageSamples) {
        let names = classNames ?? subfolders(path)
        guard !names.isEmpty else { throw DataError(file: path, "no class folders (one sub-folder of PNG/JPEG images per class)") }
        var files = [(path: String, label: Int32)]()
        for (label, name) in names.enumerated() {
            let dir = path + "/" + name
            guard BoundedFile.kind(of: dir) == .directory else { throw DataError(file: dir, "class folder missing (the training part has it)") }
            let images = imageFiles(dir)
            guard !images.isEmpty else { throw DataError(file: dir, "empty class folder: no .png/.jpg/.jpeg images (every class needs at least one)") }
            files += images.map { (dir + "/" + $0, Int32(label)) }
        }
        // First pass: sizes from the headers, so the whole set is bounded before decoding.
        var encoded = [[UInt8]]()
        var first: (w: Int32, h: Int32, path: String)?
        var channels: Int32 = 1
        var encodedBytes = 0
        for f in files {
            let bytes = try BoundedFile.read(path: f.path, budget: max(0, budget - encodedBytes))
            guard bytes.count < Int(Int32.max) else { throw DataError(file: f.path, "image file over 2 GB is not supported") }
            encodedBytes += bytes.count
            var w: Int32 = 0, h: Int32 = 0, c: Int32 = 0
            let ok = bytes.withUnsafeBufferPointer { stbi_info_from_memory($0.baseAddress, Int32($0.count), &w, &h, &c) }
            guard ok != 0, w > 0, h > 0 else { throw DataError(file: f.path, "not a readable PNG/JPEG image (\(reason()))") }
            if let first {
                guard w == first.w, h == first.h else {
                    throw DataError(file: f.path, "image size: \(h)×\(w), but \(first.path) is \(first.h)×\(first.w) (all images must have one height×width)")
                }
            } else {
                first = (w, h, f.path)
            }
            channels = max(channels, c)
            encoded.append(bytes)
        }
        let shape = ImageShape(height: Int(first!.h), width: Int(first!.w), channels: Int(channels))
        try MemoryBudget.check(MemoryBudget.product([files.count, shape.featureCount]).map { $0 + encodedBytes }, budget: budget, file: path)
        var pixels = [UInt8](repeating: 0, count: files.count * shape.featureCount)
        for (i, bytes) in encoded.enumerated() {
            var w: Int32 = 0, h: Int32 = 0, c: Int32 = 0
            let decoded = bytes.withUnsafeBufferPointer { stbi_load_from_memory($0.baseAddress, Int32($0.count), &w, &h, &c, channels) }
            guard let decoded else { throw DataError(file: files[i].path, "corrupt image: \(reason())") }
            defer { stbi_image_free(decoded) }
            guard w == first!.w, h == first!.h else { throw DataError(file: files[i].path, "image size: decoded \(h)×\(w), the header said \(first!.h)×\(first!.w)") }
            pixels.withUnsafeMutableBufferPointer { dst in
                (dst.baseAddress! + i * shape.featureCount).update(from: decoded, count: shape.featureCount)
            }
        }
        return (shape, names, ImageSamples(pixels: .uint8(pixels), labels: files.map(\.label)))
    }

    private static func reason() -> String {
        stbi_failure_reason().map { String(cString: $0) } ?? "unknown error"
    }
}

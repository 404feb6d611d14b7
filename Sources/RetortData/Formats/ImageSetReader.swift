import Foundation

/// Reads an image data set from a file or folder in any supported format, detected
/// from content (magic bytes) with the name as a hint:
///
/// - NumPy `x.npy` + `y.npy` (also `x_train`/`y_train` with `x_test`/`y_test` beside them),
/// - NumPy `.npz` with members `x`/`y` or `x_train`/`y_train` (+ `x_test`/`y_test`),
/// - IDX pairs, gzip or not (`train-images-idx3-ubyte[.gz]` + `…labels-idx1…`, test part
///   from the `t10k-` / `test` names),
/// - CIFAR-10 (`data_batch_*.bin`, `test_batch.bin`) and CIFAR-100 (`train.bin`, `test.bin`),
/// - a folder of class folders of PNG/JPEG (a `train/` + `test/` pair gives a test part),
/// - gzip or plain CSV, as `Dataset.parse` reads it: the label column and a header row
///   declared (`ImageLoadOptions.csv`) or detected (a header of names; its `label` column, else the last).
///
/// Every size is checked against the memory budget before it is allocated; non-regular
/// files are refused. Problems are one `DataError` naming the file.
public enum ImageSetReader {
    public static func load(path: String, options: ImageLoadOptions = ImageLoadOptions()) throws -> RawImageSet {
        let budget = options.budget
        switch BoundedFile.kind(of: path) {
        case .missing: throw DataError(file: path, "no such file or folder")
        case .other(let what): throw DataError(file: path, "is \(what), not a regular file (give a data file or folder)")
        case .directory: return try loadFolder(path, options: options, budget: budget)
        case .regular: return try loadFile(path, options: options, budget: budget)
        }
    }

    /// True when `path` is a file that none of the binary formats claims (so it is CSV).
    public static func isCSV(path: String) -> Bool {
        guard case .regular = BoundedFile.kind(of: path) else { return false }
        guard let head = try? firstBytes(path) else { return false }
        if NpyArray.isNpy(head) || ZipArchive.isZip(head) || IdxFile.isIdx(head) || formatHint(path) != nil { return false }
        if GzipReader.isGzip(head) {
            // A gzip file is CSV unless it inflates to IDX.
            guard let raw = try? BoundedFile.read(path: path, budget: 1 << 30), let inflated = try? GzipReader.inflate(raw, file: path, limit: 1 << 30) else { return true }
            return !IdxFile.isIdx(Array(inflated.prefix(4)))
        }
        return !name(path).hasSuffix(".bin")  // .bin files are CIFAR batches
    }

    // MARK: - files

    static func loadFile(_ path: String, options: ImageLoadOptions, budget: Int) throws -> RawImageSet {
        let bytes = try BoundedFile.readMaybeGzip(path: path, budget: budget)
        // Content decides; a file whose name claims a binary format but whose content
        // matches none is reported as that format (wrong magic), not parsed as CSV.
        let hint = formatHint(path)
        if NpyArray.isNpy(bytes) || (hint == .npy && !ZipArchive.isZip(bytes) && !IdxFile.isIdx(bytes)) { return try loadNpyPair(path, bytes: bytes, options: options, budget: budget) }
        if ZipArchive.isZip(bytes) || hint == .npz { return try loadNpz(path, bytes: bytes, options: options, budget: budget) }
        if IdxFile.isIdx(bytes) || hint == .idx { return try loadIdx(path, bytes: bytes, budget: budget) }
        if let v = cifarVariant(path) ?? (name(path).hasSuffix(".bin") ? (name(path).hasPrefix("data_batch") || name(path).hasPrefix("test_batch") ? .cifar10 : .cifar100) : nil) {
            let samples = try CifarBatch.parse(bytes: bytes, file: path, variant: v, budget: budget)
            return RawImageSet(path: path, format: v.name, shape: CifarBatch.shape, classCount: v.classCount,
                               classNames: cifarNames(dir(path), v), train: samples)
        }
        return try loadCSV(path, bytes: bytes, declared: options.shape, columns: options.csv)
    }

    static func loadNpyPair(_ path: String, bytes: [UInt8], options: ImageLoadOptions, budget: Int) throws -> RawImageSet {
        let base = name(path), folder = dir(path)
        guard base.hasPrefix("x") else {
            throw DataError(file: path, "name: a NumPy image array is named x.npy or x_train.npy, with labels in y.npy / y_train.npy beside it")
        }
        let yPath = folder + "/y" + base.dropFirst()
        guard case .regular = BoundedFile.kind(of: yPath) else { throw DataError(file: path, "labels: no \(name(yPath)) beside it (one integer label per image)") }
        let train = try npySamples(x: bytes, xFile: path, yFile: yPath, options: options, budget: budget)
        var test: (ImageShape, ImageSamples)?
        if base.hasPrefix("x_train") {
            let xt = folder + "/x_test" + base.dropFirst("x_train".count), yt = folder + "/y_test" + base.dropFirst("x_train".count)
            if case .regular = BoundedFile.kind(of: xt) {
                test = try npySamples(x: BoundedFile.readMaybeGzip(path: xt, budget: budget), xFile: xt, yFile: yt, options: options, budget: budget)
            }
        }
        return try assemble(path, "NumPy .npy", train, test, names: nil)
    }

    static func npySamples(x: [UInt8], xFile: String, yFile: String, options: ImageLoadOptions, budget: Int) throws -> (ImageShape, ImageSamples) {
        let xa = try NpyArray.parse(bytes: x, file: xFile, budget: budget)
        let ya = try NpyArray.parse(bytes: BoundedFile.readMaybeGzip(path: yFile, budget: budget), file: yFile, budget: budget)
        return try samples(xa, xFile: xFile, ya, yFile: yFile, layout: options.layout)
    }

    static func samples(_ xa: NpyArray, xFile: String, _ ya: NpyArray, yFile: String, layout: ImageLayout?) throws -> (ImageShape, ImageSamples) {
        let (shape, pixels) = try NumpyImages.images(xa, file: xFile, layout: layout)
        let labels = try NumpyImages.labels(ya, file: yFile)
        try LabelCheck.matchCount(images: xa.shape[0], labels: labels.count, file: xFile, labelsFile: yFile)
        return (shape, ImageSamples(pixels: pixels, labels: labels))
    }

    static func loadNpz(_ path: String, bytes: [UInt8], options: ImageLoadOptions, budget: Int) throws -> RawImageSet {
        let zip = try ZipArchive(bytes: bytes, file: path)
        func member(_ names: [String]) -> ZipArchive.Member? {
            for n in names { if let m = zip.members.first(where: { $0.name == n + ".npy" }) { return m } }
            return nil
        }
        func array(_ m: ZipArchive.Member) throws -> NpyArray {
            try NpyArray.parse(bytes: zip.contents(of: m, budget: budget), file: path + ":" + m.name, budget: budget)
        }
        guard let xm = member(["x", "x_train"]), let ym = member(["y", "y_train"]) else {
            let found = zip.members.map { String($0.name.dropLast($0.name.hasSuffix(".npy") ? 4 : 0)) }
            throw DataError(file: path, "members: needs x and y (or x_train and y_train), found \(found.isEmpty ? "none" : found.joined(separator: ", "))")
        }
        let train = try samples(array(xm), xFile: path + ":" + xm.name, array(ym), yFile: path + ":" + ym.name, layout: options.layout)
        var test: (ImageShape, ImageSamples)?
        if let xt = member(["x_test"]) {
            guard let yt = member(["y_test"]) else { throw DataError(file: path, "members: x_test without y_test") }
            test = try samples(array(xt), xFile: path + ":" + xt.name, array(yt), yFile: path + ":" + yt.name, layout: options.layout)
        }
        return try assemble(path, "NumPy .npz", train, test, names: nil)
    }

    static func loadIdx(_ path: String, bytes: [UInt8], budget: Int) throws -> RawImageSet {
        let (dims, _) = try IdxFile.parse(bytes: bytes, file: path, budget: budget)
        guard dims.count >= 3 else {
            throw DataError(file: path, "is an IDX labels file (1 dimension); give the images file or the folder holding both")
        }
        let labelsPath = try idxLabels(for: path)
        let labelBytes = try BoundedFile.readMaybeGzip(path: labelsPath, budget: budget)
        let train = try IdxFile.imagesAndLabels(bytes: bytes, file: path, labels: labelBytes, labelsFile: labelsPath, budget: budget)
        var test: (ImageShape, ImageSamples)?
        let base = name(path)
        for alt in ["t10k", "test"] where base.contains("train") {
            let tp = dir(path) + "/" + base.replacingOccurrences(of: "train", with: alt)
            guard case .regular = BoundedFile.kind(of: tp) else { continue }
            let tl = try idxLabels(for: tp)
            test = try IdxFile.imagesAndLabels(bytes: BoundedFile.readMaybeGzip(path: tp, budget: budget), file: tp,
                                      labels: BoundedFile.readMaybeGzip(path: tl, budget: budget), labelsFile: tl, budget: budget)
            break
        }
        return try assemble(path, "IDX", train, test, names: nil)
    }

    /// The labels file paired with an IDX images file: `images`/`imgs` → `labels`, `idx3`/`idx4` → `idx1`.
    static func idxLabels(for path: String) throws -> String {
        let base = name(path)
        var l = base
        for (a, b) in [("images", "labels"), ("imgs", "labels"), ("idx3", "idx1"), ("idx4", "idx1")] { l = l.replacingOccurrences(of: a, with: b) }
        let candidates = [l, l.hasSuffix(".gz") ? String(l.dropLast(3)) : l + ".gz"]
        for c in candidates where c != base {
            if case .regular = BoundedFile.kind(of: dir(path) + "/" + c) { return dir(path) + "/" + c }
        }
        throw DataError(file: path, "labels: no IDX labels file beside it (expected \(l == base ? "a name with 'labels' for 'images'" : l))")
    }

    static func loadCSV(_ path: String, bytes: [UInt8], declared: DeclaredShape?, columns: CSVColumns) throws -> RawImageSet {
        let d = try Dataset.parse(bytes: bytes, file: path, classCount: nil, columns: columns)
        let shape = try declared?.resolve(values: d.featureCount, file: path)
            ?? d.imageShape ?? ImageShape(height: 1, width: d.featureCount, channels: 1)
        let bytesLike = d.features.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() }
        let pixels: ImagePixels = bytesLike ? .uint8(d.features.map { UInt8($0) }) : .float32(d.features)
        return RawImageSet(path: path, format: GzipReader.isGzip(Array(try firstBytes(path))) ? "CSV (gzip)" : "CSV", shape: shape,
                           classCount: d.classCount, train: ImageSamples(pixels: pixels, labels: d.labels.map { Int32($0) }))
    }

    // MARK: - folders

    static func loadFolder(_ path: String, options: ImageLoadOptions, budget: Int) throws -> RawImageSet {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let p = path.hasSuffix("/") ? String(path.dropLast()) : path
        if let x = names.first(where: { $0 == "x_train.npy" || $0 == "x.npy" }) { return try loadFile(p + "/" + x, options: options, budget: budget) }
        let npz = names.filter { $0.hasSuffix(".npz") }
        if npz.count == 1 { return try loadFile(p + "/" + npz[0], options: options, budget: budget) }
        if let idx = names.first(where: { $0.contains("train") && ($0.contains("images") || $0.contains("imgs") || $0.contains("idx3")) }) {
            return try loadFile(p + "/" + idx, options: options, budget: budget)
        }
        let batches = names.filter { $0.hasPrefix("data_batch") && $0.hasSuffix(".bin") }
        if !batches.isEmpty { return try loadCifar(p, train: batches, test: names.contains("test_batch.bin") ? "test_batch.bin" : nil, .cifar10, budget: budget) }
        if names.contains("train.bin") { return try loadCifar(p, train: ["train.bin"], test: names.contains("test.bin") ? "test.bin" : nil, .cifar100, budget: budget) }
        if names.contains("train"), BoundedFile.kind(of: p + "/train") == .directory, ImageFolder.looksLikeClassFolders(p + "/train") {
            let train = try ImageFolder.read(path: p + "/train", classNames: nil, budget: budget)
            var test: (ImageShape, ImageSamples)?
            if BoundedFile.kind(of: p + "/test") == .directory {
                let t = try ImageFolder.read(path: p + "/test", classNames: train.names, budget: budget)
                test = (t.shape, t.samples)
            }
            return try assemble(path, "PNG/JPEG folder", (train.shape, train.samples), test, names: train.names, classCount: train.names.count)
        }
        if ImageFolder.looksLikeClassFolders(p) || !ImageFolder.subfolders(p).isEmpty && names.allSatisfy({ BoundedFile.kind(of: p + "/" + $0) == .directory }) {
            let r = try ImageFolder.read(path: p, classNames: nil, budget: budget)
            return try assemble(path, "PNG/JPEG folder", (r.shape, r.samples), nil, names: r.names, classCount: r.names.count)
        }
        throw DataError(file: path, "no known data layout in this folder (x.npy + y.npy, one .npz, IDX train-images/labels, CIFAR data_batch_*.bin or train.bin, or one sub-folder of PNG/JPEG images per class)")
    }

    static func loadCifar(_ path: String, train: [String], test: String?, _ v: CifarBatch.Variant, budget: Int) throws -> RawImageSet {
        var pixels = [UInt8](), labels = [Int32]()
        // One allocation of the final size: growing by appends would hold the old and the
        // doubled buffer at once (2.6× the data at the last batch of CIFAR-10).
        let records = train.reduce(0) { n, b in
            if case .regular(let size) = BoundedFile.kind(of: path + "/" + b) { return n + size / v.recordSize }
            return n
        }
        pixels.reserveCapacity(records * 3072); labels.reserveCapacity(records)
        var left = budget
        for b in train {
            let s = try CifarBatch.parse(bytes: BoundedFile.read(path: path + "/" + b, budget: left), file: path + "/" + b, variant: v, budget: left)
            if case .uint8(let px) = s.pixels { pixels += px }
            labels += s.labels
            left -= s.pixels.count
        }
        let testSamples = try test.map { try CifarBatch.parse(bytes: BoundedFile.read(path: path + "/" + $0, budget: max(0, left)), file: path + "/" + $0, variant: v, budget: max(0, left)) }
        return RawImageSet(path: path, format: v.name, shape: CifarBatch.shape, classCount: v.classCount, classNames: cifarNames(path, v),
                           train: ImageSamples(pixels: .uint8(pixels), labels: labels), test: testSamples)
    }

    // MARK: - helpers

    enum Hint { case npy, npz, idx }

    /// The format a file's name claims: `.npy`, `.npz`, IDX names (`…-idx3-ubyte`, `…ubyte.gz`).
    static func formatHint(_ path: String) -> Hint? {
        var n = name(path).lowercased()
        if n.hasSuffix(".gz") { n = String(n.dropLast(3)) }
        if n.hasSuffix(".npy") { return .npy }
        if n.hasSuffix(".npz") { return .npz }
        if n.hasSuffix("ubyte") || n.contains("-idx1") || n.contains("-idx3") || n.hasSuffix(".idx") { return .idx }
        return nil
    }

    static func assemble(_ path: String, _ format: String, _ train: (ImageShape, ImageSamples), _ test: (ImageShape, ImageSamples)?,
                         names: [String]?, classCount: Int? = nil) throws -> RawImageSet {
        guard train.1.count > 0 else { throw DataError(file: path, "no images (the training part is empty)") }
        if let test, test.0 != train.0 {
            throw DataError(file: path, "shape: test images are \(test.0), training images \(train.0) (one shape for both)")
        }
        let classes = classCount ?? LabelCheck.classCount([train.1.labels, test?.1.labels ?? []])
        return RawImageSet(path: path, format: format, shape: train.0, classCount: classes, classNames: names, train: train.1, test: test?.1)
    }

    /// The CIFAR variant a file's size (and name) fits, nil when it is not a CIFAR batch.
    static func cifarVariant(_ path: String) -> CifarBatch.Variant? {
        guard case .regular(let size) = BoundedFile.kind(of: path), name(path).hasSuffix(".bin") else { return nil }
        return CifarBatch.variant(size: size, name: name(path))
    }

    /// Class names from `batches.meta.txt` (CIFAR-10) or `fine_label_names.txt` (CIFAR-100).
    static func cifarNames(_ folder: String, _ v: CifarBatch.Variant) -> [String]? {
        let file = folder + "/" + (v == .cifar10 ? "batches.meta.txt" : "fine_label_names.txt")
        guard let text = try? BoundedFile.readSmallText(path: file) else { return nil }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.count == v.classCount ? names : nil
    }

    static func firstBytes(_ path: String) throws -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { throw DataError(file: path, "cannot read") }
        defer { try? h.close() }
        return [UInt8](h.readData(ofLength: 16))
    }

    static func name(_ path: String) -> String { (path as NSString).lastPathComponent }
    static func dir(_ path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }
}

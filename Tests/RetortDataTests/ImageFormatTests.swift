import Foundation
import XCTest
import RetortData

/// The repository's tests/ folder (fixtures written by tools/data/make_fixtures.py and
/// the bad-input corpus written by tests/bad-inputs/make_corpus.py).
let repoTests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("tests").path
func fixture(_ rel: String) -> String { repoTests + "/fixtures/data/" + rel }
func corpus(_ rel: String) -> String { repoTests + "/bad-inputs/files/formats/" + rel }

/// A `.npy` file as NumPy writes it (header padded to 64 bytes, newline-terminated).
func npyBytes(_ descr: String, _ shape: [Int], _ data: [UInt8], fortran: Bool = false, version: UInt8 = 1, dict: String? = nil) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    let d = dict ?? "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let pre = version == 1 ? 10 : 12
    let pad = (64 - (pre + d.utf8.count + 1) % 64) % 64
    let h = Array((d + String(repeating: " ", count: pad) + "\n").utf8)
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    if version == 1 { out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8)] } else { out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8), 0, 0] }
    return out + h + data
}

func assertDataError(_ body: @autoclosure () throws -> Any, matches pattern: String, file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError matching /\(pattern)/", file: file, line: line)
    } catch let e as DataError {
        XCTAssertNotNil(e.description.range(of: pattern, options: .regularExpression), "'\(e.description)' does not match /\(pattern)/", file: file, line: line)
        XCTAssertFalse(e.description.contains("\n"), "error is not one line", file: file, line: line)
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}

final class NpyTests: XCTestCase {
    func testHeaderDictRules() throws {
        // double quotes, keys in another order, no trailing comma, version 2.0 header
        let b = npyBytes("", [], [1, 2, 3, 4, 5, 6], version: 2, dict: "{\"shape\": (2, 3), \"fortran_order\": False, \"descr\": \"|u1\"}")
        let a = try NpyArray.parse(bytes: b, file: "a.npy")
        XCTAssertEqual(a.shape, [2, 3]); XCTAssertEqual(a.dtype.descr, "|u1"); XCTAssertEqual(a.data, [1, 2, 3, 4, 5, 6])
        let v3 = try NpyArray.parse(bytes: npyBytes("<i4", [1], [7, 0, 0, 0], version: 3), file: "b.npy")
        XCTAssertEqual(v3.shape, [1])
    }

    func testFortranOrderIsReorderedToC() throws {
        // C-order [[1, 2, 3], [4, 5, 6]] stored column-major is 1 4 2 5 3 6.
        let a = try NpyArray.parse(bytes: npyBytes("|u1", [2, 3], [1, 4, 2, 5, 3, 6], fortran: true), file: "f.npy")
        XCTAssertEqual(a.data, [1, 2, 3, 4, 5, 6])
    }

    func testEmptyArrayIsRefused() {
        let dir = TempDir()
        let p = dir.write("x.npy", bytes: npyBytes("|u1", [0, 2, 2], []))
        dir.write("y.npy", bytes: npyBytes("|u1", [0], []))
        assertDataError(try ImageSetReader.load(path: p), matches: "x.npy: no images")
    }

    func testBigEndianAndWideLabels() throws {
        let dir = TempDir()
        let p = dir.write("x.npy", bytes: npyBytes("|u1", [2, 1, 1], [5, 6]))
        dir.write("y.npy", bytes: npyBytes(">i2", [2], [0, 3, 0, 9]))
        XCTAssertEqual(try ImageSetReader.load(path: p).train.labels, [3, 9])
    }

    func testHeaderErrors() {
        assertDataError(try NpyArray.parse(bytes: npyBytes("", [], [], dict: "{'descr': '|u1', 'fortran_order': Maybe, 'shape': (1,), }"), file: "h.npy"), matches: "fortran_order: 'Maybe'")
        assertDataError(try NpyArray.parse(bytes: npyBytes("", [], [], dict: "{'descr': '|u1', 'shape': (1,), }"), file: "h.npy"), matches: "missing key 'fortran_order'")
        assertDataError(try NpyArray.parse(bytes: npyBytes("", [], [], dict: "{'descr': '|u1', 'fortran_order': False, 'shape': (-1,), }"), file: "h.npy"), matches: "shape: .* not a dimension")
        assertDataError(try NpyArray.parse(bytes: npyBytes("", [], [], dict: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), file: "h.npy"), matches: "structured dtypes")
        assertDataError(try NpyArray.parse(bytes: Array(npyBytes("|u1", [4], [1, 2, 3, 4]).prefix(20)), file: "h.npy"), matches: "truncated .npy file: the header needs")
        var v9 = npyBytes("|u1", [1], [1]); v9[6] = 9
        assertDataError(try NpyArray.parse(bytes: v9, file: "h.npy"), matches: "version 9.0 is not supported")
    }

    func testTooLargeIsRefusedWithTheSizeItNeeds() {
        let b = npyBytes("<f4", [60000, 28, 28], [])
        assertDataError(try NpyArray.parse(bytes: b, file: "big.npy", budget: 1 << 20), matches: "^big.npy: needs 179 MB to load, this machine has 1.0 MB available$")
        assertDataError(try NpyArray.parse(bytes: npyBytes("<f8", [Int(Int32.max), Int(Int32.max), 1 << 20], []), file: "o.npy"), matches: "needs more than")
    }

    func testMalformedPairsFromTheCorpus() {
        let cases: [(String, String)] = [
            ("npy-truncated", "truncated .npy file"), ("npy-wrong-magic", "magic"), ("npy-wrong-dtype", "descr: '<c8' is not supported"),
            ("npy-int-images", "dtype: x is <i4"), ("npy-wrong-shape", "shape: x has shape \\(4, 4\\)"),
            ("npy-label-count", "y.npy: labels: 3 labels for 4 images"), ("npy-label-out-of-range", "label -1 of sample 2 is out of range"),
            ("npy-float-labels", "dtype: y is <f4"), ("npy-no-labels", "no y.npy"), ("npy-ambiguous-layout", "cannot tell channels"),
        ]
        for (dir, pattern) in cases {
            assertDataError(try ImageSetReader.load(path: corpus(dir + "/x.npy")), matches: pattern)
        }
    }
}

final class ImageFormatFixtureTests: XCTestCase {
    func testNpyPairWithTestPart() throws {
        let s = try ImageSetReader.load(path: fixture("npy"))
        XCTAssertEqual(s.format, "NumPy .npy"); XCTAssertEqual(s.shape, ImageShape(height: 8, width: 8, channels: 1))
        XCTAssertEqual(s.train.count, 40); XCTAssertEqual(s.test?.count, 12); XCTAssertEqual(s.classCount, 4)
        XCTAssertEqual(s.classCounts(s.train), [10, 10, 10, 10])
        XCTAssertEqual(s.train.pixels.dtypeName, "uint8")
    }

    /// One draw of images written three ways: uint8 NHWC (stored zip), float32 NCHW (deflated
    /// zip), and channel 0 as a Fortran-order .npy. All must read back as the same NHWC images.
    func testLayoutsAgree() throws {
        let nhwc = try ImageSetReader.load(path: fixture("npz/shapes_nhwc_stored.npz"))
        let nchw = try ImageSetReader.load(path: fixture("npz/shapes_nchw.npz"))
        let fortran = try ImageSetReader.load(path: fixture("npy/x_fortran.npy"))
        XCTAssertEqual(nhwc.shape, ImageShape(height: 8, width: 8, channels: 3)); XCTAssertEqual(nchw.shape, nhwc.shape)
        XCTAssertEqual(nchw.train.labels, nhwc.train.labels); XCTAssertEqual(fortran.train.labels, nhwc.train.labels)
        guard case .uint8(let u) = nhwc.train.pixels, case .float32(let f) = nchw.train.pixels, case .uint8(let g) = fortran.train.pixels else {
            return XCTFail("dtypes: \(nhwc.train.pixels.dtypeName), \(nchw.train.pixels.dtypeName)")
        }
        XCTAssertEqual(u.count, f.count)
        for i in 0..<u.count { XCTAssertEqual(f[i], Float(u[i]) / 255, accuracy: 1e-6) }
        for i in 0..<g.count { XCTAssertEqual(g[i], u[i * 3]) }
        XCTAssertEqual(nchw.test?.count, 12)
    }

    func testDeclaredLayoutOverridesInference() throws {
        // 1×3×2×3: channels could sit on either side; declared nchw gives 2×3×3 images.
        let dir = TempDir()
        dir.write("x.npy", bytes: npyBytes("|u1", [1, 3, 2, 3], Array(0..<18)))
        dir.write("y.npy", bytes: npyBytes("<i8", [1], [0, 0, 0, 0, 0, 0, 0, 0]))
        let inferred = try ImageSetReader.load(path: dir.path)
        XCTAssertEqual(inferred.shape, ImageShape(height: 3, width: 2, channels: 3))
        let declared = try ImageSetReader.load(path: dir.path, options: ImageLoadOptions(layout: .nchw))
        XCTAssertEqual(declared.shape, ImageShape(height: 2, width: 3, channels: 3))
        // pixel (0,0) of NCHW data is channel planes 0, 6, 12
        XCTAssertEqual(Array(0..<3).map { declared.train.pixels[$0] }, [0, 6, 12])
    }

    func testIdxGzipWithTestPartAndPlain() throws {
        let s = try ImageSetReader.load(path: fixture("idx"))
        XCTAssertEqual(s.format, "IDX"); XCTAssertEqual(s.shape, ImageShape(height: 12, width: 12, channels: 1))
        XCTAssertEqual(s.train.count, 40); XCTAssertEqual(s.test?.count, 12)
        let plain = try ImageSetReader.load(path: fixture("idx-plain/train-images-idx3-ubyte"))
        XCTAssertEqual(plain.train.count, 20); XCTAssertNil(plain.test)
        XCTAssertEqual(plain.train.labels, Array(s.train.labels.prefix(20)))
    }

    func testCifarFolders() throws {
        let c10 = try ImageSetReader.load(path: fixture("cifar10"))
        XCTAssertEqual(c10.format, "CIFAR-10"); XCTAssertEqual(c10.train.count, 16); XCTAssertEqual(c10.test?.count, 8)
        XCTAssertEqual(c10.classCount, 10); XCTAssertEqual(c10.classNames?.first, "airplane")
        let c100 = try ImageSetReader.load(path: fixture("cifar100"))
        XCTAssertEqual(c100.format, "CIFAR-100"); XCTAssertEqual(c100.classCount, 100); XCTAssertEqual(c100.test?.count, 4)
        XCTAssertTrue(c100.train.labels.allSatisfy { $0 % 20 == 3 })  // fine labels, not coarse
    }

    func testCifarRecordIsRewrittenToNHWC() throws {
        // planes: R = 10, G = 20, B = 30 (plus one marked pixel in each plane)
        var rec: [UInt8] = [7] + [UInt8](repeating: 10, count: 1024) + [UInt8](repeating: 20, count: 1024) + [UInt8](repeating: 30, count: 1024)
        rec[1 + 33] = 11; rec[1 + 1024 + 33] = 21; rec[1 + 2048 + 33] = 31
        let s = try CifarBatch.parse(bytes: rec, file: "data_batch_1.bin", variant: .cifar10)
        XCTAssertEqual(s.labels, [7])
        XCTAssertEqual((0..<3).map { s.pixels[$0] }, [10, 20, 30])
        XCTAssertEqual((0..<3).map { s.pixels[33 * 3 + $0] }, [11, 21, 31])  // row 1, column 1
        XCTAssertEqual(CifarBatch.variant(size: 3074 * 2, name: "train.bin"), .cifar100)
        XCTAssertNil(CifarBatch.variant(size: 3075, name: "x.bin"))
    }

    func testImageFolderPngAndJpeg() throws {
        let s = try ImageSetReader.load(path: fixture("folder"))
        XCTAssertEqual(s.format, "PNG/JPEG folder"); XCTAssertEqual(s.shape, ImageShape(height: 12, width: 12, channels: 3))
        XCTAssertEqual(s.classNames, ["bars", "columns", "diagonal", "square"])
        XCTAssertEqual(s.train.count, 40); XCTAssertEqual(s.test?.count, 12)
        XCTAssertEqual(s.classCounts(s.train), [10, 10, 10, 10])
    }

    func testOnePngDecodesToItsPixels() throws {
        // the corpus PNGs are flat grey 100 (written from the PNG spec with zlib)
        let dir = TempDir()
        let png = try XCTUnwrap(FileManager.default.contents(atPath: corpus("folder-mixed-sizes/cat/a.png")))
        try FileManager.default.createDirectory(atPath: dir.path + "/only", withIntermediateDirectories: true)
        dir.write("only/a.png", bytes: [UInt8](png))
        let s = try ImageSetReader.load(path: dir.path)
        XCTAssertEqual(s.shape, ImageShape(height: 4, width: 4, channels: 1))
        XCTAssertEqual(s.train.pixels, .uint8([UInt8](repeating: 100, count: 16)))
    }

    func testMalformedFoldersAndFiles() {
        let cases: [(String, String)] = [
            ("npz-missing-members/d.npz", "members: needs x and y .*found images, labels"), ("npz-truncated/d.npz", "zip: "),
            ("npz-corrupt-member/d.npz", "(CRC|magic|header)"), ("npz-label-count/d.npz", "d.npz:y.npy: labels: 2 labels for 4 images"),
            ("idx-wrong-magic", "magic: 0x01020803 is not an IDX magic"), ("idx-wrong-dtype", "IDX element type 0xd"),
            ("idx-truncated", "truncated IDX file"), ("idx-truncated-gzip", "truncated gzip"),
            ("idx-label-count", "labels: 2 labels for 3 images"), ("idx-labels-given/train-labels-idx1-ubyte", "is an IDX labels file"),
            ("idx-no-labels/train-images-idx3-ubyte", "no IDX labels file"),
            ("cifar10-truncated", "truncated CIFAR-10 batch"), ("cifar10-label-out-of-range", "label 12 of record 1 is out of range \\(0…9\\)"),
            ("cifar100-coarse-out-of-range", "coarse label 25"),
            ("folder-corrupt-png", "dog/b.png: .*(corrupt|not a readable)"), ("folder-empty-class", "dog: empty class folder"),
            ("folder-mixed-sizes", "image size: 4×5, but .*a.png is 4×4"), ("folder-unknown-layout", "no known data layout"),
        ]
        for (rel, pattern) in cases {
            assertDataError(try ImageSetReader.load(path: corpus(rel)), matches: pattern)
        }
    }

    func testDeclaredCsvShape() throws {
        let dir = TempDir()
        let row = (0..<12).map { String($0 * 20) }.joined(separator: ",") + ",1\n"
        let p = dir.write("rows.csv", row + row)
        let s = try ImageSetReader.load(path: p, options: ImageLoadOptions(shape: DeclaredShape("2x2")))
        XCTAssertEqual(s.shape, ImageShape(height: 2, width: 2, channels: 3))
        assertDataError(try ImageSetReader.load(path: p, options: ImageLoadOptions(shape: DeclaredShape("5x5"))), matches: "shape: declared 5×5 does not divide a row of 12 values")
        assertDataError(try ImageSetReader.load(path: p, options: ImageLoadOptions(shape: DeclaredShape("2x2x2"))), matches: "declared 2×2×2 does not divide")
        XCTAssertNil(DeclaredShape("2x0")); XCTAssertNil(DeclaredShape("abc"))
    }
}

final class BoundedReadTests: XCTestCase {
    func testNonRegularFilesAreRefused() throws {
        assertDataError(try ImageSetReader.load(path: "/dev/zero"), matches: "^/dev/zero: is a character device, not a regular file")
        let dir = TempDir()
        let fifo = dir.path + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        assertDataError(try ImageSetReader.load(path: fifo), matches: "pipe: is a FIFO, not a regular file")
        assertDataError(try ImageSetReader.load(path: dir.path + "/none"), matches: "no such file or folder")
    }

    func testMemoryBudgetBoundsFilesAndGzip() throws {
        let dir = TempDir()
        let p = dir.write("x.npy", bytes: npyBytes("|u1", [4, 4, 4], [UInt8](repeating: 1, count: 64)))
        dir.write("y.npy", bytes: npyBytes("|u1", [4], [0, 1, 2, 3]))
        assertDataError(try ImageSetReader.load(path: p, options: ImageLoadOptions(memoryBudget: 100)), matches: "x.npy: needs 192 bytes to load, this machine has 100 bytes available")
        XCTAssertEqual(try ImageSetReader.load(path: p, options: ImageLoadOptions(memoryBudget: 1000)).train.count, 4)
        let big = try gzip([UInt8](repeating: 0, count: 100_000))
        assertDataError(try GzipReader.inflate(big, file: "bomb.gz", limit: 10_000), matches: "bomb.gz: decompresses to more than 9.8 KB")
        XCTAssertEqual(try GzipReader.inflate(big, file: "ok.gz", limit: 100_000).count, 100_000)
    }

    func testZipMemberSizesAreChecked() throws {
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: fixture("npz/shapes_nhwc_stored.npz"))))
        let zip = try ZipArchive(bytes: bytes, file: "s.npz")
        XCTAssertEqual(Set(zip.members.map(\.name)), ["x.npy", "y.npy"])
        let x = try XCTUnwrap(zip.members.first { $0.name == "x.npy" })
        assertDataError(try zip.contents(of: x, budget: 10), matches: "s.npz:x.npy: needs")
    }
}

final class ImagePreviewTests: XCTestCase {
    func testHalfBlocksAndAsciiFallback() {
        // 4×2 grey image: top row bright, then dark, then mid, mid
        let px: [UInt8] = [255, 255, 0, 0, 128, 128, 128, 128]
        let set = RawImageSet(path: "p", format: "test", shape: ImageShape(height: 4, width: 2), classCount: 1,
                              train: ImageSamples(pixels: .uint8(px), labels: [0]))
        XCTAssertEqual(ImagePreview.lines(set, part: set.train, index: 0, utf8: true), ["▀▀", "▒▒"])
        XCTAssertEqual(ImagePreview.lines(set, part: set.train, index: 0, utf8: false), ["++", "++"])
        XCTAssertEqual(ImagePreview.gallery(set, utf8: true), ["#0 0", "▀▀  ", "▒▒  "])
    }
}

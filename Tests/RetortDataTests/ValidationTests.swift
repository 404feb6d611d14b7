import Foundation
import XCTest
import RetortData

/// Every malformed-file case, plain and gzipped, with the exact message a user sees.
final class ValidationTests: XCTestCase {
    var dir: TempDir!
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir = nil }

    /// Writes `text` plain and gzipped and checks both fail the same way.
    func check(_ text: String, featureCount: Int? = nil, valueRange: ClosedRange<Float>? = nil,
               line: Int?, _ message: String, file: StaticString = #filePath, at: UInt = #line) throws {
        let plain = dir.write("case.csv", text)
        assertLoadFails(plain, featureCount: featureCount, valueRange: valueRange, line: line, message,
                        file: file, at: at)
        let gz = try dir.writeGzip("case.csv.gz", text)
        assertLoadFails(gz, featureCount: featureCount, valueRange: valueRange, line: line, message,
                        file: file, at: at)
    }

    func testMissingFile() {
        assertLoadFails(dir.path + "/nope.csv.gz", featureCount: 784, line: nil, "no such file")
        assertLoadFails(dir.path + "/no-dir/nope.csv", line: nil, "no such file")
    }

    func testDirectoryIsNotAFile() {
        assertLoadFails(dir.path, line: nil, "is a directory, not a data file")
    }

    func testEmptyFile() throws {
        try check("", featureCount: 784, line: nil,
                  "file is empty: expected rows of 784 pixel values then a label")
        try check("\n\r\n  \n", featureCount: 64, line: nil,
                  "file is empty: expected rows of 64 pixel values then a label")
        try check("", line: nil, "file is empty: expected rows of comma-separated feature values then a label")
    }

    func testWrongColumnCount() throws {
        var rows = csvRows(6, features: 784)
        rows.append(csvRows(1, features: 783)[0])  // 784 columns on line 7
        rows += csvRows(3, features: 784)
        try check(rows.joined(separator: "\n") + "\n", featureCount: 784, valueRange: 0...255, line: 7,
                  "expected 785 columns (784 features + label), found 784")
    }

    func testTooManyColumns() throws {
        try check("1,2,3,4,5\n1,2,3,4,5,6\n", featureCount: 4, line: 2,
                  "expected 5 columns (4 features + label), found 6")
        // a single feature: singular wording
        try check("1,2\n1,2,3\n", featureCount: 1, line: 2, "expected 2 columns (1 feature + label), found 3")
    }

    func testColumnCountInferredFromFirstRow() throws {
        try check("1,2,3,4\n1,2,3\n", line: 2, "expected 4 columns (3 features + label), found 3")
        try check("7\n", line: 1, "expected at least 2 columns (features then a label), found 1")
    }

    func testWrongCountWinsOverBadCell() throws {
        // A short row with junk in it reports the column count, the root cause.
        try check("1,2,3,4,5\n1,x,3,4\n", featureCount: 4, line: 2,
                  "expected 5 columns (4 features + label), found 4")
    }

    func testNonNumericCell() throws {
        var rows = csvRows(5, features: 784)
        var cells = rows[2].split(separator: ",").map(String.init)
        cells[11] = "abc"
        rows[2] = cells.joined(separator: ",")
        try check(rows.joined(separator: "\n"), featureCount: 784, valueRange: 0...255, line: 3,
                  "column 12: 'abc' is not a number")
        try check("1,2,3,4,5\n1,2,3..4,4,5\n", featureCount: 4, line: 2, "column 3: '3..4' is not a number")
        try check("1,2,3,4,5\n1,-,3,4,5\n", featureCount: 4, line: 2, "column 2: '-' is not a number")
    }

    func testEmptyCell() throws {
        try check("1,2,3,4,5\n1,,3,4,5\n", featureCount: 4, line: 2, "column 2: empty cell (expected a number)")
    }

    func testHeaderRowGetsAHint() throws {
        try check("p0,p1,p2,p3,label\n1,2,3,4,5\n", featureCount: 4, line: 1,
                  "column 1: 'p0' is not a number (the file must not have a header row)")
    }

    func testValueOutOfRange() throws {
        var rows = csvRows(10, features: 784)
        var cells = rows[8].split(separator: ",").map(String.init)
        cells[4] = "300"
        rows[8] = cells.joined(separator: ",")
        try check(rows.joined(separator: "\n") + "\n", featureCount: 784, valueRange: 0...255, line: 9,
                  "column 5: value 300 outside the allowed range 0…255")
        try check("0,1,2,3,4\n0,-1,2,3,4\n", featureCount: 4, valueRange: 0...16, line: 2,
                  "column 2: value -1 outside the allowed range 0…16")
        try check("0,0.5,1,1,4\n", featureCount: 4, valueRange: 0...0.25, line: 1,
                  "column 2: value 0.5 outside the allowed range 0…0.25")
    }

    func testLabelOutOfRange() throws {
        try check("1,2,3,4,1\n1,2,3,4,2\n1,2,3,4,3\n1,2,3,4,12\n", featureCount: 4, line: 4, "label 12 outside 0…9")
        try check("1,2,3,4,-1\n", featureCount: 4, line: 1, "label -1 outside 0…9")
    }

    func testLabelNotAnInteger() throws {
        try check("1,2,3,4,1\n1,2,3,4,3.5\n", featureCount: 4, line: 2, "label 3.5 is not an integer (expected 0…9)")
        try check("1,2,3,4,cat\n", featureCount: 4, line: 1, "label 'cat' is not an integer (expected 0…9)")
        try check("1,2,3,4,\n", featureCount: 4, line: 1, "label '' is not an integer (expected 0…9)")
    }

    func testNaNAndInfinity() throws {
        try check("1,2,3,4,5\n1,nan,3,4,5\n", featureCount: 4, line: 2, "column 2: 'nan' is not a finite number")
        try check("1,2,3,4,5\n1,2,NaN,4,5\n", featureCount: 4, line: 2, "column 3: 'NaN' is not a finite number")
        try check("1,2,3,inf,5\n", featureCount: 4, line: 1, "column 4: 'inf' is not a finite number")
        try check("-Infinity,2,3,4,5\n", featureCount: 4, line: 1, "column 1: '-Infinity' is not a finite number")
        try check("1e39,2,3,4,5\n", featureCount: 4, line: 1, "column 1: '1e39' is not a finite number")
        try check("1,2,3,4,nan\n", featureCount: 4, line: 1, "label 'nan' is not an integer (expected 0…9)")
    }

    func testBlankLineBetweenRows() throws {
        try check("1,2,3,4,5\n\n1,2,3,4,5\n", featureCount: 4, line: 2,
                  "blank line between rows: expected 5 columns (4 features + label) (or nothing after the last row)")
    }

    func testCorruptGzip() throws {
        let text = csvRows(50, features: 16).joined(separator: "\n") + "\n"
        var bytes = try gzip(Array(text.utf8))
        // flip the CRC-32 in the trailer (bytes n-8..<n-4)
        bytes[bytes.count - 8] ^= 0xFF
        let bad = dir.write("bad-crc.csv.gz", bytes: bytes)
        assertLoadFails(bad, featureCount: 16, line: nil, "corrupt gzip data (zlib: incorrect data check)")

        var header = try gzip(Array(text.utf8))
        header[2] = 7  // compression method must be 8 (deflate)
        let badHeader = dir.write("bad-method.csv.gz", bytes: header)
        assertLoadFails(badHeader, featureCount: 16, line: nil, "corrupt gzip data (zlib: unknown compression method)")
    }

    func testTruncatedGzip() throws {
        let text = csvRows(200, features: 64).joined(separator: "\n") + "\n"
        let full = try gzip(Array(text.utf8))
        for keep in [full.count / 2, full.count - 4, 10, 3] {
            let p = dir.write("cut-\(keep).csv.gz", bytes: Array(full.prefix(keep)))
            assertLoadFails(p, featureCount: 64, line: nil,
                            "truncated gzip data: the file ends before the compressed stream does")
        }
    }

    // MARK: accepted variations

    func testCRLFTrailingBlankLinesSpacesAndBOM() throws {
        let text = "\u{FEFF}0,1,2,3,4\r\n 5 , 6.5,7,8, 9 \r\n+1,2,3,4.0,0\r\n\r\n\n  \n"
        for path in [dir.write("ok.csv", text), try dir.writeGzip("ok.csv.gz", text)] {
            let d = try Dataset.load(path: path, featureCount: 4, valueRange: 0...255)
            XCTAssertEqual(d.count, 3)
            XCTAssertEqual(d.features, [0, 1, 2, 3, 5, 6.5, 7, 8, 1, 2, 3, 4])
            XCTAssertEqual(d.labels, [4, 9, 0])
            XCTAssertEqual(d.featureCount, 4)
            XCTAssertEqual(d.imageShape, ImageShape(height: 2, width: 2, channels: 1))
            XCTAssertEqual(d.name, "ok")
        }
    }

    func testOtherToolsFileEqualsTheCleanFile() throws {
        let clean = "0,1,2,3,4\n5,6.5,7,8,9\n1,2,3,4,0\n"
        // BOM, CRLF and spaces and tabs before every line end, as a Windows tool writes it
        let other = "\u{FEFF}0,1,2,3,4 \t\r\n5,6.5,7,8,9\t\r\n1,2,3,4,0 \r\n"
        let a = try Dataset.load(path: dir.write("clean.csv", clean), featureCount: 4, valueRange: 0...16)
        for path in [dir.write("other.csv", other), try dir.writeGzip("other.csv.gz", other)] {
            let b = try Dataset.load(path: path, featureCount: 4, valueRange: 0...16)
            XCTAssertEqual(b.features, a.features)
            XCTAssertEqual(b.labels, a.labels)
        }
        // line numbers count from the first line after the BOM
        try check("\u{FEFF}0,1,2,3,4\t\r\n5,6.5,7,8,9 \r\n1,2,x,4,0\r\n", featureCount: 4, line: 3, "column 3: 'x' is not a number")
    }

    func testNumberFormats() throws {
        let path = dir.write("nums.csv", "-0.125,1e2,0.1,123456.75,2.5E-1,3\n")
        let d = try Dataset.load(path: path)
        XCTAssertEqual(d.featureCount, 5)
        XCTAssertEqual(d.features, [-0.125, 100, 0.1, 123456.75, 0.25])
        XCTAssertNil(d.imageShape)  // 5 is not a square
        XCTAssertEqual(d.labels, [3])
    }

    func testIntegralLabelWrittenAsFloat() throws {
        let d = try Dataset.load(path: dir.write("l.csv", "1,2,3,4,7.0\n"), featureCount: 4)
        XCTAssertEqual(d.labels, [7])
    }

    func testConcatenatedGzipMembers() throws {
        let a = try gzip(Array("1,2,3,4,5\n".utf8)), b = try gzip(Array("6,7,8,9,1\n".utf8))
        let d = try Dataset.load(path: dir.write("cat.csv.gz", bytes: a + b), featureCount: 4)
        XCTAssertEqual(d.labels, [5, 1])
    }

    func testGzipReaderRoundTrip() throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        let p = dir.write("blob.gz", bytes: try gzip(bytes))
        XCTAssertEqual(try GzipReader.read(path: p), bytes)
        let plain = dir.write("blob.bin", bytes: bytes)
        XCTAssertEqual(try GzipReader.read(path: plain), bytes)
    }
}

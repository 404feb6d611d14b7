import Foundation
import XCTest
import RetortData

/// CSV files as other tools write them: a header row (Kaggle's MNIST: `label,pixel0,…`),
/// the label first or anywhere, more than ten classes.
final class CSVColumnsTests: XCTestCase {
    var dir: TempDir!
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir = nil }

    /// Rows of 4 pixels (2×2) whose label is `row % classes`, label first.
    func labelFirst(_ n: Int, classes: Int = 3) -> [String] {
        (0..<n).map { r in "\(r % classes)," + (0..<4).map { String((r * 7 + $0 * 13) % 256) }.joined(separator: ",") }
    }

    func load(_ text: String, _ columns: CSVColumns = CSVColumns(), name: String = "d.csv") throws -> RawImageSet {
        try ImageSetReader.load(path: dir.write(name, text), options: ImageLoadOptions(csv: columns))
    }

    func testHeaderRowIsDetectedAndItsLabelColumnTaken() throws {
        let text = "label,pixel0,pixel1,pixel2,pixel3\r\n" + labelFirst(6).joined(separator: "\r\n") + "\r\n"
        let set = try load(text)
        XCTAssertEqual(set.train.count, 6)
        XCTAssertEqual(set.train.labels, [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(set.classCount, 3)
        XCTAssertEqual(set.shape, ImageShape(height: 2, width: 2, channels: 1))
        guard case .uint8(let px) = set.train.pixels else { return XCTFail("expected uint8 pixels") }
        XCTAssertEqual(Array(px[0..<4]), [0, 13, 26, 39])
    }

    func testQuotedHeaderNamesAndAClassColumnInTheMiddle() throws {
        let text = "\"a\",\"b\",\"Class\",\"c\",\"d\"\n1,2,5,3,4\n5,6,11,7,8\n"
        let set = try load(text)
        XCTAssertEqual(set.train.labels, [5, 11])
        XCTAssertEqual(set.classCount, 12, "classes: one more than the largest label, not a fixed 10")
        guard case .uint8(let px) = set.train.pixels else { return XCTFail("expected uint8 pixels") }
        XCTAssertEqual(Array(px), [1, 2, 3, 4, 5, 6, 7, 8])
    }

    func testDeclaredLabelColumnByPositionAndName() throws {
        let rows = labelFirst(4).joined(separator: "\n")
        XCTAssertEqual(try load(rows, CSVColumns(label: .first)).train.labels, [0, 1, 2, 0])
        XCTAssertEqual(try load(rows, CSVColumns(label: .number(1))).train.labels, [0, 1, 2, 0])
        let named = "p0,p1,digit,p2,p3\n" + "9,9,4,9,9\n"
        XCTAssertEqual(try load(named, CSVColumns(label: .name("DIGIT"))).train.labels, [4])
        XCTAssertEqual(try load(named, CSVColumns(label: .number(3))).train.labels, [4])
    }

    func testUndeclaredHeaderlessFileKeepsTheLabelLast() throws {
        let set = try load("1,2,3,4,2\n5,6,7,8,0\n")
        XCTAssertEqual(set.train.labels, [2, 0])
        XCTAssertEqual(set.classCount, 3)
    }

    func testDeclaredHeaderWithNumericNames() throws {
        let text = "label,1,2,3,4\n1,10,20,30,40\n"
        XCTAssertThrowsError(try load(text)) { e in
            XCTAssertTrue("\(e)".contains("d.csv:1: column 1: 'label' is not a number (a header row? declare it"), "\(e)")
        }
        let set = try load(text, CSVColumns(header: true))
        XCTAssertEqual(set.train.labels, [1])
    }

    func testLabelColumnErrorsNameTheFileLineAndWhatIsAllowed() throws {
        XCTAssertThrowsError(try load("a,b,label\n1,2,3\n", CSVColumns(label: .name("klass")))) { e in
            XCTAssertEqual("\(e)", "\(self.dir.path)/d.csv:1: label-column: no column named 'klass' in the header row (columns: a, b, label)")
        }
        XCTAssertThrowsError(try load("1,2,3\n", CSVColumns(label: .name("label")))) { e in
            XCTAssertTrue("\(e)".hasSuffix("d.csv:1: label-column: 'label' names a header column, but the file has no header row (give first, last or a column number, or declare the header row)"), "\(e)")
        }
        XCTAssertThrowsError(try load("1,2,3\n", CSVColumns(label: .number(4)))) { e in
            XCTAssertTrue("\(e)".hasSuffix("d.csv:1: label-column: column 4, but rows have 3 columns (first, last, a column number from 1, or a header row's column name)"), "\(e)")
        }
        XCTAssertThrowsError(try load("label,a,b\n1.5,2,3\n")) { e in
            XCTAssertTrue("\(e)".hasSuffix("d.csv:2: label 1.5 is not an integer (expected 0…65535)"), "\(e)")
        }
        XCTAssertThrowsError(try load("label,a,b\n1,2\n")) { e in
            XCTAssertTrue("\(e)".hasSuffix("d.csv:2: expected 3 columns (2 features + label), found 2"), "\(e)")
        }
        XCTAssertThrowsError(try load("label,a,b\n")) { e in
            XCTAssertTrue("\(e)".contains("file is empty"), "\(e)")
        }
    }

    func testLabelColumnText() {
        XCTAssertEqual(CSVLabelColumn("First"), .first)
        XCTAssertEqual(CSVLabelColumn(" last "), .last)
        XCTAssertEqual(CSVLabelColumn("3"), .number(3))
        XCTAssertEqual(CSVLabelColumn("label"), .name("label"))
        XCTAssertNil(CSVLabelColumn("0"))
        XCTAssertNil(CSVLabelColumn(""))
    }

    func testBundledFormStaysStrict() throws {
        // `retort check data` and the samples: no header row, the label last, 10 classes.
        let path = dir.write("h.csv", "label,a,b,c,d\n1,2,3,4,5\n")
        XCTAssertThrowsError(try Dataset.load(path: path)) { e in
            XCTAssertTrue("\(e)".contains("h.csv:1: column 1: 'label' is not a number"), "\(e)")
        }
    }
}

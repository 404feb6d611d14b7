import Foundation
import XCTest
import RetortData

/// The real sample files in the repository's sample-data/.
final class SampleDataTests: XCTestCase {
    let dir = sampleDataDirectory()

    func testMNIST5k() throws {
        let start = ContinuousClock.now
        let d = try Dataset.load(sample: .mnist5k, in: dir)
        let elapsed = ContinuousClock.now - start
        print("mnist_5k load (inflate + parse + validate): \(elapsed)")
        XCTAssertEqual(d.count, 5000)
        XCTAssertEqual(d.featureCount, 784)
        XCTAssertEqual(d.features.count, 5000 * 784)
        XCTAssertEqual(d.classCount, 10)
        XCTAssertEqual(d.classCounts(), Array(repeating: 500, count: 10))
        XCTAssertEqual(d.imageShape, ImageShape(height: 28, width: 28, channels: 1))
        XCTAssertEqual(d.valueRange, 0...255)
        XCTAssertEqual(d.features.min(), 0)
        XCTAssertEqual(d.features.max(), 255)
        XCTAssertTrue(d.features.allSatisfy { $0 == $0.rounded() })
        XCTAssertEqual(d.name, "mnist_5k")
        // first row from the file: 127 leading zeros then 51,159,253,159,50
        XCTAssertEqual(Array(d.row(0)[127..<132]), [51, 159, 253, 159, 50])
        XCTAssertEqual(Array(d.row(0)[0..<127]), Array(repeating: 0, count: 127))
        XCTAssertLessThan(elapsed, .seconds(5))
    }

    func testDigits8x8() throws {
        let d = try Dataset.load(sample: .digits, in: dir)
        XCTAssertEqual(d.count, 1797)
        XCTAssertEqual(d.featureCount, 64)
        XCTAssertEqual(d.imageShape, ImageShape(height: 8, width: 8, channels: 1))
        XCTAssertEqual(d.features.min(), 0)
        XCTAssertEqual(d.features.max(), 16)
        XCTAssertEqual(d.classCounts().reduce(0, +), 1797)
        XCTAssertTrue(d.classCounts().allSatisfy { $0 >= 170 })
        XCTAssertEqual(Array(d.row(0)[0..<8]), [0, 0, 5, 13, 9, 1, 0, 0])
        XCTAssertEqual(d.labels[0], 0)
        XCTAssertEqual(d.labels[1], 1)
    }

    func testSampleDataFacts() {
        XCTAssertEqual(SampleData.mnist5k.fileName, "mnist_5k.csv.gz")
        XCTAssertEqual(SampleData.digits.fileName, "digits_8x8.csv.gz")
        XCTAssertEqual(SampleData.mnist5k.featureCount, 784)
        XCTAssertEqual(SampleData.digits.featureCount, 64)
        XCTAssertEqual(SampleData.mnist5k.valueRange, 0...255)
        XCTAssertEqual(SampleData.digits.valueRange, 0...16)
        XCTAssertEqual(SampleData(rawValue: "digits"), .digits)
    }

    /// Configs, checkpoints and weights metadata hold the raw value; it stays what it was.
    func testCodableAsRawValue() throws {
        XCTAssertEqual(String(decoding: try JSONEncoder().encode([SampleData.mnist5k, .digits]), as: UTF8.self), #"["mnist5k","digits"]"#)
        XCTAssertEqual(try JSONDecoder().decode([SampleData].self, from: Data(#"["digits","mnist5k"]"#.utf8)), [.digits, .mnist5k])
        XCTAssertThrowsError(try JSONDecoder().decode([SampleData].self, from: Data(#"["cifar10"]"#.utf8)))
        XCTAssertEqual(SampleData.allCases, [.mnist5k, .digits])
    }

    func testFindDirectoryWalksUp() {
        let deep = dir + "/../Tests/RetortDataTests"
        let found = SampleData.digits.findDirectory(startingAt: deep)
        XCTAssertNotNil(found)
        XCTAssertTrue(FileManager.default.fileExists(atPath: found! + "/digits_8x8.csv.gz"))
        XCTAssertNil(SampleData.digits.findDirectory(startingAt: "/proc/self"))
    }

    func testWrongSampleDirectoryNamesTheFile() {
        let bogus = NSTemporaryDirectory() + "definitely-not-here-\(UUID().uuidString)"
        assertLoadFails(bogus + "/mnist_5k.csv.gz", featureCount: 784, line: nil, "no such file")
        XCTAssertThrowsError(try Dataset.load(sample: .mnist5k, in: bogus)) { e in
            XCTAssertEqual("\(e)", bogus + "/mnist_5k.csv.gz: no such file")
        }
    }
}

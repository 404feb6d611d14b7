import Foundation
import XCTest
import RetortData

/// A fresh temporary directory per test case, removed afterwards.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "retort-data-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let p = path + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    /// Writes `text` gzip-compressed (by running the system `gzip -n`).
    @discardableResult
    func writeGzip(_ name: String, _ text: String) throws -> String {
        write(name, bytes: try gzip(Array(text.utf8)))
    }
}

/// Compresses with the system gzip binary.
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let tool = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let tool else { throw XCTSkip("no gzip binary") }
    let dir = TempDir()
    let src = dir.write("in.bin", bytes: bytes)
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: tool)
    proc.arguments = ["-n", "-c", src]
    let pipe = Pipe()
    proc.standardOutput = pipe
    try proc.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    proc.waitUntilExit()
    XCTAssertEqual(proc.terminationStatus, 0)
    return Array(out)
}

/// The repository's `sample-data/` folder, found from this file's location.
func sampleDataDirectory(file: StaticString = #filePath) -> String {
    URL(fileURLWithPath: "\(file)")
        .deletingLastPathComponent()  // RetortDataTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("sample-data").path
}

/// `rows` CSV rows of `features` zero pixels (except a little variety) and label `row % 10`.
func csvRows(_ rows: Int, features: Int) -> [String] {
    (0..<rows).map { r in
        let pixels = (0..<features).map { String(($0 * 7 + r * 13) % 256) }
        return (pixels + [String(r % 10)]).joined(separator: ",")
    }
}

/// Asserts that loading `path` fails with exactly `line` and `message`, and that the
/// printed error reads `path:line: message`.
func assertLoadFails(_ path: String, featureCount: Int? = nil, valueRange: ClosedRange<Float>? = nil,
                     line: Int?, _ message: String, file: StaticString = #filePath, at: UInt = #line) {
    do {
        let d = try Dataset.load(path: path, featureCount: featureCount, valueRange: valueRange)
        XCTFail("expected an error, loaded \(d.count) rows", file: file, line: at)
    } catch let e as DataError {
        XCTAssertEqual(e.file, path, file: file, line: at)
        XCTAssertEqual(e.line, line, file: file, line: at)
        XCTAssertEqual(e.message, message, file: file, line: at)
        let expected = line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
        XCTAssertEqual(e.description, expected, file: file, line: at)
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: at)
    }
}

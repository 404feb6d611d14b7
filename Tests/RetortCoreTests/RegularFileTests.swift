import Foundation
import RetortCore
import XCTest

/// `RegularFile.read`: FIFOs and devices are refused (not read forever or blocked on), and
/// so are files over the limit.
final class RegularFileTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("regularfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func message(_ path: String, limit: Int = 1 << 20) -> String? {
        do { _ = try RegularFile.read(path, limit: limit); return nil } catch let e as RegularFile.ReadError { return e.description } catch { return "\(error)" }
    }

    func testReadsARegularFile() throws {
        let f = dir.appendingPathComponent("a.txt").path
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: f))
        XCTAssertEqual(try RegularFile.read(f, limit: 100), Data("hello\n".utf8))
    }

    func testFIFOIsRefusedWithoutBlocking() throws {
        let f = dir.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(f, 0o600), 0)
        XCTAssertEqual(message(f), "\(f): not a regular file (a FIFO); give a file")
    }

    func testCharacterDeviceBehindASymlinkIsRefused() throws {
        let link = dir.appendingPathComponent("zero").path
        XCTAssertEqual(symlink("/dev/zero", link), 0)
        XCTAssertEqual(message(link), "\(link): not a regular file (a character device); give a file")
    }

    func testFileOverTheLimitIsRefused() throws {
        let f = dir.appendingPathComponent("big").path
        try Data(repeating: 7, count: 2048).write(to: URL(fileURLWithPath: f))
        XCTAssertEqual(message(f, limit: 1024), "\(f): is 2048 bytes, larger than the 1024 bytes read at most")
    }

    func testMissingFileAndLinkLoop() throws {
        XCTAssertEqual(message(dir.appendingPathComponent("nope").path), "\(dir.appendingPathComponent("nope").path): cannot read: no such file")
        let a = dir.appendingPathComponent("loop").path
        XCTAssertEqual(symlink(a, a), 0)
        XCTAssertEqual(message(a), "\(a): a symbolic link loop; give a file")
    }
}

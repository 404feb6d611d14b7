import Foundation
import RetortCore
import RetortTestSupport
import XCTest

/// Output paths: regular files are replaced atomically; devices and FIFOs are written
/// through, never replaced; folders, loops and FIFOs without a reader are refused.
/// Every special file is made in a temporary folder, never the system's.
final class AtomicFileTargetTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try temporaryFolder("atomic") }

    func kind(_ url: URL) -> mode_t { var st = stat(); lstat(url.path, &st); return st.st_mode & S_IFMT }

    func testARegularFileIsReplacedAndANewOneCreated() throws {
        let f = dir.appendingPathComponent("out.bin")
        try AtomicFile.write(Data("one".utf8), to: f)
        try AtomicFile.write(Data("two".utf8), to: f)
        XCTAssertEqual(try String(contentsOf: f, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.bin"], "no temporary file left")
    }

    func testACharacterDeviceIsWrittenThroughNotReplaced() throws {
        let dev = dir.appendingPathComponent("null")
        // major 1, minor 3: the null device (a node of our own, in a temporary folder)
        guard mknod(dev.path, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else {
            throw XCTSkip("mknod needs root (errno \(errno))")
        }
        XCTAssertEqual(try AtomicFile.target(dev.path), .writeThrough(dev.path))
        try AtomicFile.write(Data(repeating: 7, count: 4096), to: dev)
        XCTAssertEqual(kind(dev), S_IFCHR, "the device node is still a device")
        // a symlink to it is followed, and both stay what they were
        let link = dir.appendingPathComponent("to-null")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: dev)
        try AtomicFile.write(Data("x".utf8), to: link)
        XCTAssertEqual(kind(link), S_IFLNK)
        XCTAssertEqual(kind(dev), S_IFCHR)
    }

    func testASymlinkToAFileKeepsTheLinkAndReplacesTheFile() throws {
        let real = dir.appendingPathComponent("real.txt"), link = dir.appendingPathComponent("link.txt")
        try Data("old".utf8).write(to: real)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        try AtomicFile.write(Data("new".utf8), to: link)
        XCTAssertEqual(kind(link), S_IFLNK)
        XCTAssertEqual(try String(contentsOf: real, encoding: .utf8), "new")
    }

    func testAFIFOWithoutAReaderIsRefusedAtOnceAndKept() throws {
        let fifo = dir.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: fifo)) { e in
            XCTAssertTrue("\(e)".contains("a FIFO with no reader"), "\(e)")
        }
        XCTAssertEqual(kind(fifo), S_IFIFO)
    }

    func testAFIFOWithAReaderIsWrittenThrough() throws {
        let fifo = dir.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        let rfd = open(fifo.path, O_RDONLY | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(rfd, 0)
        defer { close(rfd) }
        try AtomicFile.write(Data("hello".utf8), to: fifo)
        var buf = [UInt8](repeating: 0, count: 16)
        XCTAssertEqual(read(rfd, &buf, 16), 5)
        XCTAssertEqual(kind(fifo), S_IFIFO)
    }

    func testFoldersLoopsAndMissingFoldersAreOneLineRefusals() throws {
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: dir)) { XCTAssertTrue("\($0)".contains("is a folder"), "\($0)") }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try FileManager.default.createSymbolicLink(atPath: a.path, withDestinationPath: b.path)
        try FileManager.default.createSymbolicLink(atPath: b.path, withDestinationPath: a.path)
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: a)) { XCTAssertTrue("\($0)".contains("symbolic link loop"), "\($0)") }
        let missing = dir.appendingPathComponent("nowhere/out.csv")
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: missing)) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
    }
}

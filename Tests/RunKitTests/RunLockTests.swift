import Foundation
import RetortTestSupport
import RunKit
import XCTest

/// One writer per run folder: the lock is per process, refused while another process holds
/// it (here util-linux `flock`, as a second retort would), and free once that process ends.
final class RunLockTests: XCTestCase {
    func tempFolder() throws -> URL { try temporaryFolder("lock") }

    func holdElsewhere(_ folder: URL) throws -> Process { try holdLockElsewhere(folder, in: self) }

    func testHoldWritesThePidAndIsIdempotentInOneProcess() throws {
        let f = try tempFolder()
        try RunLock.hold(f)
        try RunLock.hold(f)
        XCTAssertTrue(RunLock.isHeldHere(f))
        XCTAssertNil(RunLock.otherHolder(f), "this process's own lock is not another holder")
        XCTAssertEqual(try String(contentsOf: f.appendingPathComponent(".lock"), encoding: .utf8), "\(getpid())\n")
        RunLock.release(f)
        XCTAssertFalse(RunLock.isHeldHere(f))
    }

    func testAnotherProcessHoldingTheFolderIsRefusedWithOneLineUntilItEnds() throws {
        let f = try tempFolder()
        let p = try holdElsewhere(f)
        XCTAssertNotNil(RunLock.otherHolder(f))
        XCTAssertThrowsError(try RunLock.hold(f)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(f.path): in use by another retort process"), "\(e)")
            XCTAssertFalse("\(e)".contains("\n"))
        }
        XCTAssertThrowsError(try RunFolder.create(root: f.deletingLastPathComponent().path, name: f.lastPathComponent, config: ["a": 1]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.appendingPathComponent("config.json").path), "nothing written into a folder in use")
        p.terminate(); p.waitUntilExit()
        XCTAssertNil(RunLock.otherHolder(f))
        try RunLock.hold(f)
    }

    func testAFolderThatIsNotARunGetsNoLockFile() throws {
        let f = try tempFolder()
        try RunLock.holdRun(f)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.appendingPathComponent(".lock").path))
    }
}

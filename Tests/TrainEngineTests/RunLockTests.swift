import Foundation
import TrainEngine
import XCTest

/// One writer per run folder: the lock is per process, refused while another process holds
/// it (here util-linux `flock`, as a second retort would), and free once that process ends.
final class RunLockTests: XCTestCase {
    func tempFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("retort-lock-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { RunLock.release(url); try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Starts `flock -x FOLDER/.lock sleep 30` and waits until it holds the lock.
    func holdElsewhere(_ folder: URL) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = ["-x", folder.appendingPathComponent(RunLock.fileName).path, "sleep", "30"]
        try p.run()
        addTeardownBlock { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        for _ in 0..<200 where RunLock.otherHolder(folder) == nil { usleep(10_000) }
        return p
    }

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

    func testResumeOfAFolderInUseIsRefusedAndTouchesNothing() throws {
        let f = try tempFolder()
        let ck = f.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: ck, withIntermediateDirectories: true)
        let tmp = ck.appendingPathComponent(".step-00000007.ckpt.tmp-1")
        try Data([1, 2, 3]).write(to: tmp)
        _ = try holdElsewhere(f)
        XCTAssertThrowsError(try TrainingJob.resume(runFolder: f, dataDirectory: TrainingJobTests.dataDir)) { e in
            XCTAssertTrue("\(e)".contains("in use by another retort process"), "\(e)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: tmp.path), "the other process's checkpoint files are left alone")
    }

    func testAFolderThatIsNotARunGetsNoLockFile() throws {
        let f = try tempFolder()
        try RunLock.holdRun(f)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.appendingPathComponent(".lock").path))
    }
}

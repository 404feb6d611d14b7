import Foundation
import RetortTestSupport
import RunKit
import TrainEngine
import XCTest

/// `TrainingJob.resume` takes the run folder's lock before anything in it changes.
final class ResumeLockTests: XCTestCase {
    func tempFolder() throws -> URL { try temporaryFolder("lock") }

    func holdElsewhere(_ folder: URL) throws -> Process { try holdLockElsewhere(folder, in: self) }

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
}

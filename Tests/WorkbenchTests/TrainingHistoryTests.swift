import Foundation
import RunKit
import TrainEngine
import Workbench
import XCTest

/// `retort resume RUN --tui`: the resumed run's charts start with what its folder holds up
/// to the checkpoint (step losses, epoch curves, hyperparameter markers), not empty.
final class TrainingHistoryTests: XCTestCase {
    func testResumedJobStartsWithItsCurvesAndChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retort-history-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { RunLock.release(folder); try? FileManager.default.removeItem(at: folder) }
        var c = TrainConfig()
        c.data = .digits; c.model = .mlp; c.epochs = 3; c.testCount = 300; c.threads = 1; c.seed = 3; c.checkpointEvery = 30
        do {
            let job = try TrainingJob(config: c, dataDirectory: TrainingRollbackTests.dataDir, log: try MetricsLog(folder: folder),
                                      checkpoints: CheckpointStore(runFolder: folder))
            while job.step < 35 {
                if job.step == 3 { try job.set("lr", to: "0.05") }
                job.step()
            }
        }   // dropped after step 35: the newest checkpoint is step 30
        let (resumed, _) = try TrainingJob.resume(runFolder: folder, dataDirectory: TrainingRollbackTests.dataDir)
        XCTAssertEqual(resumed.step, 30)
        let s = TrainingWorkbenchJob(job: resumed, runFolder: folder).snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertEqual(s.stepLoss.total, 3, "steps 10, 20 and 30 of steps.csv")
        XCTAssertEqual(s.stepLoss.buckets.last?.x1, 30)
        let epochStep = Double((resumed.data.train.count + 63) / 64)
        XCTAssertEqual(s.testAccuracy.total, 1)
        XCTAssertEqual(s.testAccuracy.buckets.first?.x0, epochStep)
        XCTAssertEqual(s.trainLoss.total, 1)
        XCTAssertEqual(s.changes.map { "\($0.step) \($0.name) \($0.from) → \($0.to)" }, ["3 lr 0.1 → 0.05"])
        let fresh = try TrainingJob(config: c, dataDirectory: TrainingRollbackTests.dataDir, log: nil)
        XCTAssertEqual(TrainingWorkbenchJob(job: fresh, runFolder: folder).snapshot(state: .paused, messages: [], elapsed: 0).stepLoss.total, 0,
                       "a new run (step 0) starts empty")
    }
}

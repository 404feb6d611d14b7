import Foundation
import RunKit
import TrainEngine
import Workbench
import XCTest

/// The Training tab's job in its runner: a divergence pauses it with the way out, resuming
/// does not train on NaNs, a rollback restores the last checkpoint with a tenth of the lr
/// and runs on; save writes a checkpoint.
final class TrainingRollbackTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path

    func waitFor(_ r: JobRunner<TrainingWorkbenchJob>, _ what: String, _ cond: (TrainingSnapshot) -> Bool) -> TrainingSnapshot {
        let end = Date().addingTimeInterval(60)
        while Date() < end { let s = r.snapshot; if cond(s) { return s }; usleep(5000) }
        XCTFail("\(what) not reached; last messages \(r.snapshot.messages.suffix(3).map(\.text))")
        return r.snapshot
    }

    func testDivergencePausesAndRollbackRunsOnWithATenthOfTheLR() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retort-rollback-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = TrainConfig()
        c.data = .digits; c.model = .mlp; c.epochs = 50; c.testCount = 300; c.threads = 1; c.seed = 1; c.lr = 10; c.warmupEpochs = 0
        let job = try TrainingJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: folder),
                                  checkpoints: CheckpointStore(runFolder: folder))
        let runner = JobRunner(job: TrainingWorkbenchJob(job: job, runFolder: folder))
        runner.start()
        defer { runner.send(.stop); runner.waitUntilDone() }
        let d = waitFor(runner, "divergence") { $0.diverged != nil && $0.state == .paused }
        let n = d.step
        XCTAssertGreaterThan(n, 0)
        XCTAssertEqual(d.diverged, "diverged at step \(n): loss is NaN — press r to roll back to step 0 with lr ×0.1 (1), or :rollback LR")
        XCTAssertEqual(d.messages.last?.text, d.diverged)
        runner.send(.resume)
        let again = waitFor(runner, "paused again") { $0.messages.count >= d.messages.count + 2 && $0.state == .paused }
        XCTAssertEqual(again.step, n, "resuming a diverged run does not train on")
        runner.send(.save)
        let refused = waitFor(runner, "save refused") { $0.messages.last?.level == .error }
        XCTAssertEqual(refused.messages.last?.text, "not saving: the run diverged at step \(n) (loss is NaN); roll back first")
        runner.send(.rollback(lr: nil))
        let back = waitFor(runner, "rollback") { $0.diverged == nil && $0.state == .running && $0.step > 30 }
        XCTAssertTrue(back.messages.contains { $0.text == "diverged at step \(n) (loss is NaN); rolled back to step-00000000.ckpt, lr 10 → 1" },
                      "\(back.messages.map(\.text))")
        XCTAssertEqual(back.hyper.first { $0.name == "lr" }?.numericValue, 1)
        runner.send(.pause)
        _ = waitFor(runner, "pause") { $0.state == .paused }
        runner.send(.save)
        let saved = waitFor(runner, "save") { $0.messages.last?.text.hasPrefix("saved ") == true }
        let step = saved.step
        let path = "\(folder.path)/checkpoints/step-\(String(format: "%08d", step)).ckpt"
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertGreaterThan(size, 85002 * 4 * 2, "weights and momentum of the 85002-parameter MLP")
        XCTAssertEqual(saved.messages.last?.text, "saved \(path) (\(size / 1024) KiB) and model.safetensors at step \(step)")
        XCTAssertEqual(saved.lastCheckpoint, path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
    }
}

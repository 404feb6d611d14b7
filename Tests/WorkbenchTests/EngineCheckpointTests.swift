import Attention
import Distill
import Foundation
import RetortTestSupport
import RunKit
import TrainEngine
import Workbench
import XCTest

/// The Distill and Attention tabs' jobs behind the real JobRunner keep checkpoints like the
/// headless commands: one at every epoch end, one with `.save`, one on quit unless current;
/// and a resumed run continues at the checkpoint's step with its curves so far.
final class EngineCheckpointTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path
    var root: URL!

    override func setUpWithError() throws { root = try temporaryFolder("ckpt-wb") }

    func wait<J: SteppableJob>(_ runner: JobRunner<J>, timeout: Double = 120, _ cond: (J.Snapshot) -> Bool) -> J.Snapshot {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end { let s = runner.snapshot; if cond(s) { return s }; usleep(5000) }
        XCTFail("condition not reached")
        return runner.snapshot
    }

    func checkpointSteps(_ folder: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("checkpoints").path)) ?? []
        return names.compactMap(CheckpointStore.step(ofFileName:)).sorted()
    }

    func distill() throws -> DistillWorkbenchJob {
        try DistillWorkbenchJob.create(
            options: [("method", "full"), ("data", "digits"), ("model", "mlp"), ("hidden", "8,8"), ("epochs", "3"), ("lr", "0.05"),
                      ("threads", "1"), ("seed", "5")],
            dataDirectory: Self.dataDir, runRoot: root.path, runName: "dst", tensorBoard: false)
    }

    func testDistillSaveEpochEndQuitAndResume() throws {
        let job = try distill()
        let folder = job.runFolder
        let runner = JobRunner(job: job, startPaused: true)
        runner.start()
        runner.send(.step(3))
        _ = wait(runner) { $0.step == 3 && $0.state == .paused }
        runner.send(.save)
        let saved = wait(runner) { $0.messages.contains { $0.text.hasPrefix("saved") } }.messages.last!.text
        XCTAssertTrue(saved.contains("/dst/checkpoints/step-00000003.ckpt") && saved.contains("/dst/student.safetensors at step 3"), saved)
        XCTAssertEqual(checkpointSteps(folder), [0, 3], "the one before the first step and the saved one")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("student.safetensors").path))

        let perEpoch = runner.snapshot.stepsPerEpoch
        runner.send(.step(perEpoch - 3 + 2))   // past the first epoch end
        let s = wait(runner) { $0.step == perEpoch + 2 && $0.state == .paused }
        XCTAssertEqual(checkpointSteps(folder), [0, 3, perEpoch], "a checkpoint at the epoch end")
        XCTAssertFalse(s.messages.contains { $0.level == .error }, "\(s.messages)")
        runner.send(.stop)
        XCTAssertEqual(runner.afterDone { $0.checkpointOnQuit() }, "checkpoint \(folder.path)/checkpoints/\(CheckpointStore.fileName(step: perEpoch + 2))")
        XCTAssertEqual(runner.afterDone { $0.checkpointOnQuit() }, "checkpoint \(folder.path)/checkpoints/\(CheckpointStore.fileName(step: perEpoch + 2))",
                       "the newest is current: not written again")
        XCTAssertEqual(checkpointSteps(folder), [3, perEpoch, perEpoch + 2], "keep 3")

        let (resumed, _) = try DistillJob.resume(runFolder: folder, dataDirectory: Self.dataDir)
        XCTAssertEqual(resumed.step, perEpoch + 2)
        XCTAssertEqual(resumed.epoch, 1)
        let wb = DistillWorkbenchJob(resumed: resumed, runFolder: folder)
        let r = wb.snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertEqual(r.step, perEpoch + 2)
        XCTAssertEqual(r.studentTestAccuracy.buckets.count, 1, "the first epoch's accuracy from metrics.csv")
        XCTAssertFalse(r.studentStepLoss.isEmpty, "step losses from steps.csv")
        XCTAssertLessThanOrEqual(r.studentStepLoss.buckets.last!.x1, Double(perEpoch + 2))
        XCTAssertEqual(r.epochRows.map(\.step), [perEpoch], "the first epoch's row from metrics.csv")
        let live = job.snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertEqual(Double(r.epochRows[0].studentTestAccuracy), Double(live.epochRows[0].studentTestAccuracy), accuracy: 1e-5)
        XCTAssertEqual(r.epochRows[0].conflictFraction, live.epochRows[0].conflictFraction, accuracy: 1e-5)
        XCTAssertEqual(r.conflictFraction, live.conflictFraction, accuracy: 1e-12, "whole-run conflicts from steps.csv")
        XCTAssertEqual(r.anyTensorConflictFraction, live.anyTensorConflictFraction, accuracy: 1e-12)
        XCTAssertEqual(r.conflictTable.map(\.conflictPercent), live.conflictTable.map(\.conflictPercent))
        for (a, b) in zip(r.conflictTable.map(\.meanCosine), live.conflictTable.map(\.meanCosine)) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        // and it trains on behind a runner
        let again = JobRunner(job: wb, startPaused: true)
        again.start()
        again.send(.step(1))
        _ = wait(again) { $0.step == perEpoch + 3 }
        again.send(.stop); again.waitUntilDone()
    }

    func attention() throws -> AttentionWorkbenchJob {
        try AttentionWorkbenchJob.create(options: [("data", "digits"), ("kinds", "softmax"), ("epochs", "2"), ("test-count", "300"),
                                                   ("batch-size", "64"), ("threads", "1")],
                                         dataDirectory: Self.dataDir, runRoot: root.path, diagnosticImages: 8, scalingSizes: [8])
    }

    func testAttentionRunsSaveEpochEndQuitAndResume() throws {
        let runner = JobRunner(job: try attention(), startPaused: true)
        runner.start()
        runner.send(.save)
        XCTAssertEqual(wait(runner) { !$0.messages.isEmpty }.messages.last?.text, "save: no run has started yet (space starts the queue)")
        runner.send(.step(2))
        var s = wait(runner) { $0.step == 2 && $0.state == .paused }
        let folder = URL(fileURLWithPath: s.runs[0].runFolder)
        runner.send(.save)
        let saved = wait(runner) { $0.messages.contains { $0.text.hasPrefix("saved") } }.messages.last!.text
        XCTAssertEqual(saved, "saved softmax (run 1) to \(folder.path)/checkpoints/step-00000002.ckpt and model.safetensors at step 2")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))

        let perEpoch = s.stepsPerEpoch
        runner.send(.step(perEpoch - 2 + 1))
        s = wait(runner) { $0.step == perEpoch + 1 && $0.state == .paused }
        XCTAssertEqual(checkpointSteps(folder), [0, 2, perEpoch], "a checkpoint at the epoch end, in the run's folder")
        runner.send(.stop)
        let quit = runner.afterDone { $0.checkpointOnQuit() }
        XCTAssertEqual(quit, ["attention run 1 (softmax) stopped at epoch 1, step \(perEpoch + 1); run folder \(folder.path)",
                              "checkpoint \(folder.path)/checkpoints/\(CheckpointStore.fileName(step: perEpoch + 1))"])

        let (resumed, _) = try AttentionJob.resume(runFolder: folder, dataDirectory: Self.dataDir)
        XCTAssertEqual(resumed.step, perEpoch + 1)
        _ = try resumed.set("lr", to: "0.001")   // as `retort resume RUN --tui --lr 0.001`
        let wb = try AttentionWorkbenchJob(resumed: resumed, runFolder: folder, diagnosticImages: 8, scalingSizes: [8])
        let r = wb.snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertEqual(r.runs.map(\.kind), ["softmax"])
        XCTAssertEqual(r.runs.map(\.status), [.running])
        XCTAssertEqual(r.runs[0].runFolder, folder.path)
        XCTAssertEqual(r.step, perEpoch + 1)
        XCTAssertEqual(r.epoch, 1)
        XCTAssertEqual(r.runs[0].testAccuracy.buckets.count, 1, "the first epoch's accuracy from the checkpoint's curves")
        XCTAssertFalse(r.runs[0].trainLoss.isEmpty)
        XCTAssertNotNil(r.diagnostics)
        // the resumed run finishes behind a runner; a queued run goes to the same run root
        let again = JobRunner(job: wb, startPaused: false)
        again.start()
        again.send(.set(name: "kind", value: "taylor"))
        let done = wait(again) { $0.runs.count == 2 && $0.runs[0].status == .finished && $0.runs[1].status == .running }
        XCTAssertEqual(URL(fileURLWithPath: done.runs[1].runFolder).deletingLastPathComponent().path, root.path)
        let config = try String(contentsOf: URL(fileURLWithPath: done.runs[1].runFolder).appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"lr\" : 0.001"), "the queued run starts with the resumed run's lr\n\(config)")
        again.send(.stop); again.waitUntilDone()
        XCTAssertEqual(checkpointSteps(folder).last, 2 * perEpoch, "the resumed run's last epoch end")
    }
    /// A checkpoint that cannot be written (here: a file where checkpoints/ should be) is a
    /// one-line error message; the run goes on.
    func testFailedCheckpointWritesAreOneLineMessages() throws {
        let job = try distill()
        XCTAssertTrue(FileManager.default.createFile(atPath: job.runFolder.appendingPathComponent("checkpoints").path, contents: Data("x".utf8)))
        let runner = JobRunner(job: job, startPaused: true)
        runner.start()
        let perEpoch = runner.snapshot.stepsPerEpoch
        runner.send(.step(perEpoch + 1))
        var s = wait(runner) { $0.step == perEpoch + 1 && $0.state == .paused }
        let failed = s.messages.filter { $0.level == .error }
        XCTAssertEqual(failed.map(\.step), [1, perEpoch], "before the first step and at the epoch end: \(s.messages)")
        for m in failed { XCTAssertTrue(m.text.hasPrefix("checkpoint not written: ") && !m.text.contains("\n"), m.text) }
        runner.send(.save)
        s = wait(runner) { $0.messages.filter { $0.level == .error }.count == 3 }
        let save = s.messages.last!.text
        XCTAssertTrue(save.hasPrefix("saved the student slice to \(job.runFolder.path)/student.safetensors; checkpoint not written: "), save)
        runner.send(.step(1))
        _ = wait(runner) { $0.step == perEpoch + 2 }
        runner.send(.stop)
        XCTAssertTrue(runner.afterDone { $0.checkpointOnQuit() }.hasPrefix("checkpoint not written: "))

        let att = JobRunner(job: try attention(), startPaused: true)
        att.start()
        att.send(.step(1))
        let folder = URL(fileURLWithPath: wait(att) { $0.step == 1 && $0.state == .paused }.runs[0].runFolder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("checkpoints"))   // holds the step-0 one
        XCTAssertTrue(FileManager.default.createFile(atPath: folder.appendingPathComponent("checkpoints").path, contents: Data("x".utf8)))
        att.send(.save)
        let m = wait(att) { $0.messages.contains { $0.level == .error } }.messages.last!.text
        XCTAssertTrue(m.hasPrefix("saved softmax (run 1) to \(folder.path)/model.safetensors; checkpoint not written: "), m)
        att.send(.stop); att.waitUntilDone()
    }
}

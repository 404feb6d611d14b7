import Foundation
import RunKit
import TrainEngine
import Workbench
import XCTest

/// The Distill and Attention tabs' jobs in their runners: a divergence pauses them with the
/// way out (not a failure), resuming does not train on, `.rollback` restores the newest
/// checkpoint with a lower lr, drops the curve points after it and runs on to the end.
final class DivergenceRollbackTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path

    func tempRoot() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("retort-divwb-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: u) }
        return u
    }

    func wait<J: SteppableJob>(_ runner: JobRunner<J>, _ what: String, _ cond: (J.Snapshot) -> Bool) -> J.Snapshot {
        let end = Date().addingTimeInterval(120)
        while Date() < end { let s = runner.snapshot; if cond(s) { return s }; usleep(5000) }
        XCTFail("\(what) not reached")
        return runner.snapshot
    }

    func testDistillRunPausesAtADivergenceAndRunsOnAfterARollback() throws {
        let job = try DistillWorkbenchJob.create(
            // entropy weights: with the calibrated ones every unit dies at lr 10 before any value overflows
            options: [("method", "full"), ("uncertainty", "entropy"), ("data", "digits"), ("model", "mlp"), ("hidden", "32,32"), ("epochs", "3"),
                      ("lr", "0.02"), ("threads", "1"), ("seed", "2")],
            dataDirectory: Self.dataDir, runRoot: tempRoot().path, runName: "div", tensorBoard: false)
        let runner = JobRunner(job: job, startPaused: true)
        runner.start()
        defer { runner.send(.stop); runner.waitUntilDone() }
        runner.send(.step(40))
        _ = wait(runner, "step 40") { $0.step == 40 && $0.state == .paused }
        runner.send(.set(name: "lr", value: "10"))
        runner.send(.resume)
        let d = wait(runner, "divergence") { $0.diverged != nil && $0.state == .paused }
        XCTAssertGreaterThan(d.step, 40)
        XCTAssertEqual(d.diverged, "diverged at step \(d.step): teacher loss is NaN — press r to roll back to step 38 with lr ×0.1 (1), or :rollback LR")
        XCTAssertEqual(d.messages.last?.text, d.diverged)
        XCTAssertFalse(d.messages.contains { $0.level == .error }, "a divergence is not a failure")
        runner.send(.resume)
        let again = wait(runner, "paused again") { $0.messages.count >= d.messages.count + 2 && $0.state == .paused }
        XCTAssertEqual(again.step, d.step, "resuming a diverged run does not train on")
        runner.send(.save)
        let refused = wait(runner, "save refused") { $0.messages.last?.level == .error }
        XCTAssertEqual(refused.messages.last?.text, "not saving: the run diverged at step \(d.step) (teacher loss is NaN); roll back first")
        runner.send(.rollback(lr: "0.02"))
        let s = wait(runner, "finished") { $0.state == .finished }
        XCTAssertNil(s.diverged)
        XCTAssertTrue(s.messages.contains { $0.text == "diverged at step \(d.step) (teacher loss is NaN); rolled back to step-00000038.ckpt, lr 0.02 → 0.02" },
                      "\(s.messages.map(\.text))")
        XCTAssertEqual(s.changes.map { "\($0.step) \($0.name) \($0.from) → \($0.to)" }, ["38 lr 10 → 0.02"], "the change after step 38 was undone")
        XCTAssertEqual(s.studentStepLoss.total, 114, "one point per step: those after step 38 were dropped and trained again")
        XCTAssertEqual(s.epochRows.map(\.step), [38, 76, 114])
        XCTAssertTrue(s.epochRows.allSatisfy { $0.studentTestAccuracy.isFinite })
        // the conflict statistics count each step once (those after the checkpoint were reloaded, not kept)
        XCTAssertEqual(s.conflictFraction, job.job.summary.conflictFraction, accuracy: 1e-12)
        XCTAssertEqual(s.cosine.total, 114)
    }

    func testAttentionRunPausesAtADivergenceAndRunsOnAfterARollback() throws {
        let job = try AttentionWorkbenchJob.create(
            options: [("data", "digits"), ("kinds", "taylor,softmax"), ("epochs", "2"), ("test-count", "300"), ("batch-size", "64"), ("threads", "1")],
            dataDirectory: Self.dataDir, runRoot: tempRoot().path, diagnosticImages: 8, scalingSizes: [8])
        let runner = JobRunner(job: job, startPaused: true)
        runner.start()
        defer { runner.send(.stop); runner.waitUntilDone() }
        runner.send(.step(26))
        let before = wait(runner, "step 26") { $0.step == 26 && $0.state == .paused }
        XCTAssertEqual(before.stepsPerEpoch, 24)
        job.runningJob!.model.parameters[0].value.data[0] = .nan   // the runner is paused: its thread is waiting
        runner.send(.step(1))
        let d = wait(runner, "divergence") { $0.diverged != nil && $0.state == .paused }
        XCTAssertEqual(d.diverged, "diverged at step 27 (run 1, taylor): loss is NaN — press r to roll back to step 24 with lr ×0.1 (0.0002), or :rollback LR")
        XCTAssertEqual(d.messages.last?.text, d.diverged)
        XCTAssertEqual(d.runs.map(\.status), [.diverged, .queued], "the next run does not start")
        runner.send(.save)
        let refused = wait(runner, "save refused") { $0.messages.last?.level == .error }
        XCTAssertEqual(refused.messages.last?.text, "not saving: the run diverged at step 27 (loss is NaN); roll back first")
        runner.send(.rollback(lr: nil))
        let s = wait(runner, "finished") { $0.state == .finished }
        XCTAssertNil(s.diverged)
        XCTAssertTrue(s.messages.contains { $0.text == "diverged at step 27 (loss is NaN); rolled back to step-00000024.ckpt, lr 0.002 → 0.0002" },
                      "\(s.messages.map(\.text))")
        XCTAssertEqual(s.runs.map(\.status), [.finished, .finished])
        XCTAssertEqual(s.runs[0].trainLoss.total, 48, "one point per step: those after step 24 were dropped and trained again")
        XCTAssertEqual(s.changes, [AttentionSettingChange(run: 1, step: 24, name: "lr", from: "0.002", to: "0.0002")])
        XCTAssertTrue(s.runs.allSatisfy { $0.lastTestAccuracy.isFinite })
    }
}

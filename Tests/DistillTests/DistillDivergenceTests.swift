import Distill
import Foundation
import RetortCore
import RetortTestSupport
import RunKit
import TrainEngine
import XCTest

/// The divergence guard of the distillation engine: a NaN loss, a too-high lr or a
/// non-finite BatchNorm statistic stops the run at that step (logged, no update after it,
/// no checkpoint), and `rollback` restores the newest checkpoint exactly with a lower lr.
final class DistillDivergenceTests: XCTestCase {
    static let dataDir = DistillJobTests.dataDir

    var root: URL!
    override func setUpWithError() throws { root = try temporaryFolder("ddiv") }

    func newJob(_ c: DistillConfig) throws -> (DistillJob, URL) {
        let f = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
        let job = try DistillJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: f, tensorBoard: false))
        job.checkpoints = CheckpointStore(runFolder: f)
        return (job, f)
    }

    func mlpConfig(hidden: [Int] = [8, 8], lr: Float = 0.05) -> DistillConfig {
        var c = DistillConfig.preset(.full)
        c.model = .mlp; c.mlpHidden = hidden; c.teacherWidth = [4]; c.lr = lr; c.epochs = 3; c.threads = 1; c.seed = 2
        return c
    }


    func testPoisonedWeightStopsTheRunAndRollbackRestoresTheCheckpointExactly() throws {
        let (job, f) = try newJob(mlpConfig())
        while job.step < 40 { XCTAssertNil(job.step().divergence) }
        let ckpt = f.appendingPathComponent("checkpoints/step-00000038.ckpt")
        let saved = try CheckpointFile.decode(try Data(contentsOf: ckpt), file: ckpt.path).tensors
        job.net.parameters[0].value.data[0] = .nan
        let r = job.step()
        let d = try XCTUnwrap(r.divergence, "a NaN weight must stop the run")
        XCTAssertEqual(d.step, 41)
        XCTAssertEqual(d.what, "teacher loss is NaN")
        XCTAssertEqual(d.lr, 0.05)
        XCTAssertEqual(job.divergence, d)
        XCTAssertTrue(r.checkpoints.isEmpty)
        let again = job.step()
        XCTAssertEqual(again.divergence, d, "a diverged job does not train on")
        XCTAssertEqual(job.step, 41)
        XCTAssertThrowsError(try job.saveCheckpoint()) {
            XCTAssertEqual("\($0)", "not saving: the run diverged at step 41 (teacher loss is NaN); roll back first")
        }
        try assertCheckpointsFinite(f)
        let jsonl = try String(contentsOf: f.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(jsonl.contains("{\"kind\":\"event\",\"step\":41,\"epoch\":1,\"name\":\"diverged\""), jsonl)
        XCTAssertFalse(jsonl.contains("\"kind\":\"step\",\"step\":41,"), "no step row for the step that diverged")

        XCTAssertThrowsError(try job.rollback(lr: "-1")) { XCTAssertEqual("\($0)", "lr: must be in (0, 10], got -1") }
        XCTAssertEqual(job.step, 41, "a refused lr changes nothing")
        let msg = try job.rollback()
        XCTAssertEqual(msg, "diverged at step 41 (teacher loss is NaN); rolled back to step-00000038.ckpt, lr 0.05 → 0.005")
        XCTAssertNil(job.divergence)
        XCTAssertEqual(job.step, 38)
        XCTAssertEqual(job.settings.lr, 0.005)
        for p in job.net.parameters {
            let t = try XCTUnwrap(saved["model/\(p.name)"])
            XCTAssertEqual((0..<t.count).map { p.value.data[$0].bitPattern }, (0..<t.count).map { t.data[$0].bitPattern }, p.name)
        }
        let after = try String(contentsOf: f.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(after.contains("\"name\":\"diverged\""), "the divergence stays on record")
        XCTAssertTrue(after.contains("\"name\":\"rollback\""))
        XCTAssertFalse(after.contains("\"kind\":\"step\",\"step\":39,"), "rows after the checkpoint are cut back")
        while !job.isFinished {
            let s = job.step()
            XCTAssertNil(s.divergence, "training continues after the rollback")
            XCTAssertTrue(s.studentLoss.isFinite)
        }
        XCTAssertNil(job.net.parameters.first { !$0.value.isAllFinite })
        try assertCheckpointsFinite(f)
    }

    func testTooHighLRDivergesAfterTheCheckpointAndRunsOnWithALowerOne() throws {
        // entropy weights: with the calibrated ones every unit dies at lr 10 before any value overflows
        var c = mlpConfig(hidden: [32, 32], lr: 0.02); c.uncertainty = .entropy
        let (job, f) = try newJob(c)
        while job.step < 40 { job.step() }
        try job.set("lr", to: "10")
        var d: Divergence?
        while d == nil && !job.isFinished { d = job.step().divergence }
        let div = try XCTUnwrap(d, "lr 10 on this MLP must diverge")
        XCTAssertGreaterThan(div.step, 40)
        XCTAssertEqual(div.lr, 10)
        try assertCheckpointsFinite(f)
        let msg = try job.rollback(lr: "0.02")
        XCTAssertTrue(msg.hasSuffix("rolled back to step-00000038.ckpt, lr 0.02 → 0.02"), msg)
        XCTAssertEqual(job.step, 38)
        // the change after the checkpoint is cut back; rolling back at the lr the checkpoint
        // already has changes nothing, so no hparams row is written (the rollback itself is an
        // event in metrics.jsonl)
        let hparams = (try? String(contentsOf: f.appendingPathComponent("hparams.csv"), encoding: .utf8)) ?? ""
        XCTAssertFalse(hparams.contains("\"lr 0.02 → 10\""), "the change after the checkpoint is cut back: \(hparams)")
        XCTAssertFalse(hparams.contains(",lr,0.02,0.02,"), "a change to the same value is not logged: \(hparams)")
        let events = try String(contentsOf: f.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(events.contains("rolled back to step-00000038.ckpt"), "the rollback is logged as an event")
        job.run()
        XCTAssertNil(job.divergence)
        XCTAssertGreaterThan(job.summary.studentTestAccuracy, 0.5)
    }

    func testNonFiniteBatchNormStatisticIsCaughtAfterTheUpdate() throws {
        var c = DistillConfig.preset(.full)
        c.model = .cnn; c.epochs = 1; c.threads = 1; c.seed = 3
        let (job, folder) = try newJob(c)
        job.step()
        let bn = try XCTUnwrap(job.net.batchNorms.first)
        bn.layer.runningMean.data[0] = .infinity
        let r = job.step()
        let d = try XCTUnwrap(r.divergence)
        XCTAssertEqual(d.step, 2)
        XCTAssertEqual(d.what, "BatchNorm statistic \(bn.name) is not finite after the update")
        XCTAssertTrue(d.gradientNorm.isFinite)
        // with its only checkpoint (step 0) gone, the rollback fails and changes nothing
        try FileManager.default.removeItem(at: folder.appendingPathComponent("checkpoints"))
        XCTAssertThrowsError(try job.rollback()) { XCTAssertTrue("\($0)".hasSuffix("checkpoints: no usable checkpoint"), "\($0)") }
        XCTAssertEqual(job.divergence, d, "a failed rollback leaves the job diverged")
    }
}

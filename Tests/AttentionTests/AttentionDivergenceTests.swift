import Attention
import Foundation
import RetortCore
import RetortTestSupport
import RunKit
import TrainEngine
import XCTest

/// The divergence guard of the attention engine: a NaN loss or a weight that an update made
/// non-finite stops the run at that step (logged, no curve point, no checkpoint), and
/// `rollback` restores the newest checkpoint exactly — curves included — with a lower lr.
final class AttentionDivergenceTests: XCTestCase {
    static let dataDir = AttentionJobTests.dataDir

    var root: URL!
    override func setUpWithError() throws { root = try temporaryFolder("adiv") }

    func newJob(kind: AttentionKind = .taylorSparse) throws -> (AttentionJob, URL) {
        var c = AttentionTrainConfig()
        c.data = .digits; c.kind = kind; c.epochs = 2; c.testCount = 300; c.threads = 1; c.seed = 5
        c.vit = ViTConfig(name: "test-digits", imageSize: 8, patchSize: 2, width: 16, heads: 2, depth: 2, mlpRatio: 2)
        c.warmupEpochs = 0.5; c.lr = 3e-3; c.batchSize = 32
        let f = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
        let job = try AttentionJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: f, tensorBoard: false))
        job.checkpoints = CheckpointStore(runFolder: f)
        job.logEvery = 1
        return (job, f)
    }


    func testNaNLossStopsTheRunAndRollbackRestoresTheCheckpointExactly() throws {
        let (job, f) = try newJob()
        XCTAssertEqual(job.stepsPerEpoch, 47)
        while job.step < 50 { XCTAssertNil(job.step().divergence) }
        let ckpt = f.appendingPathComponent("checkpoints/step-00000047.ckpt")
        let saved = try CheckpointFile.decode(try Data(contentsOf: ckpt), file: ckpt.path).tensors
        job.model.parameters[0].value.data[0] = .nan
        let r = job.step()
        let d = try XCTUnwrap(r.divergence, "a NaN weight must stop the run")
        XCTAssertEqual(d.step, 51)
        XCTAssertEqual(d.what, "loss is NaN")
        XCTAssertEqual(d.lr, 3e-3)
        XCTAssertEqual(job.divergence, d)
        XCTAssertEqual(job.curves.loss.count, 50, "no curve point for the step that diverged")
        XCTAssertEqual(job.step().divergence, d, "a diverged job does not train on")
        XCTAssertEqual(job.step, 51)
        XCTAssertThrowsError(try job.saveCheckpoint()) {
            XCTAssertEqual("\($0)", "not saving: the run diverged at step 51 (loss is NaN); roll back first")
        }
        try assertCheckpointsFinite(f)
        let jsonl = try String(contentsOf: f.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(jsonl.contains("{\"kind\":\"event\",\"step\":51,\"epoch\":1,\"name\":\"diverged\""), jsonl)

        XCTAssertThrowsError(try job.rollback(lr: "20")) { XCTAssertEqual("\($0)", "lr: must be in (0, 10], got 20") }
        XCTAssertEqual(job.step, 51, "a refused lr changes nothing")
        let msg = try job.rollback()
        XCTAssertEqual(msg, "diverged at step 51 (loss is NaN); rolled back to step-00000047.ckpt, lr 0.003 → 0.0003")
        XCTAssertNil(job.divergence)
        XCTAssertEqual(job.step, 47)
        XCTAssertEqual(job.hyper.lr, 3e-4)
        XCTAssertEqual(job.curves.loss.count, 47, "the curves go back to the checkpoint's")
        for p in job.model.parameters {
            let t = try XCTUnwrap(saved["model/\(p.name)"])
            XCTAssertEqual((0..<t.count).map { p.value.data[$0].bitPattern }, (0..<t.count).map { t.data[$0].bitPattern }, p.name)
        }
        let after = try String(contentsOf: f.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(after.contains("\"name\":\"diverged\"") && after.contains("\"name\":\"rollback\""))
        XCTAssertFalse(after.contains("\"kind\":\"step\",\"step\":48,"), "rows after the checkpoint are cut back")
        while !job.isFinished {
            let s = job.step()
            XCTAssertNil(s.divergence, "training continues after the rollback")
            XCTAssertTrue(s.loss.isFinite)
        }
        XCTAssertEqual(job.curves.epochs.count, 2)
        try assertCheckpointsFinite(f)
    }

    func testWeightMadeNonFiniteByTheUpdateIsCaught() throws {
        let (job, f) = try newJob(kind: .taylor)
        for _ in 0..<3 { job.step() }
        job.optimizer.secondMoments[0].data[0] = -1   // √v̂ of a negative v: the update writes NaN
        let r = job.step()
        let d = try XCTUnwrap(r.divergence)
        XCTAssertEqual(d.step, 4)
        XCTAssertEqual(d.what, "weight \(job.model.parameters[0].name) is not finite after the update")
        XCTAssertTrue(d.loss.isFinite && d.gradientNorm.isFinite, "loss and gradient were fine; the update was not")
        let dir = f.appendingPathComponent("checkpoints")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".ckpt") }, ["step-00000000.ckpt"],
                       "only the checkpoint written before the first step")
        let lr = job.hyper.lr
        let m = try job.rollback()
        XCTAssertTrue(m.contains("rolled back to step-00000000.ckpt"), m)
        XCTAssertEqual(job.step, 0); XCTAssertNil(job.divergence); XCTAssertEqual(job.hyper.lr, lr * 0.1, accuracy: lr * 1e-6)
        XCTAssertNil(job.model.parameters.first { !$0.value.isAllFinite })
    }
}

import Foundation
import RetortTestSupport
import RunKit
import TrainEngine
import Workbench
import XCTest

/// Issue 17's readouts as the jobs publish them: training gradient norm, lr curve and ETA;
/// Distill's collapse warning; the Attention queue edits and the ruin check; the
/// Accelerator's per-unit figures, layer spans, DRAM bytes and timeline export; a run's
/// hparams.csv history.
final class ReadoutTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-data").path

    func testTrainingSnapshotCarriesGradientNormLRCurveAndETA() throws {
        var c = TrainConfig(); c.data = .digits; c.model = .mlp; c.epochs = 2; c.testCount = 300; c.threads = 1
        let dir = try temporaryFolder("readout-train")
        let job = TrainingWorkbenchJob(job: try TrainingJob(config: c, dataDirectory: Self.dataDir, log: nil), runFolder: dir)
        XCTAssertNil(job.snapshot(state: .paused, messages: [], elapsed: 0).eta, "no step timed yet")
        for _ in 0..<12 { try job.advance() }
        let s = job.snapshot(state: .running, messages: [], elapsed: 1)
        XCTAssertEqual(s.gradientNorm.total, 12)
        XCTAssertTrue(s.gradientNorm.last.isFinite && s.gradientNorm.last > 0, "\(s.gradientNorm.last)")
        XCTAssertEqual(s.lrCurve.total, 12)
        XCTAssertEqual(s.lrCurve.last, s.lr, accuracy: 1e-9)
        let eta = try XCTUnwrap(s.eta)
        XCTAssertGreaterThan(eta, 0)
    }

    func testDistillCollapseWarningComparesTheLatestWithTheBest() throws {
        XCTAssertNil(DistillWorkbenchJob.collapseWarning(best: 0.90, last: 0.85, points: 10))
        let w = try XCTUnwrap(DistillWorkbenchJob.collapseWarning(best: 0.90, last: 0.70, points: 10))
        XCTAssertEqual(w, "student test accuracy 70.00% is 20.0 points below its best 90.00% (collapse = 10)")
        XCTAssertNil(DistillWorkbenchJob.collapseWarning(best: 0.90, last: 0.70, points: 25), "the threshold is the setting")
    }

    func testDistillCollapseIsALiveSetting() throws {
        let root = try temporaryFolder("readout-distill")
        let job = try DistillWorkbenchJob.create(
            options: [("method", "full"), ("data", "digits"), ("model", "mlp"), ("hidden", "8,8"), ("epochs", "2"), ("threads", "1")],
            dataDirectory: Self.dataDir, runRoot: root.path, runName: "collapse")
        let row = { job.snapshot(state: .paused, messages: [], elapsed: 0).settings.first { $0.name == "collapse" } }
        XCTAssertEqual(row()?.value, "10")
        XCTAssertEqual(try job.handle(.set(name: "collapse", value: "5")), "collapse 10 → 5 points (a warning, not a change to the run)")
        XCTAssertEqual(row()?.value, "5")
        XCTAssertThrowsError(try job.handle(.set(name: "collapse", value: "-1")))
        XCTAssertEqual(row()?.value, "5")
    }

    func makeQueue(_ kinds: String) throws -> AttentionWorkbenchJob {
        try AttentionWorkbenchJob.create(options: [("data", "digits"), ("kinds", kinds), ("epochs", "1"), ("test-count", "300"),
                                                   ("batch-size", "64"), ("threads", "1")],
                                         dataDirectory: Self.dataDir, runRoot: try temporaryFolder("readout-attn").path,
                                         diagnosticImages: 8, scalingSizes: [8])
    }

    func testQueuedAttentionRunsCanBeRemovedAndReordered() throws {
        let job = try makeQueue("softmax,taylor,taylor-sparse")
        XCTAssertEqual(try job.handle(.set(name: "down", value: "1")), "run 1 (softmax) is now run 2; queue: taylor, softmax, taylor-sparse")
        XCTAssertEqual(job.queue.map(\.rawValue), ["taylor", "softmax", "taylor-sparse"])
        XCTAssertThrowsError(try job.handle(.set(name: "up", value: "1")))
        _ = try job.handle(.set(name: "up", value: "3"))
        XCTAssertEqual(job.queue.map(\.rawValue), ["taylor", "taylor-sparse", "softmax"])
        XCTAssertEqual(try job.handle(.set(name: "remove", value: "last")), "run 3 (softmax) removed from the queue; 2 runs")
        try job.advance()   // run 1 starts: it can no longer move or go
        XCTAssertThrowsError(try job.handle(.set(name: "remove", value: "1"))) { XCTAssertTrue("\($0)".contains("has started"), "\($0)") }
        XCTAssertThrowsError(try job.handle(.set(name: "down", value: "1")))
        _ = try job.handle(.set(name: "remove", value: "2"))
        XCTAssertEqual(job.queue.map(\.rawValue), ["taylor"])
        let s = job.snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertEqual(s.runs.map(\.kind), ["taylor"])
        XCTAssertThrowsError(try job.handle(.set(name: "remove", value: "last")), "nothing waits")
    }

    func testARunIsRuinedByAHugeLossOrChanceAccuracy() {
        XCTAssertNil(AttentionWorkbenchJob.ruin(loss: 2.3, testAccuracy: nil, classes: 10, epoch: 0))
        XCTAssertEqual(AttentionWorkbenchJob.ruin(loss: 1e4, testAccuracy: nil, classes: 10, epoch: 0), "loss 1e+04 > 1000")
        XCTAssertEqual(AttentionWorkbenchJob.ruin(loss: 2.3, testAccuracy: 0.1, classes: 10, epoch: 1),
                       "test accuracy 10.0% is at chance (10.0%) after epoch 1")
        XCTAssertNil(AttentionWorkbenchJob.ruin(loss: 2.3, testAccuracy: 0.5, classes: 10, epoch: 1))
    }

    func testAcceleratorUnitFiguresLayerSpansAndDRAMBytes() throws {
        let a = try AcceleratorWorkbenchJob().snapshot(state: .paused, messages: [], elapsed: 0)
        let sa = try XCTUnwrap(a.unitFigures.first { $0.name.hasPrefix("SA-General") })
        XCTAssertGreaterThan(sa.mapping, 0); XCTAssertLessThanOrEqual(sa.mapping, 1)
        XCTAssertTrue(a.unitFigures.first { $0.name.hasPrefix("ACC") }!.mapping.isNaN, "not a PE array")
        // per-unit energy plus the shared parts adds up to the report's total
        let sum = a.unitFigures.reduce(0) { $0 + $1.microjoules } + a.sharedEnergy.reduce(0) { $0 + $1.microjoules }
        XCTAssertEqual(sum, a.energyMicrojoules, accuracy: 1e-6 * a.energyMicrojoules)
        XCTAssertEqual(a.layerCycles.map(\.layer), Array(0..<12), "DeiT-Tiny has 12 layers")
        XCTAssertEqual(a.layerCycles.last?.end, a.totalCycles)
        XCTAssertGreaterThan(a.dramReadBytes, 0); XCTAssertGreaterThan(a.dramWriteBytes, 0)
    }

    func testAcceleratorExportWritesTheTimelineCSV() throws {
        let job = try AcceleratorWorkbenchJob()
        let file = try temporaryFolder("readout-export").appendingPathComponent("tl.csv")
        let m = try job.handle(.set(name: "export", value: file.path))
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("attention,bucket_start,bucket_end,"), String(lines[0]))
        XCTAssertTrue(lines[1].hasPrefix("taylor,0,"), String(lines[1]))
        XCTAssertEqual(m, "wrote \(file.path) (\(lines.count - 1) rows, \(String(lines[1].split(separator: ",")[2])) cycles per bucket; busy fraction per unit)")
        XCTAssertLessThanOrEqual(lines.count - 1, 200)
        XCTAssertThrowsError(try job.handle(.set(name: "export", value: "/nonexistent-dir/x.csv")))
    }

    func testHparamsHistoryParsesNamedColumns() {
        let text = "step,epoch,name,from,to,note\n12,0,lr,0.1,0.02,lr 0.1 → 0.02\n40,1,surgery,none,pcgrad,\nbad,row\n"
        XCTAssertEqual(RunSettingChange.parse(text), [RunSettingChange(step: 12, name: "lr", from: "0.1", to: "0.02"),
                                                       RunSettingChange(step: 40, name: "surgery", from: "none", to: "pcgrad")])
    }
}

import Distill
import Foundation
import RetortCore
import RetortData
import RetortTestSupport
import RunKit
import TrainEngine
import XCTest

/// Checkpoints of a distillation run: stopping mid-epoch, saving, resuming from the file
/// in a new job and finishing gives the same metrics and weights as an uninterrupted run;
/// a corrupt newest checkpoint is set aside and the one before is used.
final class DistillCheckpointTests: XCTestCase {
    static let dataDir = DistillJobTests.dataDir

    var root: URL!
    override func setUpWithError() throws { root = try temporaryFolder("dckpt") }

    func mlpConfig() -> DistillConfig {
        var c = DistillConfig.preset(.full)
        c.model = .mlp; c.mlpHidden = [8, 8]; c.teacherWidth = [4]; c.lr = 0.05
        c.epochs = 3; c.threads = 1; c.seed = 2
        c.randomWidths = [1, 2.5, 4]; c.kdWarmupEpochs = 1.5; c.sortChannels = true
        return c
    }

    func newJob(_ c: DistillConfig, _ name: String) throws -> (DistillJob, URL) {
        let f = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
        let job = try DistillJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: f, tensorBoard: false))
        job.checkpoints = CheckpointStore(runFolder: f)
        return (job, f)
    }

    /// Runs to the end, changing tau before step 10.
    func finish(_ job: DistillJob) throws {
        while !job.isFinished {
            if job.step == 10 { try job.set("tau", to: "0.05") }
            let r = job.step()
            for case .failed(let m) in r.checkpoints { XCTFail("checkpoint not written: \(m)") }
        }
    }

    /// Every metrics CSV, with the timing columns of metrics.csv removed.
    func metrics(_ f: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in ["metrics.csv", "steps.csv", "hparams.csv", "tensor_cosines.csv", "tensor_conflicts.csv"] {
            let text = try String(contentsOf: f.appendingPathComponent(name), encoding: .utf8)
            guard name == "metrics.csv" else { out[name] = text; continue }
            let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let drop = Set(rows[0].enumerated().filter { ["seconds", "samples_per_second"].contains($0.element) }.map(\.offset))
            XCTAssertEqual(drop.count, 2, "timing columns of metrics.csv")
            out[name] = rows.map { $0.enumerated().filter { !drop.contains($0.offset) }.map(\.element).joined(separator: ",") }.joined(separator: "\n")
        }
        return out
    }

    func weights(_ job: DistillJob) -> [[Float]] {
        job.net.parameters.map(\.value.array) + job.net.batchNorms.flatMap { bn in
            [bn.layer.runningMean.array, bn.layer.runningVar.array] + bn.layer.trackedWidths.flatMap {
                let s = bn.layer.runningStatistics(width: $0); return [s.mean.array, s.var.array]
            }
        }
    }

    func assertResumeEqualsUninterrupted(_ c: DistillConfig, stopAfter k: Int) throws {
        let (full, fullFolder) = try newJob(c, "full")
        try finish(full)

        let (cut, folder) = try newJob(c, "cut")
        var job = cut
        job.checkpointEvery = 1000
        while job.step < k {
            if job.step == 10 { try job.set("tau", to: "0.05") }
            job.step()
        }
        XCTAssertGreaterThan(job.step % job.stepsPerEpoch, 0, "stopped mid-epoch")
        try job.saveCheckpoint()
        job.step(); job.step()   // work after the checkpoint is lost, as after a kill
        let (resumed, notes) = try DistillJob.resume(runFolder: folder, dataDirectory: Self.dataDir)
        XCTAssertEqual(notes, [])
        XCTAssertEqual(resumed.step, k)
        XCTAssertEqual(resumed.settings.tau, 0.05)
        XCTAssertEqual(resumed.checkpointEvery, 1000)
        if k > resumed.stepsPerEpoch && c.keepStudent == .heldOut { XCTAssertNotNil(resumed.kept, "the checkpoint holds the student kept after the first epoch") }
        job = resumed
        try finish(job)

        XCTAssertEqual(full.step, job.step)
        full.log?.sync(); job.log?.sync()
        XCTAssertEqual(try metrics(fullFolder), try metrics(folder))
        XCTAssertEqual(weights(full), weights(job))
        XCTAssertEqual(full.kept, job.kept, "the kept student survives the resume")
        let sa = root.appendingPathComponent("a.safetensors"), sb = root.appendingPathComponent("b.safetensors")
        try full.saveStudent(to: sa); try job.saveStudent(to: sb)
        XCTAssertEqual(try SafeTensors.read(sa).tensors.map(\.tensor.array), try SafeTensors.read(sb).tensors.map(\.tensor.array))
        var a = full.summary, b = job.summary
        a.seconds = 0; b.seconds = 0
        XCTAssertEqual(String(describing: a), String(describing: b))
    }

    func testMLPResumedMidEpochEqualsUninterruptedRun() throws {
        var c = mlpConfig()
        c.keepStudent = .heldOut   // the kept student's copy goes through the checkpoint too
        let (probe, _) = try newJob(c, "probe")
        try assertResumeEqualsUninterrupted(c, stopAfter: probe.stepsPerEpoch + 7)
    }

    func testAdamWResumesExactly() throws {
        var c = mlpConfig()
        c.optimizer = .adamw; c.lr = 0.01; c.epochs = 2
        let (probe, _) = try newJob(c, "probe")
        try assertResumeEqualsUninterrupted(c, stopAfter: probe.stepsPerEpoch / 2)
    }

    func testCNNWithPerWidthBatchNormResumesExactly() throws {
        var c = DistillConfig.preset(.full)
        c.model = .cnn; c.studentWidth = 0.25; c.teacherWidth = [4]; c.teacherExpand = [1.5]; c.lr = 0.05
        c.epochs = 2; c.threads = 1; c.seed = 2; c.testCount = 1500
        c.randomWidths = [1, 2.5, 4]; c.batchNorm = .perWidth
        let (probe, _) = try newJob(c, "probe")
        probe.step(); probe.step()
        XCTAssertTrue(probe.net.batchNorms.contains { !$0.layer.trackedWidths.isEmpty }, "per-width statistics in use")
        try assertResumeEqualsUninterrupted(c, stopAfter: probe.stepsPerEpoch + 3)
    }

    func testCorruptNewestCheckpointFallsBackToThePreviousOne() throws {
        let c = mlpConfig()
        let (job, folder) = try newJob(c, "corrupt")
        for _ in 0..<5 { job.step() }
        try job.saveCheckpoint()
        for _ in 0..<5 { job.step() }
        let newest = try job.saveCheckpoint()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest.path))
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: newest.path))

        let (resumed, notes) = try DistillJob.resume(runFolder: folder, dataDirectory: Self.dataDir)
        XCTAssertEqual(resumed.step, 5)
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].contains("step-00000010.ckpt: checksum mismatch"), notes[0])
        XCTAssertTrue(FileManager.default.fileExists(atPath: newest.path + ".corrupt"))

        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try DistillJob.resume(runFolder: empty, dataDirectory: Self.dataDir)) {
            XCTAssertTrue("\($0)".hasSuffix("checkpoints: no usable checkpoint"), "\($0)")
        }
    }
}

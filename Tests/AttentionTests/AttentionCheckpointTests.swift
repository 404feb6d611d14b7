import Attention
import Foundation
import RetortCore
import RetortTestSupport
import RunKit
import TrainEngine
import XCTest

/// Checkpoints of an attention run: stopping mid-epoch, saving, resuming from the file in a
/// new job and finishing gives the same metrics and weights as an uninterrupted run (a
/// taylor-sparse ViT, so the fake quantisers' running ranges and τ are part of the state);
/// a corrupt newest checkpoint is set aside and the one before is used.
final class AttentionCheckpointTests: XCTestCase {
    static let dataDir = AttentionJobTests.dataDir

    var root: URL!
    override func setUpWithError() throws { root = try temporaryFolder("ackpt") }

    func config() -> AttentionTrainConfig {
        var c = AttentionTrainConfig()
        c.data = .digits; c.kind = .taylorSparse; c.epochs = 2; c.testCount = 300; c.threads = 1; c.seed = 5
        c.vit = ViTConfig(name: "test-digits", imageSize: 8, patchSize: 2, width: 16, heads: 2, depth: 2, mlpRatio: 2)
        c.warmupEpochs = 0.5; c.lr = 3e-3; c.batchSize = 32; c.labelSmoothing = 0.1; c.shiftAugment = 1
        c.sparseAnneal = 0.3
        return c
    }

    func newJob(_ c: AttentionTrainConfig, _ name: String) throws -> (AttentionJob, URL) {
        let f = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
        let job = try AttentionJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: f, tensorBoard: false))
        job.checkpoints = CheckpointStore(runFolder: f)
        job.logEvery = 3
        return (job, f)
    }

    /// Runs to the end, changing τ and the weight decay at step 10.
    func finish(_ job: AttentionJob) throws {
        while !job.isFinished { try advance(job) }
    }

    func advance(_ job: AttentionJob) throws {
        if job.step == 10 { try job.set("sparse_threshold", to: "0.004"); try job.set("weight_decay", to: "0.02") }
        let r = job.step()
        for case .failed(let m) in r.checkpoints { XCTFail("checkpoint not written: \(m)") }
    }

    /// metrics.csv without its timing columns, steps.csv and hparams.csv.
    func metrics(_ f: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in ["metrics.csv", "steps.csv", "hparams.csv"] {
            let text = try String(contentsOf: f.appendingPathComponent(name), encoding: .utf8)
            guard name == "metrics.csv" else { out[name] = text; continue }
            let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let drop = Set(rows[0].enumerated().filter { ["seconds", "samples_per_second"].contains($0.element) }.map(\.offset))
            XCTAssertEqual(drop.count, 2, "timing columns of metrics.csv")
            out[name] = rows.map { $0.enumerated().filter { !drop.contains($0.offset) }.map(\.element).joined(separator: ",") }.joined(separator: "\n")
        }
        return out
    }

    func weights(_ job: AttentionJob) -> [[Float]] {
        job.model.parameters.map(\.value.array) + job.optimizer.firstMoments.map(\.array) + job.optimizer.secondMoments.map(\.array)
    }

    func testTaylorSparseResumedMidEpochEqualsUninterruptedRun() throws {
        let c = config()
        let (full, fullFolder) = try newJob(c, "full")
        try finish(full)

        let (cut, folder) = try newJob(c, "cut")
        var job = cut
        job.checkpointEvery = 1000
        let k = job.stepsPerEpoch + 5
        while job.step < k { try advance(job) }
        XCTAssertGreaterThan(job.step % job.stepsPerEpoch, 0, "stopped mid-epoch")
        XCTAssertNotEqual(job.model.cores[0].quantQ.runningRange, 0, "quantiser state in use")
        try job.saveCheckpoint()
        job.step(); job.step()   // work after the checkpoint is lost, as after a kill
        let (resumed, notes) = try AttentionJob.resume(runFolder: folder, dataDirectory: Self.dataDir)
        XCTAssertEqual(notes, [])
        XCTAssertEqual(resumed.step, k)
        XCTAssertEqual(resumed.sparseThreshold, 0.004)
        XCTAssertEqual(resumed.hyper.weightDecay, 0.02)
        XCTAssertEqual(resumed.checkpointEvery, 1000)
        XCTAssertEqual(resumed.logEvery, 3)
        job = resumed
        try finish(job)

        XCTAssertEqual(full.step, job.step)
        full.log?.sync(); job.log?.sync()
        XCTAssertEqual(try metrics(fullFolder), try metrics(folder))
        XCTAssertEqual(weights(full), weights(job))
        XCTAssertEqual(full.model.cores.map(\.quantQ), job.model.cores.map(\.quantQ))
        XCTAssertEqual(full.model.cores.map(\.quantK), job.model.cores.map(\.quantK))
        XCTAssertEqual(full.curves.loss, job.curves.loss)
        XCTAssertEqual(full.curves.epochs.map(\.testAccuracy), job.curves.epochs.map(\.testAccuracy))
        XCTAssertEqual(full.curves.epochs.map(\.testAccuracyWithSparse), job.curves.epochs.map(\.testAccuracyWithSparse))
    }

    func testCorruptNewestCheckpointFallsBackToThePreviousOne() throws {
        let (job, folder) = try newJob(config(), "corrupt")
        for _ in 0..<5 { job.step() }
        try job.saveCheckpoint()
        for _ in 0..<5 { job.step() }
        let newest = try job.saveCheckpoint()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest.path))
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: newest.path))

        let (resumed, notes) = try AttentionJob.resume(runFolder: folder, dataDirectory: Self.dataDir)
        XCTAssertEqual(resumed.step, 5)
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].contains("step-00000010.ckpt: checksum mismatch"), notes[0])
        XCTAssertTrue(FileManager.default.fileExists(atPath: newest.path + ".corrupt"))

        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try AttentionJob.resume(runFolder: empty, dataDirectory: Self.dataDir)) {
            XCTAssertTrue("\($0)".hasSuffix("checkpoints: no usable checkpoint"), "\($0)")
        }
    }
}

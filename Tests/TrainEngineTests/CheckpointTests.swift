import Foundation
import RetortCore
import RunKit
import TrainEngine
import XCTest

final class CheckpointTests: XCTestCase {
    static let dataDir = TrainingJobTests.dataDir
    var folders: [URL] = []

    override func tearDown() { for f in folders { try? FileManager.default.removeItem(at: f) } }

    func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("retort-ckpt-\(name)-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        folders.append(url)
        return url
    }

    func config(_ model: TrainConfig.ModelKind, optimizer: TrainConfig.OptimizerKind = .sgd, epochs: Int = 2) -> TrainConfig {
        var c = TrainConfig()
        c.data = .digits; c.model = model; c.optimizer = optimizer; c.epochs = epochs; c.testCount = 300; c.threads = 1
        c.lr = optimizer == .adamw ? 0.003 : 0.05; c.seed = 5; c.checkpointEvery = 7; c.keepCheckpoints = 3
        return c
    }

    func job(_ c: TrainConfig, in folder: URL) throws -> TrainingJob {
        try TrainingJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: folder),
                        checkpoints: CheckpointStore(runFolder: folder, keep: c.keepCheckpoints))
    }

    /// Steps a job; a live lr change at step 5 checks that changed hyperparameters are saved.
    func train(_ j: TrainingJob, until stop: Int = .max) throws {
        while !j.isFinished && j.step < stop {
            if j.step == 5 { try j.set("lr", to: "0.03") }
            let r = j.step()
            XCTAssertNil(r.divergence)
            for case .failed(let m) in r.checkpoints { XCTFail(m) }
        }
    }

    /// metrics.csv without the wall-time columns (seconds, samples_per_second), and steps.csv.
    func metrics(_ folder: URL) throws -> String {
        let m = try String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(7).joined(separator: ",") }
        let s = try String(contentsOf: folder.appendingPathComponent("steps.csv"), encoding: .utf8)
        let h = try String(contentsOf: folder.appendingPathComponent("hparams.csv"), encoding: .utf8)
        return m.joined(separator: "\n") + "\n--\n" + s + "--\n" + h
    }

    func checkResumeEqualsUninterrupted(_ c: TrainConfig, stopAt k: Int) throws {
        let a = try folder("a"), b = try folder("b")
        try train(try job(c, in: a))
        try train(try job(c, in: b), until: k)   // then "killed": the job is dropped mid-epoch
        let (resumed, notes) = try TrainingJob.resume(runFolder: b, dataDirectory: Self.dataDir)
        XCTAssertEqual(notes, [])
        XCTAssertEqual(resumed.step, k / 7 * 7, "resumes at the newest checkpoint")
        XCTAssertEqual(resumed.hyper.lr, 0.03, "the live lr change is part of the checkpoint")
        try train(resumed)
        let ma = try metrics(a), mb = try metrics(b)
        XCTAssertEqual(ma, mb)
        XCTAssertEqual(ma.split(separator: "\n").count, 1 + c.epochs + 1 + 1 + (c.epochs * 24) / 10 + 1 + 2)
        let events = try String(contentsOf: b.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"kind\":\"event\"") }
        XCTAssertEqual(events.count, 1)
        XCTAssertTrue(events[0].contains("\"name\":\"resumed\""), String(events[0]))
        // TensorBoard: the interrupted run's event file was cut back to the checkpoint, so the
        // two files of the resumed run hold every step once and the same scalars as the other run
        XCTAssertEqual(TensorBoardReader.eventFiles(in: b).count, 2)
        let sa = try Self.scalars(a), sb = try Self.scalars(b)
        XCTAssertEqual(sa.keys.sorted(), sb.keys.sorted())
        for (tag, va) in sa where !Self.wallClockTags.contains(where: tag.hasPrefix) {
            XCTAssertEqual(sb[tag]!.map(\.step), va.map(\.step), tag)
            XCTAssertEqual(sb[tag]!.map(\.value), va.map(\.value), tag)
        }
    }

    /// Tags whose values depend on the clock or the machine (compared by step only).
    static let wallClockTags = ["epoch/seconds", "epoch/samples_per_second", "resource/"]

    /// Every scalar of a run folder's event files, read in TensorBoard's order (file names sorted).
    static func scalars(_ folder: URL) throws -> [String: [(step: Int64, value: Float)]] {
        var out: [String: [(step: Int64, value: Float)]] = [:]
        for f in TensorBoardReader.eventFiles(in: folder) {
            for (tag, v) in try TensorBoardReader.scalars(at: f) { out[tag, default: []] += v }
        }
        return out
    }

    func testResumedMLPWithSGDMomentumEqualsUninterruptedRun() throws {
        try checkResumeEqualsUninterrupted(config(.mlp), stopAt: 33)
    }

    func testResumedCNNWithAdamWAndBatchNormEqualsUninterruptedRun() throws {
        var c = config(.cnn, optimizer: .adamw); c.shiftAugment = 1
        try checkResumeEqualsUninterrupted(c, stopAt: 30)
    }

    func testKeepsTheNewestKAndPointsLatestAtTheNewest() throws {
        let f = try folder("keep")
        var c = config(.mlp, epochs: 1); c.keepCheckpoints = 2
        try train(try job(c, in: f))
        let dir = f.appendingPathComponent("checkpoints")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["latest", "step-00000021.ckpt", "step-00000024.ckpt"])
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("latest"), encoding: .utf8), "step-00000024.ckpt\n")
    }

    func testCorruptOrTruncatedCheckpointIsRejectedAndThePreviousOneUsed() throws {
        let f = try folder("corrupt")
        try train(try job(config(.mlp), in: f), until: 30)
        let dir = f.appendingPathComponent("checkpoints")
        let newest = dir.appendingPathComponent("step-00000028.ckpt"), middle = dir.appendingPathComponent("step-00000024.ckpt")
        var bytes = try Data(contentsOf: newest)
        bytes[bytes.count / 2] ^= 0x40      // one flipped bit in the tensor data
        try bytes.write(to: newest)
        let cut = try Data(contentsOf: middle)
        try cut.prefix(cut.count - 100).write(to: middle)   // truncated
        let (j, notes) = try TrainingJob.resume(runFolder: f, dataDirectory: Self.dataDir)
        XCTAssertEqual(j.step, 21)
        XCTAssertEqual(notes.count, 2)
        XCTAssertTrue(notes[0].hasPrefix("skipped \(newest.path): checksum mismatch"), notes[0])
        XCTAssertTrue(notes[1].hasPrefix("skipped \(middle.path): checksum mismatch"), notes[1])
        XCTAssertFalse(notes.joined().contains("\n"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["latest", "step-00000021.ckpt", "step-00000024.ckpt.corrupt", "step-00000028.ckpt.corrupt"])
        XCTAssertThrowsError(try CheckpointFile.decode(Data([1, 2, 3]), file: "x.ckpt")) { XCTAssertEqual("\($0)", "x.ckpt: truncated (3 bytes)") }
    }

    func testLeftoverTemporaryFileIsIgnoredAndRemoved() throws {
        let f = try folder("tmp")
        try train(try job(config(.mlp), in: f), until: 10)
        let dir = f.appendingPathComponent("checkpoints")
        try Data("half a checkpoint".utf8).write(to: dir.appendingPathComponent(".step-00000014.ckpt.tmp-99999"))
        let (j, notes) = try TrainingJob.resume(runFolder: f, dataDirectory: Self.dataDir)
        XCTAssertEqual(j.step, 7)
        XCTAssertEqual(notes, ["removed .step-00000014.ckpt.tmp-99999, left by an interrupted checkpoint write"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".step-00000014.ckpt.tmp-99999").path))
    }

    func testFullDiskGivesOneLineAndTrainingAndOldCheckpointsAreUnharmed() throws {
        let f = try folder("full")
        let j = try job(config(.mlp), in: f)
        try train(j, until: 7)
        let dir = f.appendingPathComponent("checkpoints")
        let before = try Data(contentsOf: dir.appendingPathComponent("step-00000007.ckpt"))
        // the next checkpoint's temporary file is /dev/full: every write fails with ENOSPC
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(".step-00000014.ckpt.tmp-\(getpid())").path,
                                                   withDestinationPath: "/dev/full")
        var failures: [String] = []
        while j.step < 14 { for case .failed(let m) in j.step().checkpoints { failures.append(m) } }
        XCTAssertEqual(failures, ["\(dir.path)/step-00000014.ckpt: write failed (No space left on device)"])
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("step-00000007.ckpt")), before)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("latest"), encoding: .utf8), "step-00000007.ckpt\n")
        try train(j)
        XCTAssertTrue(j.isFinished)
        XCTAssertGreaterThan(j.evaluate(j.data.test).accuracy, 0.8, "training went on unharmed")
    }

    func testMetricsOnAFullDiskAreAOneLineFailureNotACrash() throws {
        let f = try folder("fullmetrics")
        try FileManager.default.createSymbolicLink(atPath: f.appendingPathComponent("metrics.jsonl").path, withDestinationPath: "/dev/full")
        let log = try MetricsLog(folder: f, resumingAt: [:])
        let j = try TrainingJob(config: config(.mlp, epochs: 1), dataDirectory: Self.dataDir, log: log)
        var failures: [String] = []
        while !j.isFinished { if let m = j.step().logFailure { failures.append(m) } }
        XCTAssertEqual(failures.first, "\(f.path)/metrics.jsonl: No space left on device")
        XCTAssertEqual(failures.count, 3, "reported at each step that failed to log: steps 10, 20 and the epoch end")
        XCTAssertEqual(try String(contentsOf: f.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n").count, 2)
    }

    func testDivergencePausesWritesNoNaNCheckpointAndRollbackLowersLR() throws {
        let f = try folder("diverge")
        var c = config(.mlp, epochs: 3); c.lr = 10; c.warmupEpochs = 0; c.checkpointEvery = 0; c.seed = 1
        let j = try job(c, in: f)
        var d: Divergence?
        while d == nil && !j.isFinished { d = j.step().divergence }
        let div = try XCTUnwrap(d, "lr 10 on the MLP must diverge")
        XCTAssertEqual(j.divergence, div)
        let again = j.step()
        XCTAssertEqual(again.divergence, div, "a diverged job does not train on")
        XCTAssertEqual(again.step, div.step)
        XCTAssertThrowsError(try j.saveCheckpoint()) { XCTAssertTrue("\($0)".hasPrefix("not saving: the run diverged at step \(div.step)"), "\($0)") }
        let dir = f.appendingPathComponent("checkpoints")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".ckpt") {
            let c = try CheckpointFile.decode(try Data(contentsOf: dir.appendingPathComponent(name)), file: name)
            for (n, t) in c.tensors { XCTAssertTrue(t.isAllFinite, "\(name): \(n) holds NaN/Inf") }
        }
        let jsonl = try String(contentsOf: f.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(jsonl.contains("{\"kind\":\"event\",\"step\":\(div.step),\"epoch\":\(div.epoch),\"name\":\"diverged\""), jsonl)
        let back = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: dir.path).compactMap(CheckpointStore.step(ofFileName:)).max())
        XCTAssertLessThan(back, div.step)
        let msg = try j.rollback()
        XCTAssertTrue(msg.hasPrefix("diverged at step \(div.step) (\(div.what)); rolled back to step-\(String(format: "%08d", back)).ckpt, lr 10 → 1"), msg)
        XCTAssertNil(j.divergence)
        XCTAssertEqual(j.step, back)
        let tbSteps = try Self.scalars(f).values.flatMap { $0.map(\.step) }
        XCTAssertLessThanOrEqual(tbSteps.max() ?? 0, Int64(back), "TensorBoard scalars after the checkpoint are cut back too")
        XCTAssertEqual(j.hyper.lr, 1)
        XCTAssertNil(j.model.parameters.first { !$0.value.isAllFinite })
        for _ in 0..<5 { XCTAssertNil(j.step().divergence, "training continues after the rollback") }
        let after = try String(contentsOf: f.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(after.contains("\"name\":\"diverged\""), "the divergence stays on record")
        XCTAssertTrue(after.contains("\"name\":\"rollback\""))
        XCTAssertThrowsError(try j.rollback(lr: "-1")) { XCTAssertEqual("\($0)", "lr: must be in (0, 10], got -1") }
    }
}

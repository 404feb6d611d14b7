import Distill
import Foundation
import RunKit
import TrainEngine
import Workbench
import XCTest

/// What a run leaves on disk says what happened: choice settings in hparams.csv by their
/// words, no run folder for a Distill run that never started, and epoch times without the
/// time the run spent paused.
final class RunRecordTests: XCTestCase {
    func tempRoot() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("retort-record-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: u) }
        return u
    }

    static let distillOptions: [(String, String)] = [
        ("method", "full"), ("data", "digits"), ("model", "mlp"), ("hidden", "8,8"), ("epochs", "2"), ("lr", "0.05"),
        ("threads", "1"), ("seed", "5"), ("test-count", "300")]

    func lines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func testChoiceSettingsAreLoggedWithTheirWords() throws {
        let wb = try DistillWorkbenchJob.create(options: Self.distillOptions, dataDirectory: DistillWorkbenchJobTests.dataDir,
                                                runRoot: tempRoot().path, runName: "words", tensorBoard: false)
        try wb.advance()
        let surgery = wb.job.settings.text(of: "surgery")!
        _ = try wb.handle(.set(name: "surgery", value: "drop"))
        _ = try wb.handle(.set(name: "granularity", value: wb.job.settings.granularity == .perTensor ? "whole" : "per-tensor"))
        _ = try wb.handle(.set(name: "uncertainty", value: "gate"))
        _ = try wb.handle(.set(name: "lr", value: "0.02"))
        try wb.advance()
        let hp = lines(wb.runFolder.appendingPathComponent("hparams.csv"))
        XCTAssertEqual(hp.first, "step,epoch,name,from,to,note")
        XCTAssertTrue(hp[1].hasPrefix("1,0,surgery,\(surgery),drop,"), hp[1])
        XCTAssertTrue(hp[2].range(of: #"^1,0,granularity,(whole,per-tensor|per-tensor,whole),"#, options: .regularExpression) != nil, hp[2])
        XCTAssertTrue(hp[3].range(of: #"^1,0,uncertainty,[a-z]+,gate,"#, options: .regularExpression) != nil, hp[3])
        XCTAssertTrue(hp[4].hasPrefix("1,0,lr,0.05,0.02,"), hp[4])
        XCTAssertFalse(hp.joined().contains("nan"), hp.joined(separator: "\n"))
        let json = lines(wb.runFolder.appendingPathComponent("metrics.jsonl")).filter { $0.contains("\"kind\":\"hparam\"") }
        XCTAssertTrue(json[0].contains("\"from\":\"\(surgery)\",\"to\":\"drop\""), json[0])
        XCTAssertTrue(json[3].contains("\"from\":0.05,\"to\":0.02"), json[3])
        // the file still reads as a table (the Runs tab, a resume's cut)
        let table = try RunTable.parse(hp.joined(separator: "\n"), file: "hparams.csv")
        XCTAssertNil(table.warning)
        XCTAssertEqual(table.table.rows.count, 4)
        XCTAssertEqual(table.table.column("to")?.last, 0.02)
    }

    func testAttentionKindIsLoggedWithItsWords() throws {
        let root = tempRoot()
        let job = try AttentionWorkbenchJob.create(options: [("data", "digits"), ("kinds", "softmax"), ("epochs", "1"), ("test-count", "300"),
                                                             ("batch-size", "64"), ("threads", "1")],
                                                   dataDirectory: DistillWorkbenchJobTests.dataDir, runRoot: root.path,
                                                   diagnosticImages: 8, scalingSizes: [8])
        XCTAssertEqual(((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { $0.contains("vit") }, [],
                       "opening the Attention queue creates no run folder")
        try job.advance()
        _ = try job.handle(.set(name: "kind", value: "taylor"))
        let folder = try XCTUnwrap(job.runningJob?.log?.folder)
        let hp = lines(folder.appendingPathComponent("hparams.csv"))
        XCTAssertTrue(hp.count == 2 && hp[1].hasPrefix("1,0,kind,softmax,taylor,"), hp.joined(separator: "\n"))
    }

    func testADistillRunThatNeverStartsLeavesNoFolder() throws {
        let root = tempRoot()
        let wb = try DistillWorkbenchJob.prepare(options: Self.distillOptions, dataDirectory: DistillWorkbenchJobTests.dataDir,
                                                 runRoot: root.path, runName: "lazy", tensorBoard: false)
        _ = try wb.handle(.set(name: "surgery", value: "drop"))
        let before = wb.snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertFalse(wb.hasRunFolder)
        XCTAssertEqual(before.runFolder, "")
        XCTAssertEqual(wb.checkpointOnQuit(), "no checkpoint: the run never started, so it has no run folder")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path), "nothing on disk before the first step")
        XCTAssertEqual(quitSummary("distill", finished: false, completedEpochs: 0, totalEpochs: 2, step: 0, runFolder: before.runFolder),
                       "distill stopped before its first step; no run folder")

        try wb.advance()   // the first step (space / n) creates the folder, its first checkpoint and its metrics
        XCTAssertTrue(wb.hasRunFolder)
        XCTAssertEqual(wb.runFolder.lastPathComponent, "lazy")
        XCTAssertEqual(wb.snapshot(state: .running, messages: [], elapsed: 0).runFolder, wb.runFolder.path)
        let fm = FileManager.default
        XCTAssertTrue(fm.fileExists(atPath: wb.runFolder.appendingPathComponent("config.json").path))
        XCTAssertTrue(fm.fileExists(atPath: wb.runFolder.appendingPathComponent("checkpoints/step-00000000.ckpt").path))
        let events = lines(wb.runFolder.appendingPathComponent("metrics.jsonl"))
        XCTAssertTrue(events.contains { $0.contains("\"shared_elements\"") }, "the opening events are written")
        XCTAssertTrue(events.contains { $0.contains("method [R]") })
        let hp = lines(wb.runFolder.appendingPathComponent("hparams.csv"))
        XCTAssertEqual(hp.count, 2)
        XCTAssertTrue(hp[1].hasPrefix("0,0,surgery,"), "a change made before the start is in hparams.csv: \(hp)")
    }

    /// A clock the test moves: each reading is 1 ms after the previous one; `pause` jumps it.
    final class TestClock: @unchecked Sendable {
        private var now: UInt64 = 1_000_000_000
        func read() -> UInt64 { now += 1_000_000; return now }
        func pause(seconds: Double) { now += UInt64(seconds * 1e9) }
    }

    func testEpochSecondsLeaveOutPausedTime() throws {
        let clock = TestClock()
        let wb = try DistillWorkbenchJob.create(options: Self.distillOptions, dataDirectory: DistillWorkbenchJobTests.dataDir,
                                                runRoot: tempRoot().path, runName: "paused", tensorBoard: false)
        wb.job.clock = { clock.read() }
        let runner = JobRunner(job: wb, startPaused: true)
        runner.start()
        defer { runner.send(.stop); runner.waitUntilDone() }
        runner.send(.step(3))
        var s = waitFor(runner) { $0.step == 3 }
        clock.pause(seconds: 3600)   // an hour paused between single steps
        runner.send(.resume)
        s = waitFor(runner) { $0.epochRows.count >= 1 }
        XCTAssertGreaterThan(s.step, 3)
        let table = try XCTUnwrap(RunTable.read(wb.runFolder.appendingPathComponent("metrics.csv")))
        let seconds = try XCTUnwrap(table.series("seconds").first?.1)
        XCTAssertGreaterThan(seconds, 0)
        XCTAssertLessThan(seconds, 60, "the hour paused is not training time")
    }

    func testTrainingEpochSecondsLeaveOutPausedTime() throws {
        let folder = tempRoot()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { RunLock.release(folder) }
        var c = TrainConfig()
        c.data = .digits; c.model = .mlp; c.epochs = 1; c.testCount = 300; c.threads = 1; c.seed = 3
        let job = try TrainingJob(config: c, dataDirectory: DistillWorkbenchJobTests.dataDir, log: try MetricsLog(folder: folder, tensorBoard: false))
        let clock = TestClock()
        job.clock = { clock.read() }
        job.step(); job.step()
        clock.pause(seconds: 3600)
        var summary: EpochSummary?
        while summary == nil { summary = job.step().epochSummary }
        XCTAssertGreaterThan(summary!.seconds, 0)
        XCTAssertLessThan(summary!.seconds, 60, "the hour paused is not training time")
        let table = try XCTUnwrap(RunTable.read(folder.appendingPathComponent("metrics.csv")))
        XCTAssertEqual(table.series("seconds").first?.1 ?? .nan, summary!.seconds, accuracy: 1e-3)
    }

    func waitFor(_ runner: JobRunner<DistillWorkbenchJob>, _ cond: (DistillSnapshot) -> Bool) -> DistillSnapshot {
        let end = Date().addingTimeInterval(120)
        while Date() < end { let s = runner.snapshot; if cond(s) { return s }; usleep(5000) }
        XCTFail("condition not reached")
        return runner.snapshot
    }
}

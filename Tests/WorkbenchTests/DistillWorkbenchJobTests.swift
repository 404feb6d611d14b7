import Distill
import Foundation
import Workbench
import XCTest

/// The Distill job behind the JobRunner, as the TUI drives it: snapshots fill with the
/// cosine statistics, live settings are validated, applied between steps and logged.
final class DistillWorkbenchJobTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path

    func makeJob(_ root: URL, _ extra: [(String, String)] = []) throws -> DistillWorkbenchJob {
        try DistillWorkbenchJob.create(
            options: [("method", "full"), ("data", "digits"), ("model", "mlp"), ("hidden", "8,8"), ("epochs", "4"), ("lr", "0.05"),
                      ("threads", "1"), ("seed", "5")] + extra,
            dataDirectory: Self.dataDir, runRoot: root.path, runName: "wb")
    }

    func tempRoot() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("retort-wb-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: u) }
        return u
    }

    func wait<J: SteppableJob>(_ runner: JobRunner<J>, timeout: Double = 60, _ cond: (J.Snapshot) -> Bool) -> J.Snapshot {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end { let s = runner.snapshot; if cond(s) { return s }; usleep(5000) }
        XCTFail("condition not reached")
        return runner.snapshot
    }

    func testSnapshotsCarryCosineStatisticsAfterAnEpoch() throws {
        let job = try makeJob(tempRoot())
        let runner = JobRunner(job: job, startPaused: false)
        runner.start()
        let s = wait(runner) { $0.state == .finished }
        runner.send(.stop); runner.waitUntilDone()
        XCTAssertEqual(s.epoch, 4)
        XCTAssertEqual(s.epochRows.count, 4)
        XCTAssertFalse(s.cosine.isEmpty, "whole-vector cosine per step")
        XCTAssertEqual(s.tensorNames.count, s.conflictTable.count)
        XCTAssertTrue(s.tensorCosines.allSatisfy { $0.isFinite && abs($0) <= 1 + 1e-9 })
        XCTAssertTrue(s.conflictFraction >= 0 && s.conflictFraction <= 1)
        XCTAssertFalse(s.recentEntropies.isEmpty, "entropy histogram source")
        XCTAssertTrue(s.meanKDWeight > 0 && s.meanKDWeight <= 1)
        XCTAssertGreaterThan(Double(s.epochRows.last!.studentTestAccuracy), 0.5, "far above chance (0.1) on digits")
    }

    func testLiveSettingsAreValidatedAppliedAtStepBoundariesAndLogged() throws {
        let root = tempRoot()
        let runner = JobRunner(job: try makeJob(root, [("epochs", "50")]), startPaused: true)
        runner.start()
        runner.send(.step(3))
        _ = wait(runner) { $0.step == 3 && $0.state == .paused }
        runner.send(.set(name: "surgery", value: "none"))
        runner.send(.set(name: "lr", value: "-0.1"))
        runner.send(.set(name: "surgery", value: "pcgrad"))
        runner.send(.set(name: "tau", value: "0.5"))
        let s = wait(runner) { $0.messages.count >= 4 }
        XCTAssertEqual(s.step, 3, "settings do not advance a paused job")
        XCTAssertEqual(s.settings.first { $0.name == "surgery" }?.value, "none")
        XCTAssertEqual(s.settings.first { $0.name == "tau" }?.numericValue, 0.5)
        XCTAssertNotEqual(s.settings.first { $0.name == "lr" }?.numericValue, -0.1)
        let texts = s.messages.map(\.text)
        XCTAssertTrue(texts.contains { $0.hasPrefix("lr: must be in") }, "\(texts)")
        XCTAssertTrue(texts.contains { $0.hasPrefix("surgery: must be one of none, sym, asym, drop") }, "\(texts)")
        XCTAssertEqual(s.changes.map(\.name), ["surgery", "tau"])
        XCTAssertEqual(s.changes.map(\.step), [3, 3])
        // With surgery off the after-surgery cosine equals the before-surgery cosine.
        runner.send(.step(4))
        let t = wait(runner) { $0.step == 7 && $0.state == .paused }
        XCTAssertEqual(t.tensorCosines.count, t.tensorCosinesAfter.count)
        for (a, b) in zip(t.tensorCosines, t.tensorCosinesAfter) where a.isFinite { XCTAssertEqual(a, b, accuracy: 1e-12) }
        runner.send(.stop); runner.waitUntilDone()
        let log = try String(contentsOf: root.appendingPathComponent("wb/metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(log.contains("\"surgery\""), "the change is in the run's metrics log")
    }
}

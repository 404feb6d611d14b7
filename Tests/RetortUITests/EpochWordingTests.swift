import Foundation
import RetortUI
import RunKit
import Workbench
import XCTest

/// One meaning of "epoch" (the epochs completed): the header, the Distill tab, the quit line
/// and the epoch column of hparams.csv agree.
final class EpochWordingTests: XCTestCase {
    func testHeaderTabQuitLineAndHparamsCountTheSameEpochs() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retort-epochs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DistillWorkbenchJob.create(options: [("data", "digits"), ("model", "mlp"), ("hidden", "8,8"), ("epochs", "3"),
                                                           ("threads", "1"), ("test-count", "300")],
                                                 dataDirectory: ScreenTests.dataDir, runRoot: root.path, runName: "ep", tensorBoard: false)
        var snap = job.snapshot(state: .paused, messages: [], elapsed: 1)
        while snap.epochRows.isEmpty { try job.advance(); snap = job.snapshot(state: .paused, messages: [], elapsed: 1) }
        try job.advance()   // a step into the second epoch
        _ = try job.handle(.set(name: "lambda", value: "0.5"))
        snap = job.snapshot(state: .paused, messages: [], elapsed: 1)
        XCTAssertEqual(snap.epoch, 1)

        var s = UIState(); s.hasTrainingRun = false; s.tab = .distill
        let g = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, distill: snap, width: 160, height: 40)
        XCTAssertTrue(g.row(0).contains("1/3 epochs  step \(snap.step)"), g.row(0))
        XCTAssertTrue(g.contains("step \(snap.step) · "), g.text)
        XCTAssertEqual((1..<g.height).filter { g.row($0).contains("1/3 epochs done") }.count, 1, "the Distill tab's facts: \(g.text)")
        XCTAssertEqual(quitSummary("distill", finished: false, completedEpochs: snap.epoch, totalEpochs: snap.totalEpochs,
                                   step: snap.step, runFolder: snap.runFolder),
                       "distill stopped at step \(snap.step), 1/3 epochs done; run folder \(snap.runFolder)")
        let hp = try String(contentsOf: job.runFolder.appendingPathComponent("hparams.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(hp[0][1], "epoch")
        XCTAssertEqual(hp[1][0], "\(snap.step)")
        XCTAssertEqual(hp[1][1], "1", "hparams.csv counts the epochs completed, as the header does")
    }
}

import Foundation
import RetortUI
import Workbench
import XCTest

/// A session without a training run (`retort resume DISTILLRUN --tui`): the Training tab
/// says so, and the header shows the front tab's job or nothing.
final class SessionWithoutTrainingTests: XCTestCase {
    func render(_ s: UIState, attention: AttentionSnapshot? = nil) -> CellGrid {
        Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, attention: attention, width: 120, height: 40)
    }

    func testTrainingTabSaysThereIsNoRunAndTheHeaderIsEmpty() {
        var s = UIState(); s.hasTrainingRun = false
        let g = render(s)
        XCTAssertTrue(g.contains("no training run in this session — `retort tui` starts one"), g.text)
        XCTAssertFalse(g.contains("starting…"))
        XCTAssertEqual(g.row(0).trimmingCharacters(in: .whitespaces), "retort")
        s.hasTrainingRun = true
        XCTAssertTrue(render(s).contains("starting…"), "a training run not yet published")
    }

    func testHeaderShowsTheFrontTabsJob() {
        var s = UIState(); s.hasTrainingRun = false; s.tab = .attention
        var a = AttentionSnapshot()
        a.state = .paused; a.currentRun = 1; a.kind = "taylor"; a.epoch = 3; a.totalEpochs = 30; a.step = 150; a.stepsPerEpoch = 47
        a.samplesPerSecond = 0; a.elapsed = 61; a.blas = "generic×1"
        a.runs = [AttentionRunView(index: 1, kind: "taylor", status: .running, runFolder: "/tmp/runs/20250101-vit-taylor-run1", step: 150, epoch: 3)]
        let head = render(s, attention: a).row(0)
        for part in ["PAUSED", "3/30 epochs  step 150", "00:01:01", "20250101-vit-taylor-run1"] {
            XCTAssertTrue(head.contains(part), "'\(part)' missing in \(head)")
        }
        s.tab = .runs
        XCTAssertTrue(render(s).row(0).contains("runs: 0 folders"), "no job in front: the run folders' summary")
        // with a training run too, the header is the front tab's job
        s.hasTrainingRun = true; s.tab = .attention
        XCTAssertTrue(render(s, attention: a).row(0).contains("PAUSED"))
    }

    func testAttentionSnapshotWithoutTimesDoesNotTrap() {
        var s = UIState(); s.hasTrainingRun = false; s.tab = .attention
        let g = render(s, attention: AttentionSnapshot())
        XCTAssertTrue(g.row(0).contains("00:00:00"), g.row(0))
    }
}

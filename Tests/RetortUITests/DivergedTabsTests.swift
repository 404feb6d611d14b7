import Foundation
import RetortUI
import RunKit
import TrainEngine
import Workbench
import XCTest

/// The Distill and Attention tabs say DIVERGED (in the error colour) while their run is
/// diverged, as the header does for the Training tab.
final class DivergedTabsTests: XCTestCase {
    /// The first cell of `text` on the screen, if shown.
    func cell(_ g: CellGrid, _ text: String) -> Cell? {
        for y in 0..<g.height { if let r = g.row(y).range(of: text) { return g[g.row(y).distance(from: g.row(y).startIndex, to: r.lowerBound), y] } }
        return nil
    }

    func testDistillTabShowsDiverged() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retort-divtab-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DistillWorkbenchJob.create(options: [("data", "digits"), ("model", "mlp"), ("epochs", "1"), ("threads", "1")],
                                                 dataDirectory: ScreenTests.dataDir, runRoot: root.path, runName: "div", tensorBoard: false)
        var s = UIState(); s.tab = .distill
        try job.advance()
        let fine = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, distill: job.snapshot(state: .running, messages: [], elapsed: 1), width: 120, height: 40)
        XCTAssertFalse(fine.contains("DIVERGED"))
        job.job.net.parameters[0].value.data[0] = .nan
        try job.advance()
        XCTAssertEqual(job.takePauseRequest(), "diverged at step 2: teacher loss is NaN — press r to roll back to step 0 with lr ×0.1 (0.002), or :rollback LR")
        let snap = job.snapshot(state: .paused, messages: [], elapsed: 1)
        XCTAssertNotNil(snap.diverged)
        let g = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, distill: snap, width: 120, height: 40)
        XCTAssertTrue(g.contains("DIVERGED · step 2 · ") && g.contains("0/1 epochs done"), g.text)
        XCTAssertEqual(cell(g, "DIVERGED")?.fg, .error)
    }

    func testAttentionTabShowsDivergedRun() {
        var a = AttentionTabTests(name: "snapshot", testClosure: { _ in }).snapshot()
        a.diverged = "diverged at step 151 (run 2, taylor): loss is NaN — press r to roll back to step 141 with lr ×0.1 (0.0001), or :rollback LR"
        a.runs[1] = AttentionRunView(index: 2, kind: "taylor", status: .diverged, runFolder: "/tmp/r2", step: 150, epoch: 3)
        var s = UIState(); s.tab = .attention
        let g = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, attention: a, width: 120, height: 40)
        XCTAssertTrue(g.contains("run 2/3: taylor · DIVERGED"), g.text)
        XCTAssertTrue(g.contains("2 taylor        DIVERGED"), g.text)
        XCTAssertEqual(cell(g, "DIVERGED")?.fg, .error)
    }
}

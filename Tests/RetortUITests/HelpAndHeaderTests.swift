import RetortUI
import RunKit
import Workbench
import XCTest

/// The help overlay and the header belong to the tab on screen.
final class HelpAndHeaderTests: XCTestCase {
    func render(_ s: UIState, width: Int = 120, height: Int = 40, attention: AttentionSnapshot? = nil) -> CellGrid {
        Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, attention: attention, width: width, height: height)
    }

    func testHelpListsTheFrontTabsKeys() {
        var s = UIState(); s.showHelp = true; s.tab = .accelerator
        let acc = render(s, height: 50)
        for k in ["g", "G", "t", ":goto WHERE", ":break STAGE", "q  Ctrl-C", "1-5  Tab  Shift-Tab"] {
            XCTAssertTrue(KeyHelp.entries(for: .accelerator).contains { $0.0 == k }, k)
        }
        XCTAssertTrue(acc.contains(":goto WHERE"), acc.text)
        XCTAssertTrue(acc.contains("go to the next event"), acc.text)
        XCTAssertFalse(acc.contains("roll back to the last good checkpoint"), "no Training keys on the Accelerator tab")
        s.tab = .runs
        let runs = render(s, height: 50)
        XCTAssertTrue(runs.contains("Runs: space  v"), runs.text)
        XCTAssertFalse(runs.contains("single step"), "the Runs tab has no job to step")
    }

    func testHelpIsSizedToTheTerminalAndWrapsAtSpaces() {
        var s = UIState(); s.showHelp = true
        let wide = render(s, width: 250, height: 60)
        for (_, d) in KeyHelp.entries(for: .training) { XCTAssertTrue(wide.contains(d), "cut at 250 columns: \(d)") }
        // 80 columns: long descriptions wrap; no line of the box is cut without an ellipsis
        let narrow = render(s, width: 80, height: 60)
        let words = KeyHelp.entries(for: .training).flatMap { $0.1.split(separator: " ").map(String.init) }
        for w in words { XCTAssertTrue(narrow.contains(w), "'\(w)' lost at 80 columns\n" + narrow.text) }
        XCTAssertEqual(KeyHelp.wrap("aa bb cc dd", width: 5), ["aa bb", "cc dd"])
        XCTAssertEqual(KeyHelp.wrap("abcdefgh x", width: 5), ["abcd…", "x"])
        // too low for every line: the last one shown says more is left out
        let low = render(s, width: 80, height: 24)
        XCTAssertTrue(low.contains("…"), low.text)
    }

    func testHeaderShowsTheFrontTabsJobAndRunsASummary() {
        var s = UIState(); s.tab = .attention
        var a = AttentionSnapshot()
        a.state = .paused; a.currentRun = 1; a.epoch = 3; a.totalEpochs = 30; a.step = 150
        XCTAssertTrue(render(s, attention: a).row(0).contains("PAUSED"), "a training run in the session does not take the header")
        s.tab = .runs
        s.runs.list = [RunSummary(name: "a", engine: .train, date: nil, state: .running), RunSummary(name: "b", engine: .train, date: nil, state: .finished)]
        s.runs.marked = ["b"]
        let head = render(s).row(0)
        for part in ["runs: 2 folders", "1 running", "1 marked"] { XCTAssertTrue(head.contains(part), "'\(part)' missing in \(head)") }
    }
}

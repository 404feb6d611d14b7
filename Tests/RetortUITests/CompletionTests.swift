import RetortUI
import RunKit
import TrainEngine
import Workbench
import XCTest

/// `:` completion: commands, setting names, the words of choice settings, stage names, and the
/// candidates listed when several fit.
final class CompletionTests: XCTestCase {
    let panel = [
        SettingRow(name: "surgery", value: "none", kind: .choice(["none", "pcgrad", "drop", "project"]), help: ""),
        SettingRow(name: "lr", value: "0.1", kind: .number(min: 0, max: 10, minInclusive: false, logScale: true), help: ""),
        SettingRow(name: "kind", value: "taylor", kind: .choice(["softmax", "taylor", "taylor-sparse"]), help: ""),
    ]

    func testValuesOfChoiceSettingsComplete() {
        XCTAssertEqual(Controller.complete("set surgery pc", hyper: panel, themes: []), "set surgery pcgrad ")
        XCTAssertEqual(Controller.complete("set kind taylor-", hyper: panel, themes: []), "set kind taylor-sparse ")
        let (line, candidates) = Controller.completion("set kind ", hyper: panel, themes: [])
        XCTAssertEqual(line, "set kind ")
        XCTAssertEqual(candidates, ["softmax", "taylor", "taylor-sparse"])
        XCTAssertEqual(Controller.completion("set kind t", hyper: panel, themes: []).line, "set kind taylor",
                       "taylor and taylor-sparse share 'taylor'")
        XCTAssertEqual(Controller.completion("set lr 0", hyper: panel, themes: []).candidates, [], "numbers have no words")
    }

    func testStageNamesCompleteAfterBreakAndGoto() {
        let words = ["break": ["q-g", "k-g", "softmax-exp", "clear"], "goto": ["next-event", "start", "end"]]
        XCTAssertEqual(Controller.complete("break q", hyper: [], themes: [], words: words), "break q-g ")
        XCTAssertEqual(Controller.complete("goto n", hyper: [], themes: [], words: words), "goto next-event ")
        XCTAssertEqual(Controller.complete("break q", hyper: [], themes: []), "break q", "no words offered: unchanged")
    }

    func testTabListsTheCandidatesOnTheFooterAndANumberSaysItsRange() {
        var s = UIState(); s.tab = .distill
        for k in [Key.char(":")] + "set surgery ".map({ Key.char($0) }) + [.tab] { _ = Controller.handle(k, state: &s, panel: panel) }
        XCTAssertEqual(s.commandLine, "set surgery ")
        XCTAssertEqual(s.candidates, ["none", "pcgrad", "drop", "project"])
        let g = Screen(glyphs: .unicodeSet, colour: false).render(s, training: nil, width: 80, height: 24)
        XCTAssertTrue(g.row(22).hasPrefix(":set surgery _   none  pcgrad  drop  project"), g.row(22))
        _ = Controller.handle(.char("d"), state: &s, panel: panel)
        XCTAssertEqual(s.candidates, [], "typing hides the list")
        _ = Controller.handle(.tab, state: &s, panel: panel)
        XCTAssertEqual(s.commandLine, "set surgery drop ")
        s.commandLine = "set lr "
        _ = Controller.handle(.tab, state: &s, panel: panel)
        XCTAssertEqual(s.message?.text, "lr: (0, 10] (now 0.1)")
    }

    func testTheAcceleratorOffersItsStages() throws {
        let a = try AcceleratorWorkbenchJob().snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertTrue(a.stages.contains("q-g"), "\(a.stages)")
    }
}

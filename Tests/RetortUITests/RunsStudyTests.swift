import Foundation
import RetortUI
import Workbench
import XCTest

/// The Runs tab with `retort sweep` studies: grouped under their study's progress row, sorted
/// by any hyperparameter, filtered by KEY=VALUE.
final class RunsStudyTests: XCTestCase {
    let screen = Screen(glyphs: .unicodeSet, colour: true)

    func run(_ name: String, acc: Double, study: String? = nil, _ hp: [String: String]) -> RunSummary {
        var r = RunSummary(name: name, engine: .distill, date: Date(timeIntervalSince1970: 100), state: .finished,
                           epochsDone: 2, epochsTotal: 2, bestTestAccuracy: acc)
        r.study = study; r.hyperparameters = hp
        return r
    }

    func rows() -> [RunSummary] {
        var head = RunSummary(name: "study:lr", engine: .study, date: nil, state: .running, epochsDone: 1, epochsTotal: 3,
                              note: "3 points: 1 finished, 1 running, 1 queued")
        head.study = "lr"
        return [run("solo", acc: 0.7, ["lr": "0.2", "method": "kd"]),
                head,
                run("study:lr/p000", acc: 0.9, study: "lr", ["lr": "0.05", "method": "full"]),
                run("study:lr/p001", acc: 0.8, study: "lr", ["lr": "0.1", "method": "base"]),
                run("other", acc: 0.6, ["lr": "0.01"])]
    }

    func command(_ text: String, _ s: inout UIState) {
        s.commandLine = text
        _ = Controller.handle(.enter, state: &s, panel: [])
    }

    func testGroupedUnderTheStudyRowWithItsProgress() {
        var s = UIState(); s.tab = .runs; s.runs.all = rows(); s.runs.applyView()
        XCTAssertEqual(s.runs.list.map(\.name), ["solo", "other", "study:lr", "study:lr/p000", "study:lr/p001"])
        let g = screen.render(s, training: nil, width: 120, height: 30)
        XCTAssertTrue(g.contains("study:lr") && g.contains("3 points: 1 finished, 1 running"), g.text)
        XCTAssertTrue(g.contains("    p000") && g.contains("grouped by study"), "a point sits under its study\n" + g.text)
        _ = Controller.handle(.char("g"), state: &s, panel: [])
        XCTAssertEqual(s.runs.list.map(\.name), rows().map(\.name), "g: one list in the catalog's order")
        XCTAssertTrue(screen.render(s, training: nil, width: 120, height: 30).contains("p000 (lr)"))
        s.runs.selected = s.runs.list.firstIndex { $0.name == "study:lr" }!
        XCTAssertEqual(Controller.handle(.enter, state: &s, panel: []), [], "a study row is not opened as a run")
        XCTAssertTrue(s.message?.text.contains("retort sweep collect") == true)
    }

    func testSortByAnyHyperparameterAndFilterByValue() {
        var s = UIState(); s.tab = .runs; s.runs.all = rows(); s.runs.groupStudies = false; s.runs.applyView()
        command("sort lr", &s)
        XCTAssertEqual(s.runs.list.map(\.name), ["other", "study:lr/p000", "study:lr/p001", "solo", "study:lr"],
                       "numeric order (0.01 < 0.05 < 0.1 < 0.2), runs without lr last")
        XCTAssertTrue(screen.render(s, training: nil, width: 120, height: 30).contains("lr=0.05"), "the key's value is shown")
        command("sort method", &s)
        XCTAssertEqual(s.runs.list.prefix(3).map(\.name), ["study:lr/p001", "study:lr/p000", "solo"], "text order: base, full, kd")
        command("sort momentum", &s)
        XCTAssertEqual(s.message?.error, true)
        XCTAssertTrue(s.message?.text.contains("lr, method") == true, s.message?.text ?? "")
        command("filter lr=0.1", &s)
        XCTAssertEqual(s.runs.list.map(\.name), ["study:lr/p001"], "0.1 matches 0.10 as a number")
        command("filter method=", &s)
        XCTAssertEqual(Set(s.runs.list.map(\.name)), ["solo", "study:lr/p000", "study:lr/p001"], "KEY= : every run that has the key")
        command("filter lr", &s)
        XCTAssertEqual(Set(s.runs.list.map(\.name)), ["study:lr", "study:lr/p000", "study:lr/p001"], "plain text matches the study too")
    }
}

import RetortUI
import RunKit
import TrainEngine
import Workbench
import XCTest

/// Keys → state changes and commands, without a terminal.
final class ControllerTests: XCTestCase {
    let hyper = Hyperparameters.settings.rows(of: Hyperparameters(TrainConfig()))

    func keys(_ ks: [Key], _ s: inout UIState, job: JobState = .running) -> [UIEffect] {
        ks.flatMap { Controller.handle($0, state: &s, panel: hyper, jobState: job) }
    }
    func type(_ text: String) -> [Key] { text.map { .char($0) } }

    func testCommandLineSetsAValidatedHyperparameter() {
        var s = UIState()
        XCTAssertEqual(keys([.char(":")] + type("set lr 3e-4") + [.enter], &s), [.command(.set(name: "lr", value: "3e-4"))])
        XCTAssertEqual(s.history, ["set lr 3e-4"])
        XCTAssertEqual(keys([.char(":")] + type("set lr -1") + [.enter], &s), [])
        XCTAssertEqual(s.message?.text, "lr: must be in (0, 10], got -1")
        XCTAssertEqual(s.message?.error, true)
        XCTAssertEqual(keys([.char(":")] + type("set nope 1") + [.enter], &s), [])
        XCTAssertTrue(s.message!.text.hasPrefix("unknown hyperparameter 'nope'"))
        XCTAssertEqual(keys([.char(":")] + type("frobnicate") + [.enter], &s), [])
        XCTAssertTrue(s.message!.text.hasPrefix("unknown command 'frobnicate'"))
    }

    func testRRollsBackADivergedRunAndRollbackTakesAnOptionalLR() {
        var s = UIState()
        XCTAssertEqual(Controller.handle(.char("r"), state: &s, panel: hyper, jobState: .paused), [.command(.resume)])
        XCTAssertEqual(Controller.handle(.char("r"), state: &s, panel: hyper, jobState: .paused, diverged: true), [.command(.rollback(lr: nil))])
        XCTAssertEqual(Controller.handle(.char("s"), state: &s, panel: hyper), [.command(.save)])
        XCTAssertEqual(keys([.char(":")] + type("rollback") + [.enter], &s), [.command(.rollback(lr: nil))])
        XCTAssertEqual(keys([.char(":")] + type("rollback 0.001") + [.enter], &s), [.command(.rollback(lr: "0.001"))])
        XCTAssertEqual(keys([.char(":")] + type("rollback 20") + [.enter], &s), [])
        XCTAssertEqual(s.message?.text, "lr: must be in (0, 10], got 20")
        for tab in [Tab.distill, .attention] {
            s.tab = tab
            XCTAssertEqual(Controller.handle(.char("r"), state: &s, panel: hyper, jobState: .paused), [.command(.resume)], "\(tab)")
            XCTAssertEqual(Controller.handle(.char("r"), state: &s, panel: hyper, jobState: .paused, diverged: true), [.command(.rollback(lr: nil))], "\(tab)")
            XCTAssertEqual(keys([.char(":")] + type("rollback 0.0005") + [.enter], &s), [.command(.rollback(lr: "0.0005"))], "\(tab)")
        }
        for tab in [Tab.accelerator, .runs] {
            s.tab = tab; s.message = nil
            XCTAssertEqual(keys([.char(":")] + type("rollback") + [.enter], &s), [], "\(tab)")
            XCTAssertEqual(s.message?.text, "rollback: only the Training, Distill and Attention tabs' runs keep checkpoints")
            XCTAssertEqual(s.message?.error, true)
        }
        s.tab = .accelerator
        XCTAssertNotEqual(Controller.handle(.char("r"), state: &s, panel: hyper, jobState: .paused, diverged: true), [.command(.rollback(lr: nil))])
    }

    func testEscAndCancelCancelTheAcceleratorReSimulation() {
        var s = UIState(); s.tab = .accelerator
        XCTAssertEqual(Controller.handle(.escape, state: &s, panel: []), [.command(.set(name: "cancel", value: ""))])
        s.commandLine = "cancel"
        XCTAssertEqual(Controller.handle(.enter, state: &s, panel: []), [.command(.set(name: "cancel", value: ""))])
        s.tab = .training
        XCTAssertEqual(Controller.handle(.escape, state: &s, panel: []), [])
    }

    func testHistoryAndCompletion() {
        var s = UIState()
        _ = keys([.char(":")] + type("step 5") + [.enter], &s)
        _ = keys([.char(":"), .up], &s)
        XCTAssertEqual(s.commandLine, "step 5")
        s.commandLine = nil
        XCTAssertEqual(Controller.complete("se", hyper: hyper, themes: []), "set ")
        XCTAssertEqual(Controller.complete("set mo", hyper: hyper, themes: []), "set momentum ")
        XCTAssertEqual(Controller.complete("theme hi", hyper: hyper, themes: ["dark", "high-contrast"]), "theme high-contrast ")
        XCTAssertEqual(Controller.complete("s", hyper: hyper, themes: []), "s", "ambiguous: set, save, step")
    }

    func testStepAndTypeValuesInThePanel() {
        var s = UIState()
        // lr is log-scale: one step up multiplies by 10^(1/4)
        XCTAssertEqual(keys([.right], &s), [.command(.set(name: "lr", value: "0.178"))])
        XCTAssertEqual(keys([.down, .right], &s), [.command(.set(name: "momentum", value: "0.95"))])
        XCTAssertEqual(keys([.down, .down, .left], &s), [.command(.set(name: "batch_size", value: "32"))])
        // typed values: invalid keeps the editor open with a message, valid applies
        s.selectedField = 0
        XCTAssertEqual(keys([.enter] + type("abc") + [.enter], &s), [])
        XCTAssertEqual(s.editBuffer, "abc")
        XCTAssertEqual(s.message?.text, "lr: 'abc' is not a number")
        XCTAssertEqual(keys([.ctrl("u")] + type("1/100") + [.enter], &s), [.command(.set(name: "lr", value: "1/100"))])
        XCTAssertNil(s.editBuffer)
        // undo restores the value before the most recent change (the stepped 0.178: every press counts)
        XCTAssertEqual(keys([.char("u")], &s), [.command(.set(name: "lr", value: "0.178"))])
    }

    static let acceleratorPanel = [SettingRow(name: "chunks", value: "4", kind: .number(min: 1, max: 64, integer: true, logScale: true), help: "")]

    func testUndoBelongsToTheTabOnScreen() {
        var s = UIState(); s.tab = .accelerator
        let acc = Self.acceleratorPanel
        for k in [Key.char(":")] + type("set chunks 2") + [.enter] { _ = Controller.handle(k, state: &s, panel: acc) }
        XCTAssertEqual(keys([.char("1"), .char("u")], &s), [], "nothing changed on the Training tab")
        XCTAssertEqual(s.message?.text, "nothing to undo on the Training tab")
        _ = keys([.char("4")], &s)
        XCTAssertEqual(Controller.handle(.char("u"), state: &s, panel: acc), [.command(.set(name: "chunks", value: "4"))],
                       "the Accelerator change is still there to undo")
    }

    func testEachTabKeepsItsSettingsCursor() {
        var s = UIState()
        _ = keys([.down, .down], &s)
        XCTAssertEqual(s.selectedField, 2)
        _ = keys([.char("2")], &s)
        XCTAssertEqual(s.selectedField, 0, "the Distill tab's own cursor")
        _ = keys([.down], &s)
        _ = keys([.char("1")], &s)
        XCTAssertEqual(s.selectedField, 2, "back on Training: its row is still selected")
        _ = keys([.char("2")], &s)
        XCTAssertEqual(s.selectedField, 1)
    }

    func testAKeyBurstStepsFromTheValuesSentNotTheStaleSnapshot() {
        var s = UIState()
        // the job has applied none of the presses yet: the panel still says lr 0.1
        XCTAssertEqual(keys([.right, .right, .right, .right], &s), ["0.178", "0.317", "0.564", "1"].map { .command(.set(name: "lr", value: $0)) })
        // the snapshot catches up part-way: still stepping from the last value sent
        func panel(lr: String) -> [SettingRow] { hyper.map { $0.name == "lr" ? SettingRow(name: "lr", value: lr, kind: $0.kind, help: $0.help) : $0 } }
        XCTAssertEqual(Controller.handle(.right, state: &s, panel: panel(lr: "0.317")), [.command(.set(name: "lr", value: "1.78"))])
        // caught up: the snapshot is followed again (and a rollback elsewhere too)
        XCTAssertEqual(Controller.handle(.right, state: &s, panel: panel(lr: "1.78")), [.command(.set(name: "lr", value: "3.17"))])
        XCTAssertEqual(Controller.handle(.left, state: &s, panel: panel(lr: "0.01")), [.command(.set(name: "lr", value: "0.00562"))])
        // a value equal to the current one is not sent
        XCTAssertEqual(keys([.char(":")] + type("set momentum 0.9") + [.enter], &s), [])
        XCTAssertEqual(s.message?.text, "momentum is already 0.9")
    }

    func testRunsTabRefusesRunKeysAndCommands() {
        var s = UIState(); s.tab = .runs
        for k in [Key.char("n"), .char("N"), .char("s"), .char("u"), .char("p"), .right, .char("e")] {
            s.message = nil
            XCTAssertEqual(keys([k], &s), [], "\(k)")
            XCTAssertEqual(s.message?.text, Controller.runsHasNoJob, "\(k)")
        }
        for line in ["step", "save", "set lr 0.01", "pause"] {
            s.message = nil
            XCTAssertEqual(keys([.char(":")] + type(line) + [.enter], &s), [], line)
            XCTAssertEqual(s.message?.text, Controller.runsHasNoJob, line)
        }
        XCTAssertEqual(keys([.char("r")], &s), [.runs(.scan)], "r is the Runs tab's rescan")
        XCTAssertEqual(keys([.char("1"), .char("n")], &s), [.command(.step(1))], "on the Training tab n steps again")
    }

    func testPauseStepSaveQuitAndTabs() {
        var s = UIState()
        XCTAssertEqual(keys([.char(" ")], &s, job: .running), [.command(.pause)])
        XCTAssertEqual(keys([.char(" ")], &s, job: .paused), [.command(.resume)])
        XCTAssertEqual(keys([.char("n")], &s), [.command(.step(1))])
        XCTAssertEqual(keys([.char("s")], &s), [.command(.save)])
        XCTAssertEqual(keys([.char("3")], &s), [])
        XCTAssertEqual(s.tab, .attention)
        _ = keys([.tab, .tab], &s)
        XCTAssertEqual(s.tab, .runs)
        _ = keys([.tab], &s)
        XCTAssertEqual(s.tab, .training)
        _ = keys([.backTab], &s)
        XCTAssertEqual(s.tab, .runs)
        _ = keys([.mouseClick(x: Controller.tabLabels()[1].1.lowerBound + 1, y: 1)], &s)
        XCTAssertEqual(s.tab, .distill)
        _ = keys([.char("]"), .wheelUp(x: 10, y: 10), .char("[")], &s)
        XCTAssertEqual(s.zoom, 1)
        XCTAssertEqual(s.message?.text, "charts: last 1/2 of the run")
        XCTAssertEqual(keys([.char("q")], &s), [.quit])
        let choice = [SettingRow(name: "surgery", value: "none", kind: .choice(["none", "sym", "asym", "drop"]), help: "")]
        var c = UIState()
        XCTAssertEqual(Controller.handle(.left, state: &c, panel: choice, validate: { _, _ in nil }), [.command(.set(name: "surgery", value: "drop"))])
        XCTAssertEqual(keys([.char("?")], &s), [])
        XCTAssertTrue(s.showHelp)
        XCTAssertEqual(keys([.char("q")], &s), [], "q closes the help first")
        XCTAssertFalse(s.showHelp)
    }
}

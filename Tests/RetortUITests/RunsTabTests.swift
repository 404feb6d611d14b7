import Foundation
import RetortUI
import Workbench
import XCTest

/// The Runs tab: list, one opened run and an overlay rendered from synthetic runs; keys and
/// the delete confirmation against a real temporary run root.
final class RunsTabTests: XCTestCase {
    let screen = Screen(glyphs: .unicodeSet, colour: true)
    let date = Date(timeIntervalSince1970: 1_790_000_000)

    func summaries() -> [RunSummary] {
        [
            RunSummary(name: "alpha", engine: .train, date: date, state: .finished, epochsDone: 3, epochsTotal: 3, bestTestAccuracy: 0.9512, finalTestLoss: 0.1834),
            RunSummary(name: "beta-distill", engine: .distill, date: date, state: .incomplete, epochsDone: 2, epochsTotal: 40, bestTestAccuracy: 0.8, finalTestLoss: 0.7),
            RunSummary(name: "live-run", engine: .train, date: date, state: .running, epochsDone: 1, epochsTotal: 15, bestTestAccuracy: 0.5),
            RunSummary(name: "broken", engine: .unknown, date: nil, state: .unreadable, note: "config.json: not valid JSON"),
        ]
    }

    func curves(_ name: String, _ accs: [Double]) -> RunCurves {
        var rows: [[Double]] = []
        for (i, a) in accs.enumerated() {
            let step = Double(10 * (i + 1)), epoch = Double(i + 1)
            rows.append([step, epoch, 1.5 - a, a - 0.05, 1.2 - a, a])
        }
        var steps: [[Double]] = []
        for i in 1...12 { steps.append([Double(i * 2), Double(i / 4), 2.0 / Double(i)]) }
        return RunCurves(name: name, engine: .train,
                         metrics: RunTable(columns: ["step", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy"], rows: rows),
                         steps: RunTable(columns: ["step", "epoch", "loss"], rows: steps),
                         config: [("epochs", "3"), ("lr", "0.1"), ("model", "mlp")])
    }

    func state() -> UIState {
        var s = UIState(); s.tab = .runs; s.runs.list = summaries(); return s
    }

    func testListAt80x24And120x40() {
        var s = state()
        s.runs.marked = ["alpha"]; s.runs.selected = 3
        for (w, h) in [(80, 24), (120, 40)] {
            let g = screen.render(s, training: nil, width: w, height: h)
            XCTAssertTrue(g.contains("Runs · 4 folders · 1 marked"), g.text)
            for n in ["alpha", "beta-distill", "live-run", "broken"] { XCTAssertTrue(g.contains(n), n + "\n" + g.text) }
            XCTAssertTrue(g.contains("engine") && g.contains("best acc") && g.contains("epochs"), g.text)
            XCTAssertTrue(g.contains("95.12%"), g.text)
            XCTAssertTrue(g.contains("2/40") && g.contains("incomplete") && g.contains("running"), g.text)
            XCTAssertTrue(g.contains("● alpha"), "mark column\n" + g.text)
            XCTAssertTrue(g.contains("broken: unreadable — config.json: not valid JSON"), "reason of the selected row\n" + g.text)
            let row = (0..<h).first { g.row($0).contains("broken") && g.row($0).contains("unreadable") && !g.row($0).contains("—") }!
            XCTAssertEqual(g[2, row].bg, .selectedBg, "the selected row is highlighted")
            XCTAssertTrue(g.row(h - 1).contains("x delete"), g.row(h - 1))
        }
        let wide = screen.render(s, training: nil, width: 120, height: 40)
        XCTAssertTrue(wide.contains("test loss") && wide.contains("0.1834"), wide.text)
        var empty = UIState(); empty.tab = .runs
        XCTAssertTrue(screen.render(empty, training: nil, width: 80, height: 24).contains("No run folders here"))
    }

    func testLongListScrollsToTheSelection() {
        var s = UIState(); s.tab = .runs
        s.runs.list = (0..<60).map { RunSummary(name: String(format: "run%02d", $0), engine: .train, date: date, state: .finished, epochsDone: 1, epochsTotal: 1) }
        s.runs.selected = 55
        let g = screen.render(s, training: nil, width: 80, height: 24)
        XCTAssertTrue(g.contains("run55") && !g.contains("run00"), g.text)
    }

    func testOpenedRunAt80x24And120x40() {
        var s = state()
        s.runs.view = .run(curves("alpha", [0.7, 0.9, 0.95]))
        for (w, h) in [(80, 24), (120, 40)] {
            let g = screen.render(s, training: nil, width: w, height: h)
            XCTAssertTrue(g.contains("Loss · alpha (read-only)") && g.contains("Accuracy · alpha"), g.text)
            XCTAssertTrue(g.contains("test_loss") && g.contains("test_accuracy 0.95"), g.text)
            XCTAssertTrue(g.contains("step loss"), g.text)
            XCTAssertTrue(g.contains("Run (read-only)") && g.contains("train · finished") && g.contains("epochs 3/3"), g.text)
            XCTAssertTrue(g.contains("config.json"), g.text)
            XCTAssertTrue(g.contains("lr") && g.contains("0.1"), g.text)
            XCTAssertTrue(g.cells.contains { (0x2801...0x28FF).contains($0.char.unicodeScalars.first!.value) }, "curves drawn")
            XCTAssertTrue(g.row(h - 1).contains("Esc back"), g.row(h - 1))
        }
    }

    func testOverlayAt80x24And120x40() {
        var s = state()
        s.runs.view = .overlay([curves("alpha", [0.7, 0.9, 0.95]), curves("beta-distill", [0.5, 0.6, 0.8])])
        for (w, h) in [(80, 24), (120, 40)] {
            let g = screen.render(s, training: nil, width: w, height: h)
            XCTAssertTrue(g.contains("Test accuracy per run (overlay of 2)") && g.contains("Test loss per run"), g.text)
            XCTAssertTrue(g.contains("Legend") && g.contains("1 alpha") && g.contains("2 beta-distill"), g.text)
            XCTAssertTrue(g.contains("best 95.12%"), g.text)
            let dots = Set(g.cells.filter { (0x2801...0x28FF).contains($0.char.unicodeScalars.first!.value) }.map(\.fg))
            XCTAssertTrue(dots.contains(.series(0)) && dots.contains(.series(1)), "one colour per run: \(dots)")
        }
        let ascii = Screen(glyphs: .asciiSet, colour: false).render(s, training: nil, width: 80, height: 24)
        XCTAssertEqual(ascii.cells.filter { (0x2500...0x28FF).contains($0.char.unicodeScalars.first!.value) }.map(\.char), [])
    }

    func keys(_ ks: [Key], _ s: inout UIState) -> [UIEffect] { ks.flatMap { Controller.handle($0, state: &s, panel: []) } }

    func testKeysSelectMarkOpenOverlayAndGoBack() {
        var s = state()
        XCTAssertEqual(keys([.down, .char("j"), .char("k")], &s), []); XCTAssertEqual(s.runs.selected, 1)
        XCTAssertEqual(keys([.enter], &s), [.runs(.open("beta-distill"))])
        XCTAssertEqual(keys([.char("o")], &s), [.runs(.open("beta-distill"))])
        XCTAssertEqual(keys([.up, .char(" ")], &s), []); XCTAssertEqual(s.runs.marked, ["alpha"]); XCTAssertEqual(s.runs.selected, 1)
        XCTAssertEqual(keys([.char("v")], &s), []); XCTAssertEqual(s.message?.error, true, "one mark is not an overlay")
        XCTAssertEqual(keys([.char(" ")], &s), []); XCTAssertEqual(s.runs.marked, ["alpha", "beta-distill"])
        XCTAssertEqual(keys([.char("j"), .char(" ")], &s), []); XCTAssertEqual(s.runs.marked, ["alpha", "beta-distill"], "unreadable runs are not marked")
        XCTAssertEqual(keys([.char("v")], &s), [.runs(.overlay(["alpha", "beta-distill"]))])
        XCTAssertEqual(keys([.char("r")], &s), [.runs(.scan)])
        s.runs.view = .overlay([curves("alpha", [0.5])])
        XCTAssertEqual(keys([.char("x"), .char("j")], &s), []); XCTAssertFalse(s.runs.isList); XCTAssertNil(s.runs.confirmDelete)
        XCTAssertEqual(keys([.escape], &s), []); XCTAssertTrue(s.runs.isList)
        s.runs.view = .run(curves("alpha", [0.5]))
        XCTAssertEqual(keys([.backspace], &s), []); XCTAssertTrue(s.runs.isList)
        XCTAssertEqual(keys([.char("1")], &s), []); XCTAssertEqual(s.tab, .training, "tab keys still switch")
        XCTAssertEqual(keys([.char("5"), .char("q")], &s), [.quit])
    }

    func testDeleteAsksAndOnlyYDeletes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retort-runs-tab-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        for n in ["keepme", "mine"] {
            let d = root.appendingPathComponent(n)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try #"{"epochs":1,"model":"mlp"}"#.write(to: d.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            try "step,epoch,test_loss,test_accuracy\n5,1,0.5,0.9\n".write(to: d.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        }
        let catalog = RunCatalog(root: root.path, active: ["mine"])
        var s = UIState(); s.tab = .runs
        RunsActions.perform(.scan, state: &s, catalog: catalog)
        XCTAssertEqual(Set(s.runs.list.map(\.name)), ["keepme", "mine"])
        func exists(_ n: String) -> Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent(n).path) }
        func press(_ k: Key) { for e in Controller.handle(k, state: &s, panel: []) { if case .runs(let r) = e { RunsActions.perform(r, state: &s, catalog: catalog) } } }
        s.runs.selected = s.runs.list.firstIndex { $0.name == "keepme" }!
        press(.char("x"))
        XCTAssertEqual(s.runs.confirmDelete, "keepme"); XCTAssertEqual(s.message?.text, "delete keepme? y/n")
        XCTAssertTrue(screen.render(s, training: nil, width: 80, height: 24).contains("delete keepme? y/n"))
        press(.char("n"))
        XCTAssertTrue(exists("keepme")); XCTAssertNil(s.runs.confirmDelete); XCTAssertEqual(s.message?.text, "kept keepme")
        press(.delete); press(.escape)
        XCTAssertTrue(exists("keepme"))
        press(.char("x")); press(.char("y"))
        XCTAssertFalse(exists("keepme")); XCTAssertEqual(s.message?.text, "deleted keepme")
        XCTAssertEqual(s.runs.list.map(\.name), ["mine"])
        XCTAssertEqual(s.runs.list[0].state, .finished, "the session's own run reads finished once its epochs are done")
        press(.char("x")); press(.char("y"))
        XCTAssertTrue(exists("mine"), "a run of this session is never deleted")
        XCTAssertEqual(s.message?.text, "mine is open in this session: not deleted")
        press(.enter)
        guard case .run(let c) = s.runs.view else { return XCTFail("Enter opens the run") }
        XCTAssertEqual(c.metrics.rows.count, 1)
    }
}

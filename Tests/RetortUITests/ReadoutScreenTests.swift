import Foundation
import RetortUI
import RunKit
import TrainEngine
import Workbench
import XCTest

/// Issue 17's readouts and legends on the rendered screen (InMemoryBackend-sized grids):
/// each at 80×24 (charts keep their axes) and 200×60.
final class ReadoutScreenTests: XCTestCase {
    let screen = Screen(glyphs: .unicodeSet, colour: true)

    /// 30 steps at lr 0.1, then 30 at 0.05 (a short real training job).
    func training() throws -> TrainingSnapshot {
        var c = TrainConfig(); c.data = .digits; c.model = .mlp; c.epochs = 5; c.testCount = 300; c.threads = 1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-readout-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let job = TrainingWorkbenchJob(job: try TrainingJob(config: c, dataDirectory: ScreenTests.dataDir, log: nil), runFolder: dir)
        for _ in 0..<30 { try job.advance() }
        _ = try job.handle(.set(name: "lr", value: "0.05"))
        for _ in 0..<30 { try job.advance() }
        return job.snapshot(state: .running, messages: [], elapsed: 75)
    }

    func testTrainingShowsGradientNormETAAndAtTallSizesTheLRAndGradientCharts() throws {
        let t = try training()
        let small = screen.render(UIState(), training: t, width: 80, height: 24)
        XCTAssertNotNil(small.text.range(of: #"‖g‖ [0-9]"#, options: .regularExpression), small.text)
        XCTAssertNotNil(small.text.range(of: #"ETA \d\d:\d\d:\d\d"#, options: .regularExpression), small.text)
        // a chart's axis corner has its tick labels' margin on its left: " └─" (a box corner does not)
        func axes(_ g: CellGrid) -> Int { (0..<g.height).reduce(0) { $0 + g.row($1).components(separatedBy: " └─").count - 1 } }
        XCTAssertEqual(axes(small), 2, "loss and accuracy keep their axes at 80×24\n" + small.text)
        let big = screen.render(UIState(), training: t, width: 200, height: 60)
        XCTAssertTrue(big.contains("lr (current)") && big.contains("Gradient norm ‖g‖"), big.text)
        XCTAssertTrue(big.row(0).contains("ETA "), big.row(0))
        XCTAssertEqual(axes(big), 4, big.text)
    }

    func testTheChartCursorReadsStepAndValues() throws {
        let t = try training()
        var s = UIState()
        _ = Controller.handle(.char("<"), state: &s, panel: t.hyper)
        XCTAssertEqual(s.chartCursor, ChartCursor.positions)
        for _ in 0..<ChartCursor.positions { _ = Controller.handle(.char("<"), state: &s, panel: t.hyper) }
        XCTAssertEqual(s.chartCursor, 0, "stops at the oldest point")
        let g = screen.render(s, training: t, width: 200, height: 60)
        let loss = try XCTUnwrap(g.text.range(of: #"Loss · step (\d+): step [0-9.]+ train"#, options: .regularExpression), g.text)
        XCTAssertTrue(g.text[loss].hasPrefix("Loss · step 1:"), String(g.text[loss]))
        XCTAssertTrue(g.contains("Accuracy · step 1: train – test –"), "no epoch finished by step 1\n" + g.text)
        XCTAssertTrue(g.contains("Loss · step 1: step ") && g.contains(" train – test –"), g.text)
        XCTAssertTrue(g.contains("lr (current) · step 1: "), g.text)
        s.chartCursor = ChartCursor.positions - 1
        _ = Controller.handle(.char(">"), state: &s, panel: t.hyper)
        XCTAssertTrue(screen.render(s, training: t, width: 80, height: 24).contains("Loss · step 60:"))
        _ = Controller.handle(.char(">"), state: &s, panel: t.hyper)
        XCTAssertNil(s.chartCursor, "> past the newest point hides it")
        XCTAssertFalse(screen.render(s, training: t, width: 80, height: 24).contains("Loss · step"))
    }

    func testEveryTabsHelpExplainsItsStatesAndSigns() {
        var s = UIState(); s.showHelp = true
        for (tab, words) in [(Tab.accelerator, ["stall-bw", "speed", "map NN%", "energy"]), (.training, ["–: not measured yet", "‖g‖"]),
                             (.distill, ["out[1,1]", "collapse"]), (.attention, ["mask %", "RUINED"])] {
            s.tab = tab
            let g = screen.render(s, training: nil, width: 200, height: 60)
            for w in words { XCTAssertTrue(g.contains(w), "\(tab): \(w)\n" + g.text) }
        }
    }

    func testHelpScrollsToItsLegendAt80x24() {
        var s = UIState(); s.tab = .accelerator
        _ = Controller.handle(.char("?"), state: &s, panel: [])
        let top = screen.render(s, training: nil, width: 80, height: 24)
        XCTAssertFalse(top.contains("stall-bw"), "the legend follows the keys")
        XCTAssertTrue(top.contains("PgDn scroll (1–20 of"), top.text)
        _ = Controller.handle(.end, state: &s, panel: [])
        let end = screen.render(s, training: nil, width: 80, height: 24)
        XCTAssertTrue(end.contains("stall-bw"), end.text)
        _ = Controller.handle(.escape, state: &s, panel: [])
        XCTAssertEqual(s.helpScroll, 0)
    }

    func testMessagesAreCutWithAnEllipsis() {
        var s = UIState()
        s.message = (String(repeating: "long message ", count: 10) + "END", false)
        let g = screen.render(s, training: nil, width: 80, height: 24)
        XCTAssertTrue(g.row(22).hasSuffix("…"), g.row(22))
        XCTAssertFalse(g.contains("END"))
    }

    func testAcceleratorTablesAndDRAM() throws {
        let a = try AcceleratorWorkbenchJob().snapshot(state: .paused, messages: [], elapsed: 0)
        var s = UIState(); s.tab = .accelerator
        for (w, h) in [(80, 24), (200, 60)] {
            s.acceleratorView = .gantt
            XCTAssertTrue(screen.render(s, training: nil, accelerator: a, width: w, height: h).contains("Pipeline, layer"))
            XCTAssertEqual(Controller.handle(.char("c"), state: &s, panel: a.settings), [])
            XCTAssertEqual(s.acceleratorView, .layers)
            let layers = screen.render(s, training: nil, accelerator: a, width: w, height: h)
            XCTAssertTrue(layers.contains("Cycles per layer") && layers.contains("% of run"), layers.text)
            _ = Controller.handle(.char("c"), state: &s, panel: a.settings)
            let units = screen.render(s, training: nil, accelerator: a, width: w, height: h)
            XCTAssertTrue(units.contains("map %") && units.contains("energy µJ"), units.text)
            if h == 60 {
                XCTAssertTrue(layers.contains("L11"), layers.text)
                XCTAssertTrue(units.contains("SA-General[0]") && units.contains("static"), units.text)
                XCTAssertTrue(units.contains("DRAM ") && units.contains(" read, "), units.text)
            }
        }
    }

    func testDistillCollapseWarningOnTheAccuracyChart() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retort-collapse-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DistillWorkbenchJob.create(options: [("method", "full"), ("data", "digits"), ("model", "mlp"), ("epochs", "1"), ("threads", "1")],
                                                 dataDirectory: ScreenTests.dataDir, runRoot: root.path, runName: "c")
        var d = job.snapshot(state: .paused, messages: [], elapsed: 0)
        var s = UIState(); s.tab = .distill
        XCTAssertFalse(screen.render(s, training: nil, distill: d, width: 80, height: 24).contains("COLLAPSE"))
        d.collapse = DistillWorkbenchJob.collapseWarning(best: 0.9, last: 0.5, points: 10)
        for (w, h) in [(80, 24), (200, 60)] {
            let g = screen.render(s, training: nil, distill: d, width: w, height: h)
            XCTAssertTrue(g.contains(w == 80 ? "COLLAPSE: student" : "COLLAPSE: student test accuracy 50.00%"), g.text)
            // at 80×24 too the curves keep their axes (the bottom panels make room)
            XCTAssertFalse(g.contains("(too small)"), g.text)
        }
        XCTAssertTrue(d.settings.contains { $0.name == "collapse" })
    }

    func testAttentionMaskDensityRuinedRunsAndQueueKeys() {
        var a = AttentionSnapshot()
        a.state = .running; a.currentRun = 1; a.kind = "taylor-sparse"; a.maskDensity = 0.25; a.totalEpochs = 3
        a.lr = 1.255e-06; a.sparseThreshold = 0.002   // a long lr line must not push the density off
        a.runs = [AttentionRunView(index: 1, kind: "taylor-sparse", status: .running), AttentionRunView(index: 2, kind: "softmax")]
        a.ruined = [1: "run 1 (taylor-sparse) looks ruined: loss 1e+04 > 1000"]
        var s = UIState(); s.tab = .attention
        for (w, h) in [(80, 24), (200, 60)] {
            let g = screen.render(s, training: nil, attention: a, width: w, height: h)
            XCTAssertTrue(g.contains("mask 25.0%"), g.text)
            XCTAssertTrue(g.contains("RUINED"), g.text)
        }
        XCTAssertEqual(Controller.handle(.char("x"), state: &s, panel: []), [.command(.set(name: "remove", value: "last"))])
        for (line, effect) in [("remove 3", JobCommand.set(name: "remove", value: "3")), ("up 2", .set(name: "up", value: "2")), ("down 2", .set(name: "down", value: "2"))] {
            s.commandLine = line
            XCTAssertEqual(Controller.handle(.enter, state: &s, panel: []), [.command(effect)], line)
        }
        s.commandLine = "remove two"
        XCTAssertEqual(Controller.handle(.enter, state: &s, panel: []), [])
        XCTAssertEqual(s.message?.error, true)
        s.tab = .accelerator; s.commandLine = "export t.csv"
        XCTAssertEqual(Controller.handle(.enter, state: &s, panel: []), [.command(.set(name: "export", value: "t.csv"))])
    }

    func runs() -> [RunSummary] {
        [RunSummary(name: "b-train", engine: .train, date: Date(timeIntervalSince1970: 100), state: .finished, epochsDone: 4, epochsTotal: 4, bestTestAccuracy: 0.9),
         RunSummary(name: "a-distill", engine: .distill, date: Date(timeIntervalSince1970: 300), state: .finished, epochsDone: 2, epochsTotal: 2, bestTestAccuracy: 0.95),
         RunSummary(name: "c-train", engine: .train, date: Date(timeIntervalSince1970: 200), state: .finished, epochsDone: 1, epochsTotal: 8, bestTestAccuracy: 0.5)]
    }

    func testRunsFilterAndSort() {
        var s = UIState(); s.tab = .runs; s.runs.all = runs(); s.runs.list = runs()
        _ = Controller.handle(.char("/"), state: &s, panel: [])
        XCTAssertEqual(s.commandLine, "filter ")
        for k in "train".map({ Key.char($0) }) + [.enter] { _ = Controller.handle(k, state: &s, panel: []) }
        XCTAssertEqual(s.runs.list.map(\.name), ["b-train", "c-train"])
        XCTAssertEqual(s.message?.text, "2 of 3 runs · filter 'train'")
        s.commandLine = "filter DISTILL"
        _ = Controller.handle(.enter, state: &s, panel: [])
        XCTAssertEqual(s.runs.list.map(\.name), ["a-distill"], "engine, any case")
        s.commandLine = "filter"
        _ = Controller.handle(.enter, state: &s, panel: [])
        XCTAssertEqual(s.runs.list.count, 3)
        _ = Controller.handle(.char("S"), state: &s, panel: [])
        XCTAssertEqual(s.runs.list.map(\.name), ["a-distill", "b-train", "c-train"])
        _ = Controller.handle(.char("S"), state: &s, panel: [])
        XCTAssertEqual(s.runs.list.map(\.name), ["a-distill", "c-train", "b-train"], "newest first")
        s.commandLine = "sort acc"
        _ = Controller.handle(.enter, state: &s, panel: [])
        XCTAssertEqual(s.runs.list.map(\.name), ["a-distill", "b-train", "c-train"])
        let g = screen.render(s, training: nil, width: 120, height: 30)
        XCTAssertTrue(g.contains("sorted by best accuracy"), g.text)
        s.tab = .training; s.commandLine = "sort name"
        _ = Controller.handle(.enter, state: &s, panel: [])
        XCTAssertEqual(s.message?.error, true)
    }

    func testOpenedRunShowsItsSettingChangesAndTheOverlayNormalisesX() {
        var c = RunCurves(name: "b-train", engine: .train, metrics: RunTable(columns: ["epoch", "step", "test_accuracy", "test_loss"],
                                                                         rows: [[1, 10, 0.5, 1], [2, 20, 0.7, 0.8], [4, 40, 0.9, 0.5]]),
                          steps: nil, config: [("lr", "0.1")])
        c.settingChanges = [RunSettingChange(step: 12, name: "lr", from: "0.1", to: "0.02")]
        var s = UIState(); s.tab = .runs; s.runs.all = runs(); s.runs.list = runs(); s.runs.view = .run(c)
        let g = screen.render(s, training: nil, width: 80, height: 24)
        XCTAssertTrue(g.contains("hparams.csv: 1 change") && g.contains("step 12: lr 0.1 → 0.02"), g.text)
        let d = RunCurves(name: "c-train", engine: .train, metrics: RunTable(columns: ["epoch", "step", "test_accuracy", "test_loss"],
                                                                         rows: [[1, 10, 0.5, 1]]), steps: nil, config: [])
        s.runs.view = .overlay([c, d])
        XCTAssertTrue(screen.render(s, training: nil, width: 120, height: 30).contains("epoch"))
        _ = Controller.handle(.char("f"), state: &s, panel: [])
        XCTAssertTrue(s.runs.overlayByFraction)
        let f = screen.render(s, training: nil, width: 120, height: 30)
        XCTAssertTrue(f.contains("vs fraction of training"), f.text)
        XCTAssertTrue(f.contains("0.5") && f.contains("1"), "x ticks within 0…1\n" + f.text)
    }
}

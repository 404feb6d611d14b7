import Foundation
import RetortUI
import RunKit
import TrainEngine
import Workbench
import XCTest

/// The whole screen rendered from a real (short) training job's snapshot.
final class ScreenTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-data").path

    func snapshot(steps: Int) throws -> TrainingSnapshot {
        var c = TrainConfig(); c.data = .digits; c.model = .mlp; c.epochs = 5; c.testCount = 300; c.threads = 1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-screen-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let job = TrainingWorkbenchJob(job: try TrainingJob(config: c, dataDirectory: Self.dataDir, log: nil), runFolder: dir)
        for _ in 0..<steps { try job.advance() }
        _ = try job.handle(.set(name: "lr", value: "0.05"))
        for _ in 0..<steps { try job.advance() }
        return job.snapshot(state: .running, messages: [JobMessage(.info, "lr 0.1 → 0.05", step: steps)], elapsed: 75)
    }

    func testTrainingTabAt80x24And200x60() throws {
        let snap = try snapshot(steps: 30)
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let g = Screen(glyphs: .unicodeSet, colour: true).render(UIState(), training: snap, width: w, height: h)
            XCTAssertEqual(g.width, w); XCTAssertEqual(g.height, h)
            XCTAssertTrue(g.row(0).contains("RUNNING"), g.text)
            XCTAssertTrue(g.row(0).contains("00:01:15"))
            XCTAssertTrue(g.row(1).contains("1 Training"))
            XCTAssertTrue(g.contains("Loss") && g.contains("Accuracy"))
            XCTAssertTrue(g.contains("Hyperparameters (live)"))
            XCTAssertTrue(g.contains("› lr              0.05"), g.text)
            XCTAssertTrue(g.contains("┆"), "marker where lr changed")
            XCTAssertTrue(g.row(h - 1).hasPrefix("? help"))
        }
    }

    func testTooSmallHelpAndMissingEngines() throws {
        let snap = try snapshot(steps: 5)
        let tiny = Screen(glyphs: .unicodeSet, colour: true).render(UIState(), training: snap, width: 79, height: 24)
        XCTAssertTrue(tiny.contains("terminal too small: need 80×24, have 79×24"))
        let minute = Screen(glyphs: .unicodeSet, colour: true).render(UIState(), training: snap, width: 12, height: 3)
        XCTAssertTrue(minute.contains("too small"))
        XCTAssertEqual(Screen(glyphs: .unicodeSet, colour: true).render(UIState(), training: snap, width: 0, height: 0).cells.count, 0)
        var s = UIState(); s.showHelp = true
        let help = Screen(glyphs: .unicodeSet, colour: true).render(s, training: snap, width: 100, height: 30)
        XCTAssertTrue(help.contains("Keys — ? or Esc closes"))
        for (k, _) in KeyHelp.entries(for: .training) { XCTAssertTrue(help.contains(k), k) }
        s.showHelp = false; s.tab = .runs
        XCTAssertTrue(Screen(glyphs: .unicodeSet, colour: true).render(s, training: snap, width: 100, height: 30)
            .contains("No run folders here"))
        s.tab = .attention
        let waiting = Screen(glyphs: .unicodeSet, colour: true).render(s, training: snap, width: 100, height: 30)
        XCTAssertTrue(waiting.contains("starting the ViT runs"))
        XCTAssertFalse(waiting.contains("not part of this build"))
        s.tab = .distill
        XCTAssertTrue(Screen(glyphs: .unicodeSet, colour: true).render(s, training: snap, width: 100, height: 30)
            .contains("starting the NetDistiller run"))
        s.tab = .accelerator
        XCTAssertTrue(Screen(glyphs: .unicodeSet, colour: true).render(s, training: snap, width: 100, height: 30)
            .contains("building the simulation"))
    }

    func testASCIIGlyphsStayASCII() throws {
        let snap = try snapshot(steps: 10)
        let g = Screen(glyphs: .asciiSet, colour: false).render(UIState(), training: snap, width: 100, height: 30)
        // no box drawing, block or braille glyphs (U+2500–U+28FF)
        let drawn = g.cells.filter { (0x2500...0x28FF).contains($0.char.unicodeScalars.first!.value) }.map(\.char)
        XCTAssertEqual(drawn, [], g.text)
        XCTAssertTrue(g.contains("> lr"))
    }
}

/// The Accelerator tab rendered from a real simulation at several sizes and cycles.
final class AcceleratorTabTests: XCTestCase {
    func testRendersAtEverySizeAndCycle() throws {
        let job = try AcceleratorWorkbenchJob()
        var s = UIState(); s.tab = .accelerator
        for cycle in ["0", "3000", "end"] {
            _ = try job.handle(.set(name: "goto", value: cycle))
            let a = job.snapshot(state: .paused, messages: [], elapsed: 0)
            for (w, h) in [(80, 24), (120, 40), (200, 60)] {
                let g = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, accelerator: a, width: w, height: h)
                XCTAssertTrue(g.contains("SA-General 64×64"), g.text)
                XCTAssertTrue(g.contains("cycle \(a.cycle) / 58860"), g.text)
                XCTAssertTrue(g.contains("Pipeline, layer"))
            }
        }
        XCTAssertEqual(job.snapshot(state: .paused, messages: [], elapsed: 0).cycle, 58860)
        XCTAssertThrowsError(try job.handle(.set(name: "sa", value: "0"))) { XCTAssertEqual("\($0)", "sa: must be in 4…256, got 0") }
        XCTAssertThrowsError(try job.handle(.set(name: "break", value: "nostage"))) { XCTAssertTrue("\($0)".hasPrefix("break: unknown stage 'nostage'")) }
        XCTAssertEqual(try job.handle(.set(name: "sa", value: "32")), "sa = 32: re-simulating… (Esc or :cancel cancels)")
        while job.continueBackgroundWork() {}
        XCTAssertTrue(job.takeNotes().first?.1.hasPrefix("sa = 32: re-simulated, \(job.snapshot(state: .paused, messages: [], elapsed: 0).totalCycles) cycles") == true)
    }
}

/// Issue 17: the Accelerator tab's numbers are correct and labelled.
final class AcceleratorTabNumbersTests: XCTestCase {
    func render(_ a: AcceleratorSnapshot, _ w: Int = 160, _ h: Int = 50) -> CellGrid {
        var s = UIState(); s.tab = .accelerator
        return Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, accelerator: a, width: w, height: h)
    }

    func testHeatmapTitleCountsCyclesPerScreenColumn() throws {
        let a = try AcceleratorWorkbenchJob().snapshot(state: .paused, messages: [], elapsed: 0)
        let text = render(a, 120, 40).text
        let title = try XCTUnwrap(text.range(of: #"\(\d+ cycles/column\)"#, options: .regularExpression))
        let perColumn = try XCTUnwrap(Int(text[title].dropFirst().prefix { $0.isNumber }))
        // the heatmap is narrower than the screen, so a column covers more than total/width cycles
        XCTAssertGreaterThan(perColumn, a.totalCycles / 120, String(text[title]))
        XCTAssertLessThan(perColumn, a.totalCycles / 40)
    }

    func testComparisonSaysWhichIsFasterInBothModes() throws {
        let job = try AcceleratorWorkbenchJob()
        let taylor = render(job.snapshot(state: .paused, messages: [], elapsed: 0))
        XCTAssertTrue(taylor.contains("× faster than softmax"), taylor.text)
        _ = try job.handle(.set(name: "attention", value: "softmax"))
        let pending = render(job.snapshot(state: .paused, messages: [], elapsed: 0))
        XCTAssertTrue(pending.contains("simulating… 0% (Esc/:cancel cancels) attention = softmax"), pending.text)
        while job.continueBackgroundWork() {}
        let softmax = job.snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertEqual(softmax.attention, "softmax")
        let g = render(softmax)
        XCTAssertTrue(g.contains("× faster than softmax"), g.text)
        XCTAssertFalse(g.contains("vs taylor"), g.text)
        XCTAssertFalse(g.contains("simulating…"), g.text)
    }

    func testGanttHeadRowsSortNumerically() throws {
        let job = try AcceleratorWorkbenchJob()
        _ = try job.handle(.set(name: "model", value: "deit-base"))
        while job.continueBackgroundWork() {}
        _ = try job.handle(.set(name: "goto", value: "3000"))
        let a = job.snapshot(state: .paused, messages: [], elapsed: 0)
        XCTAssertTrue(Set(a.gantt.map(\.row)).isSuperset(of: ["H2", "H10"]))
        let lines = render(a, 160, 60).text.split(separator: "\n").map(String.init)
        func row(_ label: String) -> Int? { lines.firstIndex { $0.contains("│\(label) ") } }
        let h2 = try XCTUnwrap(row("H2")), h10 = try XCTUnwrap(row("H10")), h9 = try XCTUnwrap(row("H9"))
        XCTAssertLessThan(h2, h9)
        XCTAssertLessThan(h9, h10)
    }
}

/// The Attention tab rendered from a synthetic snapshot (three runs, diagnostics, ops, scaling).
final class AttentionTabTests: XCTestCase {
    func snapshot() -> AttentionSnapshot {
        var a = AttentionSnapshot()
        a.modelName = "vit-digits"; a.dataName = "digits_8x8.csv.gz"; a.seed = 1
        a.tokens = 17; a.heads = 4; a.headDim = 16; a.layers = 4; a.parameterCount = 201_354
        a.state = .running; a.currentRun = 2; a.kind = "taylor"; a.epoch = 3; a.totalEpochs = 30; a.step = 150; a.stepsPerEpoch = 47
        a.samplesPerSecond = 1500; a.lr = 0.0019; a.baseLR = 0.001; a.sparseThreshold = 0.002; a.elapsed = 60
        func series(_ n: Int, every: Int = 1, _ f: (Double) -> Double) -> DownsampledSeries {
            var s = DownsampledSeries(name: "s", capacity: 64)
            for i in stride(from: every, through: n, by: every) { s.append(x: Double(i), f(Double(i))) }
            return s
        }
        a.runs = [
            AttentionRunView(index: 1, kind: "softmax", status: .finished, runFolder: "/tmp/r1", step: 1410, epoch: 30,
                             trainLoss: series(1410) { (x: Double) -> Double in 2.3 * exp(-x / 300) + 0.1 }, testAccuracy: series(1410, every: 47) { (x: Double) -> Double in 0.97 - 0.8 * exp(-x / 200) },
                             lastTestAccuracy: 0.967, bestTestAccuracy: 0.971),
            AttentionRunView(index: 2, kind: "taylor", status: .running, runFolder: "/tmp/r2", step: 150, epoch: 3,
                             trainLoss: series(150) { (x: Double) -> Double in 2.3 * exp(-x / 350) + 0.2 }, testAccuracy: series(141, every: 47) { (x: Double) -> Double in 0.9 - 0.8 * exp(-x / 250) },
                             lastTestAccuracy: 0.61, bestTestAccuracy: 0.61),
            AttentionRunView(index: 3, kind: "taylor-sparse", status: .queued),
        ]
        let errors: [[Double]] = (0..<4).map { (l: Int) -> [Double] in (0..<4).map { (h: Int) -> Double in 0.05 * Double(l + 1) + 0.01 * Double(h) } }
        let counts: [Double] = (0..<32).map { (i: Int) -> Double in let z = (Double(i) - 15.5) / 5; return 1000 * exp(-z * z) }
        a.diagnostics = AttentionDiagnosticsView(
            run: 2, kind: "taylor", step: 141, epoch: 3, images: 64, layerErrors: [0.061, 0.112, 0.163, 0.214], headErrors: errors,
            centredCounts: counts, lower: -4, upper: 4, below: 3, above: 5,
            centredShareOutside: 0.123, rawShareOutside: 0.2, negativeWeightShare: 0.004, layerNegativeShares: [0, 0.002, 0.005, 0.009])
        a.opRows = [AttentionOpRow(name: "MACs", softmax: 36992, taylor: 35904), AttentionOpRow(name: "mults", softmax: 1156, taylor: 64),
                    AttentionOpRow(name: "exps", softmax: 1156, taylor: 0), AttentionOpRow(name: "divs", softmax: 1156, taylor: 1152),
                    AttentionOpRow(name: "adds", softmax: 2312, taylor: 5508), AttentionOpRow(name: "cmps", softmax: 1156, taylor: 0),
                    AttentionOpRow(name: "storage", softmax: 1156, taylor: 1024)]
        a.linearMACs = 835_584
        let times: [(Int, Double, Double)] = [(16, 0.010, 0.020), (32, 0.030, 0.031), (64, 0.110, 0.052), (128, 0.420, 0.101), (256, 1.700, 0.205)]
        a.scaling = times.map { AttentionScalingPoint(tokens: $0.0, softmaxMs: $0.1, taylorMs: $0.2) }
        a.crossover = 64
        a.settings = [
            SettingRow(name: "kind", value: "taylor-sparse", kind: .choice(["softmax", "taylor", "taylor-sparse", "taylor-repo"]),
                         help: "each change queues one more run"),
            SettingRow(name: "sparse_threshold", value: "0.002", kind: .number(min: 0, max: 1, minInclusive: false, logScale: true), help: "τ"),
            SettingRow(name: "lr", value: "0.001", kind: .number(min: 0, max: 10, minInclusive: false, logScale: true), help: "base lr"),
        ]
        a.changes = [AttentionSettingChange(run: 2, step: 100, name: "lr", from: "0.002", to: "0.001")]
        return a
    }

    func testRendersAtEverySizeWithTheKeyPanels() {
        var s = UIState(); s.tab = .attention
        let a = snapshot()
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let g = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, attention: a, width: w, height: h)
            XCTAssertTrue(g.row(1).contains("3 Attention"))
            for label in ["Train loss per run", "Test accuracy", "Centred logits", "run 2/3: taylor", "3 taylor-sparse", "queued",
                          "Attention settings (live)", "› kind", "sparse_threshold", "L3"] {
                XCTAssertTrue(g.contains(label), "\(w)×\(h): '\(label)' missing\n\(g.text)")
            }
            XCTAssertTrue(g.contains("┆"), "marker where lr changed (\(w)×\(h))")
            XCTAssertFalse(g.contains("not part of this build"))
            if ProcessInfo.processInfo.environment["RETORT_PRINT_SCREENS"] != nil { print(g.text) }
            guard h >= 40 else { continue }
            for label in ["Centred logits: 12.3% outside [-1,1)", "‖Z_T−Z_S‖/‖Z_S‖ per layer × head", "run 2 taylor, epoch 3, 64 test images", "0.230", "0.214",
                          "Ops/layer/image n=17 d=16 H=4", "36992", "35904", "1.03×", "∞", "storage", "neg. weights 0.4%", "ms vs n · Taylor faster for n ≥ 64", "softmax ms", "run 2 step 100: lr 0.002 → 0.001"] {
                XCTAssertTrue(g.contains(label), "\(w)×\(h): '\(label)' missing\n\(g.text)")
            }
        }
        let ascii = Screen(glyphs: .asciiSet, colour: false).render(s, training: nil, attention: a, width: 120, height: 40)
        XCTAssertEqual(ascii.cells.filter { (0x2500...0x28FF).contains($0.char.unicodeScalars.first!.value) }.map(\.char), [], ascii.text)
        XCTAssertTrue(ascii.contains("> kind"))
    }

    func testBeforeTheFirstStepThePanelsSayWhatIsMissing() {
        var a = snapshot()
        a.diagnostics = nil; a.scaling = []; a.crossover = nil; a.currentRun = 1; a.kind = "softmax"; a.step = 0; a.epoch = 0
        a.runs = ["softmax", "taylor", "taylor-sparse"].enumerated().map { AttentionRunView(index: $0.offset + 1, kind: $0.element) }
        var s = UIState(); s.tab = .attention
        let g = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, attention: a, width: 120, height: 40)
        XCTAssertTrue(g.contains("measured when a run starts"), g.text)
        XCTAssertTrue(g.contains("timed once at the first step"), g.text)
        XCTAssertTrue(g.contains("run 1/3: softmax"), g.text)
        XCTAssertTrue(g.contains("epoch 1/30 · step 0"), g.text)
        XCTAssertTrue(g.contains("waiting for data"), g.text)
    }
}

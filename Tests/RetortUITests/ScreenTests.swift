import Foundation
import RetortUI
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
        for (k, _) in KeyHelp.entries { XCTAssertTrue(help.contains(k), k) }
        s.showHelp = false; s.tab = .attention
        XCTAssertTrue(Screen(glyphs: .unicodeSet, colour: true).render(s, training: snap, width: 100, height: 30)
            .contains("The Attention engine is not part of this build yet."))
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
        XCTAssertEqual(try job.handle(.set(name: "sa", value: "32")), "sa = 32: re-simulated, \(job.snapshot(state: .paused, messages: [], elapsed: 0).totalCycles) cycles")
    }
}

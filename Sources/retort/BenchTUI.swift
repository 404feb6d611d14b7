import ArgumentParser
import Foundation
import RetortUI
import RunKit
import TrainEngine
import Workbench

/// Frame rendering cost of the TUI (cell grid only, no terminal) on a real snapshot.
struct BenchTUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui", abstract: "Time rendering a full TUI frame into the cell grid (no terminal needed).")

    @Option(help: "Frame width.") var width: Int = 200
    @Option(help: "Frame height.") var height: Int = 60
    @Option(help: "Frames to render.") var frames: Int = 500
    @Option(help: "Training steps before rendering (more data in the charts; default 2000, 300 for the attention tab).") var steps: Int?
    /// `--tab`: the tab rendered.
    enum Tab: String, ExpressibleByArgument, CaseIterable { case training, attention }

    @Option(help: "Tab to render (attention: a ViT queue on the digits).") var tab: Tab = .training

    func validate() throws {
        guard (steps ?? 1) >= 0, width >= 1, height >= 1, frames >= 1 else { throw ValidationError("--steps must be ≥ 0 and --width, --height, --frames ≥ 1") }
        guard width <= 4096, height <= 4096, frames <= 1_000_000, (steps ?? 0) <= 10_000_000 else {
            throw ValidationError("--width and --height must be at most 4096, --frames at most 1000000, --steps at most 10000000")
        }
    }

    func run() throws {
        guard let dir = DataLocator.find(explicit: nil) else { fail("data folder not found") }
        if tab == .attention { return try attention(dir) }
        let steps = self.steps ?? 2000
        var c = TrainConfig(); c.data = .sample(.digits); c.model = .mlp; c.epochs = 1000; c.testCount = 300; c.threads = 1
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-tui-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = TrainingWorkbenchJob(job: try TrainingJob(config: c, dataDirectory: dir, log: nil), runFolder: folder)
        for i in 0..<steps {
            try job.advance()
            if i % 500 == 250 { _ = try job.handle(.set(name: "lr", value: i % 1000 == 250 ? "0.05" : "0.1")) }
        }
        let snap = job.snapshot(state: .running, messages: [], elapsed: 123)
        time("TUI frame", steps: steps) { Screen(glyphs: .unicodeSet, colour: true).render(UIState(), training: snap, width: width, height: height) }
    }

    /// The Attention tab on a real snapshot: three ViT runs on the digits (softmax, Taylor,
    /// Taylor-sparse) after `steps` steps in all, diagnostics, op table and kernel timings.
    func attention(_ dir: String) throws {
        let steps = self.steps ?? 300
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-tui-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try AttentionWorkbenchJob.create(options: [("data", "digits"), ("epochs", "2"), ("test-count", "300"), ("threads", "1")],
                                                   dataDirectory: dir, runRoot: folder.path)
        for _ in 0..<steps where !job.isFinished { try job.advance() }
        let snap = job.snapshot(state: .running, messages: [], elapsed: 123)
        var s = UIState(); s.tab = .attention
        time("TUI attention tab frame", steps: steps) { Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, attention: snap, width: width, height: height) }
    }

    func time(_ what: String, steps: Int, _ render: () -> CellGrid) {
        var times: [Double] = []
        var cells = 0
        for _ in 0..<frames {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let g = render()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            cells = g.cells.count
        }
        times.sort()
        print(String(format: "%@ %d×%d (%d cells, %d steps of data): median %.3f ms, p95 %.3f ms, max %.3f ms over %d frames",
                     what, width, height, cells, steps, times[times.count / 2], times[times.count * 95 / 100], times.last!, frames))
    }
}

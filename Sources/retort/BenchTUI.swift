import ArgumentParser
import Foundation
import RetortUI
import TrainEngine
import Workbench

/// Frame rendering cost of the TUI (cell grid only, no terminal) on a real snapshot.
struct BenchTUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui", abstract: "Time rendering a full TUI frame into the cell grid (no terminal needed).")

    @Option(help: "Frame width.") var width: Int = 200
    @Option(help: "Frame height.") var height: Int = 60
    @Option(help: "Frames to render.") var frames: Int = 500
    @Option(help: "Training steps before rendering (more data in the charts).") var steps: Int = 2000

    func run() throws {
        guard let dir = DataLocator.find(explicit: nil) else { fail("data folder not found") }
        var c = TrainConfig(); c.data = .digits; c.model = .mlp; c.epochs = 1000; c.testCount = 300; c.threads = 1
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-tui-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = TrainingWorkbenchJob(job: try TrainingJob(config: c, dataDirectory: dir, log: nil), runFolder: folder)
        for i in 0..<steps {
            try job.advance()
            if i % 500 == 250 { _ = try job.handle(.set(name: "lr", value: i % 1000 == 250 ? "0.05" : "0.1")) }
        }
        let snap = job.snapshot(state: .running, messages: [], elapsed: 123)
        let screen = Screen(glyphs: .unicodeSet, colour: true)
        var times: [Double] = []
        var cells = 0
        for _ in 0..<frames {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let g = screen.render(UIState(), training: snap, width: width, height: height)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            cells = g.cells.count
        }
        times.sort()
        print(String(format: "TUI frame %d×%d (%d cells, %d steps of data): median %.3f ms, p95 %.3f ms, max %.3f ms over %d frames",
                     width, height, cells, steps, times[times.count / 2], times[times.count * 95 / 100], times.last!, frames))
    }
}

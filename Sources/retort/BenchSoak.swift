import ArgumentParser
import Foundation
import RetortCore
import RetortData
import RunKit
import TrainEngine

/// `retort bench soak`: a long training run in one process — the digits MLP at batch 1 with
/// its metrics recorded, as a headless run writes them — reporting steps per second and the
/// resident memory at the start, the middle and the end. Memory must stay flat; the growth
/// is reported, never asserted (a benchmark, not a test).
struct BenchSoak: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Long training run (digits MLP, batch 1, metrics recorded): steps/s and resident memory at the start, middle and end.")

    static let maxSteps = 100_000_000

    @Option(help: "Training steps (1…\(maxSteps)).") var steps: Int = 1_000_000
    @Option(help: "Batch size (1…1000).") var batchSize: Int = 1
    @Option(help: "Folder for the run's metrics (default: a temporary folder, removed afterwards).") var dir: String?
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        guard (1...Self.maxSteps).contains(steps) else { throw ValidationError("--steps must be in 1…\(Self.maxSteps), got \(steps)") }
        guard (1...1000).contains(batchSize) else { throw ValidationError("--batch-size must be in 1…1000, got \(batchSize)") }
    }

    func run() throws {
        var c = TrainConfig()
        c.data = .digits; c.model = .mlp; c.threads = 1; c.seed = 1; c.batchSize = batchSize; c.testCount = 297
        c.lr = 0.1 * Float(batchSize) / 64   // the default lr is for batch 64: scaled linearly, batch 1 does not diverge
        let data: PreparedData
        do { data = try PreparedData.load(c.data, directory: dataOptions.directory(), testCount: c.testCount, seed: c.seed) } catch { fail("\(error)") }
        let perEpoch = (data.train.count + batchSize - 1) / batchSize
        c.epochs = (steps + perEpoch - 1) / perEpoch
        let temporary = dir == nil
        let folder = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("retort-bench-soak-\(getpid())")
        defer { if temporary { try? FileManager.default.removeItem(at: folder) } }
        let job: TrainingJob
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            job = try TrainingJob(config: c, data: data, log: try MetricsLog(folder: folder))
        } catch { fail("\(error)") }
        print("soak: \(steps) steps of \(job.model.name) on digits, batch \(batchSize) (\(perEpoch) steps per epoch, \(c.epochs) epochs), lr \(c.lr), 1 thread, metrics in \(temporary ? "a temporary folder" : folder.path)")
        fflush(nil)
        let middle = max(1, steps / 2)
        var marks: [(name: String, step: Int, rss: Double, peak: Double)] = []
        let t0 = DispatchTime.now().uptimeNanoseconds
        for i in 1...steps {
            let r = job.step()
            if let d = r.divergence { fail("soak: diverged at step \(d.step): \(d.what)") }
            if let f = r.logFailure { fail("soak: \(f)") }
            if i == 1 || i == middle || i == steps {
                let m = ProcessMemory.kib()
                if i == 1 { marks.append(("start", i, m.resident, m.peak)) }
                if i == middle { marks.append(("middle", i, m.resident, m.peak)) }
                if i == steps { marks.append(("end", i, m.resident, m.peak)) }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        print(String(format: "soak: %d steps in %.1f s, %.0f steps/s", steps, seconds, Double(steps) / seconds))
        print("soak: RSS " + marks.map { "\($0.name) \(Int($0.rss)) KiB (step \($0.step))" }.joined(separator: ", "))
        let start = marks.first!, mid = marks.first { $0.name == "middle" }!, end = marks.last!
        print(String(format: "soak: RSS growth start→end %+d KiB, middle→end %+d KiB; peak RSS %d KiB at the start, %d KiB at the end",
                     Int(end.rss - start.rss), Int(end.rss - mid.rss), Int(start.peak), Int(end.peak)))
    }
}

import ArgumentParser
import Distill
import Foundation
import RetortCore
import RetortData
import RunKit
import TrainEngine

/// One NetDistiller joint step of the tiny CNN, against the same step in PyTorch
/// (tools/pytorch/distill_bench.py).
struct BenchDistill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "ms per NetDistiller joint step of the tiny CNN (teacher + student fwd/bwd, entropy-weighted KD, whole-vector PCGrad, SGD); with --python, the same step in PyTorch and the ratio.")

    @OptionGroup var bench: TorchBenchOptions
    @Option(help: "Timed steps per repetition (best of 3).") var steps: Int = 20
    @Option(help: "Student width multiplier of the MNIST tiny CNN.") var studentWidth: Float = 0.5
    @Option(help: "Teacher output-width factor.") var teacherWidth: Float = 2
    @Option(help: "Teacher expand-ratio factor.") var teacherExpand: Float = 2
    @OptionGroup var dataOptions: DataOptions

    var batch: Int { bench.batch }
    var threads: Int { bench.threads }
    var python: String? { bench.python }

    func validate() throws {
        guard batch >= 2, steps >= 1 else { throw ValidationError("--batch must be ≥ 2 and --steps ≥ 1") }
    }

    func run() throws {
        let products = smallProducts(blasOnly: bench.blasOnly)
        let dir = dataOptions.directory()
        var c = DistillConfig.preset(.full)
        c.data = .sample(.mnist5k); c.model = .cnn; c.studentWidth = studentWidth
        c.teacherWidth = [teacherWidth]; c.teacherExpand = [teacherExpand]
        c.surgery = .symmetric; c.granularity = .whole; c.uncertainty = .entropy; c.lambda = 1; c.temperature = 2
        c.batchSize = batch; c.threads = threads; c.testCount = 100; c.epochs = 1000
        let job: DistillJob
        do { job = try DistillJob(config: c, dataDirectory: dir, log: nil) } catch { fail("\(error)") }
        print("NetDistiller joint step [R], tiny CNN \(job.net.name) student \(job.net.student), teacher \(job.net.teacher); batch \(batch), \(threads) threads; BLAS \(BLASRuntime.coreName)\(products)")
        print("  teacher fwd/bwd → G_t, entropy KD weights, student fwd/bwd (CE + KD, T=2) → G_s, whole-vector symmetric PCGrad (Double), g = G_s' + G_t', SGD Nesterov")
        /// Seconds of one step, skipping steps that end an epoch (they also evaluate).
        func timedStep() -> Double {
            while true {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let r = job.step(logEvery: 1 << 30)
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                if r.epochSummary == nil { return dt }
            }
        }
        for _ in 0..<3 { _ = timedStep() }
        var best = Double.infinity
        for _ in 0..<3 {
            var total = 0.0
            for _ in 0..<steps { total += timedStep() }
            best = min(best, total / Double(steps))
        }
        let ours = best * 1e3
        print(columns([("retort", 8)]) + String(format: "  %8.2f ms/step  %8.0f samples/s", ours, Double(batch) / best))
        guard let python else { return }
        let script = URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent("tools/pytorch/distill_bench.py").path
        guard FileManager.default.fileExists(atPath: script) else { fail("PyTorch script not found at \(script)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, "--threads", "\(threads)", "--batch", "\(batch)", "--steps", "\(steps)",
                       "--student-width", "\(studentWidth)", "--teacher-width", "\(teacherWidth)", "--teacher-expand", "\(teacherExpand)"]
        let pipe = Pipe(); p.standardOutput = pipe
        do { try p.run() } catch { fail("cannot run \(python): \(error.localizedDescription)") }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { fail("PyTorch benchmark failed (exit \(p.terminationStatus))") }
        guard let line = out.split(separator: "\n").last, let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let ms = obj["ms_per_step"] as? Double else { fail("PyTorch benchmark printed no result") }
        print(columns([("pytorch", 8)]) + String(format: "  %8.2f ms/step  %8.0f samples/s  (torch %@)", ms, Double(batch) * 1000 / ms, (obj["torch"] as? String) ?? "?"))
        print(String(format: "ratio    retort/pytorch time = %.2f× (%@)", ours / ms, ours < ms ? "retort faster" : "pytorch faster"))
    }
}

import ArgumentParser
import Attention
import Distill
import Foundation
import RetortCore
import RetortData
import RunKit
import TrainEngine

/// What the divergence guard costs per step in each engine, against the step itself, in
/// the same invocation: the guard's work (√Σg² over the parameters, a finiteness pass over
/// every weight and BatchNorm statistic, per-width ones included) timed on a trained-a-bit
/// job, and a training step of that job.
struct BenchGuard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard", abstract: "Divergence-guard cost per step against a step, for the training, distill and attention engines.")

    @Option(help: "Data set.") var data: SampleData = .digits
    @Option(help: "Steps timed per model (median reported).") var repeats: Int = 30
    @Option(help: "Threads.") var threads: Int = 1
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        guard repeats >= 3 && repeats <= 10_000 else { throw ValidationError("--repeats must be in 3…10000, got \(repeats)") }
        guard threads >= 1 && threads <= 256 else { throw ValidationError("--threads must be in 1…256, got \(threads)") }
    }

    func run() throws {
        let dir = dataOptions.directory()
        print("divergence guard on \(data.rawValue), \(threads) thread(s), median of \(repeats) steps; BLAS \(BLASRuntime.coreName)")
        print("engine / model".padding(toLength: 44, withPad: " ", startingAt: 0) + columns([("params", 9), ("guard µs", 9), ("step µs", 9), ("guard/step", 10)]))
        for kind in [TrainConfig.ModelKind.mlp, .cnn] {
            var c = TrainConfig(); c.data = .sample(data); c.model = kind; c.threads = threads
            let job = try TrainingJob(config: c, dataDirectory: dir, log: nil)
            report("train \(job.model.name)", job.model.parameters, step: { job.step() },
                   state: { job.model.buffers.allSatisfy { $0.tensor.isAllFinite } })
        }
        for kind in [TrainConfig.ModelKind.mlp, .cnn] {
            var c = DistillConfig.preset(.full); c.data = .sample(data); c.model = kind; c.threads = threads; c.epochs = 1000
            let job = try DistillJob(config: c, dataDirectory: dir, log: nil)
            report("distill \(kind.rawValue), teacher \(c.teacherWidth.map { String(format: "%g", Double($0)) }.joined(separator: ","))×", job.net.parameters, step: { job.step() }, state: {
                job.net.batchNorms.allSatisfy { bn in
                    bn.layer.runningMean.isAllFinite && bn.layer.runningVar.isAllFinite
                        && bn.layer.trackedWidths.allSatisfy { w in
                            let s = bn.layer.runningStatistics(width: w); return s.mean.isAllFinite && s.var.isAllFinite
                        }
                }
            })
        }
        var a = AttentionTrainConfig(); a.data = .sample(data); a.kind = .taylor; a.threads = threads; a.epochs = 1000
        let job = try AttentionJob(config: a, dataDirectory: dir, log: nil)
        report("attention \(a.model.name) taylor", job.model.parameters, step: { job.step() }, state: { true })
    }

    /// Steps the job a few times, then times `repeats` steps and `repeats` guard passes.
    func report(_ name: String, _ params: [Parameter], step: () -> Void, state: () -> Bool) {
        for _ in 0..<3 { step() }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        var steps: [Double] = [], guards: [Double] = []
        for _ in 0..<repeats {
            var t0 = DispatchTime.now().uptimeNanoseconds
            step()
            steps.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            t0 = DispatchTime.now().uptimeNanoseconds
            let g = params.reduce(0.0) { $0 + $1.grad.sumOfSquares }
            let ok = params.allSatisfy { $0.value.isAllFinite } && state()
            guards.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            if !g.isFinite || !ok { fail("\(name): non-finite state in the benchmark") }
        }
        let (gm, sm) = (median(guards), median(steps))
        print(String(name.prefix(43)).padding(toLength: 44, withPad: " ", startingAt: 0)
              + columns([("\(params.reduce(0) { $0 + $1.value.count })", 9)]) + String(format: " %9.1f %9.0f %9.2f%%", gm, sm, 100 * gm / sm))
    }
}

import ArgumentParser
import Foundation
import RetortData
import RunKit
import TrainEngine

/// Size of a training checkpoint and the time to write one (atomic: temporary file,
/// fsync, rename, fsync of the folder) and to read and verify one (CRC-32).
struct BenchCheckpoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Checkpoint size, write time (with fsync) and read+verify time for the MLP and the tiny CNN.")

    @Option(help: "Data set.") var data: SampleData = .mnist5k
    @Option(help: "Writes and reads timed per model (median reported).") var repeats: Int = 20
    @Option(help: "Folder to write the checkpoints in (its disk is what is measured; default: a temporary folder).") var dir: String?
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        guard repeats >= 1 && repeats <= 10_000 else { throw ValidationError("--repeats must be in 1…10000, got \(repeats)") }
    }

    func run() throws {
        let dataDirectory = dataOptions.directory()
        let root = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("retort-bench-checkpoint-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        print("checkpoints on \(data.rawValue), SGD Nesterov (momentum buffers included), median of \(repeats), folder \(root.deletingLastPathComponent().path)")
        print(columns([("model", 34), ("params", 8), ("bytes", 9), ("write ms", 9), ("read+verify ms", 15), ("guard µs/step", 14)]))
        for kind in [TrainConfig.ModelKind.mlp, .cnn] {
            var c = TrainConfig()
            c.data = .sample(data); c.model = kind; c.threads = 1; c.keepCheckpoints = 2
            let folder = root.appendingPathComponent(kind.rawValue)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let job = try TrainingJob(config: c, dataDirectory: dataDirectory, log: try MetricsLog(folder: folder),
                                      checkpoints: CheckpointStore(runFolder: folder, keep: 2))
            for _ in 0..<3 { job.step() }
            var writes: [Double] = [], reads: [Double] = []
            var info: CheckpointInfo?
            for _ in 0..<repeats {
                let i = try job.saveCheckpoint()
                writes.append(i.seconds); info = i
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try CheckpointFile.decode(try Data(contentsOf: URL(fileURLWithPath: i.path)), file: i.path)
                reads.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            // the divergence guard's per-step work: gradient norm, finiteness of weights and statistics
            var guards: [Double] = []
            for _ in 0..<max(repeats, 100) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let g = job.model.parameters.reduce(0.0) { $0 + $1.grad.sumOfSquares }
                let ok = job.model.parameters.allSatisfy { $0.value.isAllFinite } && job.model.buffers.allSatisfy { $0.tensor.isAllFinite }
                guards.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                if !g.isFinite || !ok { fail("non-finite state in the benchmark") }
            }
            func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] * 1000 }
            print(columns([(job.model.name, 34), ("\(job.model.parameterCount)", 8), ("\(info!.bytes)", 9)])
                  + String(format: " %9.2f %15.2f %14.1f", median(writes), median(reads), 1000 * median(guards)))
        }
    }
}

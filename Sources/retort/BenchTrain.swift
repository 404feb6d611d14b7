import ArgumentParser
import Foundation
import RetortCore
import RetortModels
import TrainEngine

/// Training throughput of the MLP and the tiny CNN, optionally against PyTorch CPU
/// (tools/pytorch/bench_train.py) run in the same invocation.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training samples/s of the MLP and the tiny CNN; with --python, PyTorch on the same models, batch and threads.")

    @OptionGroup var bench: TorchBenchOptions
    @Option(help: "Timed steps per repetition (best of 3).") var steps: Int = 50
    @Option(help: "Models, comma-separated.") var models: CommaList<TrainConfig.ModelKind> = CommaList([.mlp, .cnn])

    var batch: Int { bench.batch }
    var threads: Int { bench.threads }
    var python: String? { bench.python }

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1") }
    }

    func run() throws {
        Threads.set(threads)
        let products = smallProducts(blasOnly: bench.blasOnly)
        print("training throughput, batch \(batch), \(threads) threads, SGD Nesterov; BLAS \(BLASRuntime.coreName)\(products)")
        var ours: [String: Double] = [:]
        for kind in models.values {
            let name = kind.rawValue
            let (model, shape): (Model, [Int]) = kind == .mlp
                ? (MLP(inputs: 784, hidden: [256, 256], classes: 10, seed: 1), [784])
                : (TinyCNN(.mnist(), seed: 1), [28, 28, 1])
            let sps = Self.measure(model, shape: shape, batch: batch, steps: steps)
            ours[name] = sps
            print(columns([("retort", 8), (name, 4)]) + String(format: " %10.0f samples/s  %8.3f ms/step", sps, 1000 * Double(batch) / sps))
        }
        guard let python else { return }
        let script = Self.scriptPath()
        guard FileManager.default.fileExists(atPath: script) else { throw ValidationError("PyTorch script not found at \(script)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, "--threads", "\(threads)", "--batch", "\(batch)", "--steps", "\(steps)", "--models", models.description]
        let pipe = Pipe(); p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("PyTorch benchmark failed (exit \(p.terminationStatus))") }
        for line in out.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let m = obj["model"] as? String, let sps = obj["samples_per_s"] as? Double else { continue }
            print(columns([("pytorch", 8), (m, 4)]) + String(format: " %10.0f samples/s  %8.3f ms/step  (torch %@)", sps, 1000 * Double(batch) / sps, (obj["torch"] as? String) ?? "?"))
            if let o = ours[m] { print(String(format: "ratio    %@  retort/pytorch = %.2f×", m, o / sps)) }
        }
    }

    static func measure(_ model: Model, shape: [Int], batch: Int, steps: Int) -> Double {
        var rng = RNG(seed: 7)
        let opt = SGD(parameters: model.parameters, lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4)
        let xs = (0..<8).map { _ -> Tensor in let t = Tensor(shape: [batch] + shape); t.fillNormal(std: 1, rng: &rng); return t }
        let ys = (0..<8).map { _ in (0..<batch).map { _ in rng.int(10) } }
        func step(_ i: Int) {
            opt.zeroGrad()
            let logits = model.forward(xs[i % 8], training: true)
            let (_, g) = crossEntropy(logits: logits, labels: ys[i % 8])
            model.backwardParameters(g)
            opt.step()
        }
        for i in 0..<5 { step(i) }
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for i in 0..<steps { step(i) }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(steps))
        }
        return Double(batch) / best
    }

    /// tools/pytorch/bench_train.py in the repository the executable was built from, or ./tools.
    static func scriptPath() -> String {
        let rel = "tools/pytorch/bench_train.py"
        if let dir = DataLocator.find(explicit: nil) { return URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(rel).path }
        return rel
    }
}

import ArgumentParser
import Attention
import Foundation
import RetortCore

/// ViT training-step throughput (forward, backward, AdamW) of vit-mnist and a DeiT-Tiny-shaped
/// ViT with softmax and Taylor attention; optionally the same models in PyTorch
/// (tools/pytorch/bench_vit.py) in the same run, with the ratios side by side.
struct BenchVit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit",
        abstract: "ViT training step (forward, backward, AdamW) images/s and ms/step, median after warm-up, on synthetic seeded images; with --python, PyTorch on the same models and the ratios.")

    enum Model: String, ExpressibleByArgument, CaseIterable, Sendable {
        case vitMnist = "vit-mnist", deitTiny = "deit-tiny"
        var config: ViTConfig { self == .vitMnist ? .mnist : .deitTiny }
        /// The batch the model is benchmarked at unless --batches says otherwise.
        var defaultBatch: Int { self == .vitMnist ? 32 : 8 }
    }
    enum Kind: String, ExpressibleByArgument, CaseIterable, Sendable {
        case softmax, taylor
        var attention: AttentionKind { self == .softmax ? .softmax : .taylor }
    }

    @Option(help: "Models, comma-separated.") var models: CommaList<Model> = CommaList([.vitMnist, .deitTiny])
    @Option(help: "Attention kinds, comma-separated.") var kinds: CommaList<Kind> = CommaList([.softmax, .taylor])
    @Option(help: "Thread counts, comma-separated (BLAS and Retort loops; torch.set_num_threads for PyTorch).") var threads: CommaList<Int> = CommaList([2])
    @Option(help: "Batch sizes, comma-separated (default: 32 for vit-mnist, 8 for deit-tiny).") var batches: CommaList<Int>?
    @Option(help: "Timed steps (the median is reported).") var steps: Int = 20
    @Option(help: "Untimed warm-up steps first.") var warmup: Int = 3
    @Flag(help: "Also time each part of the step (patch embed, LayerNorm, qkv/proj, attention, MLP linears, GELU, residuals, head, AdamW): median wall and CPU ms, % of the CPU time.") var profile = false
    @Option(help: "Token count from which softmax runs the fused kernel (default: the ViT's, \(AttentionCore.defaultFusedSoftmaxMinTokens)), for tuning the threshold.")
    var fusedFrom: Int = AttentionCore.defaultFusedSoftmaxMinTokens
    @Option(help: "Token count from which Taylor's forward runs the tiled kernel (default: the ViT's, \(AttentionCore.defaultTiledTaylorMinTokens)).")
    var tiledFrom: Int = AttentionCore.defaultTiledTaylorMinTokens
    @Flag(help: "Run all of BLAS.gemm's products on OpenBLAS (not on Retort's micro-kernel; the attention kernels keep theirs), to compare the two.") var blasOnly = false
    @Flag(help: "Also time softmax with the per-head kernel (the n×n map) in place of the default dispatch (fused from n = 128) and print the default's speed-up over it.")
    var reference = false
    @Option(help: "A Python with torch installed: also runs tools/pytorch/bench_vit.py and prints Retort/PyTorch ratios.") var python: String?
    @Option(help: "Also write the rows to this CSV file (for `retort plot lines`).") var csv: String?

    func validate() throws {
        try checkPython(python)
        guard (1...100_000).contains(steps) else { throw ValidationError("--steps must be in 1…100000, got \(steps)") }
        guard (0...10_000).contains(warmup) else { throw ValidationError("--warmup must be in 0…10000, got \(warmup)") }
        if let t = threads.values.first(where: { !(1...256).contains($0) }) { throw ValidationError("--threads: each must be in 1…256, got \(t)") }
        if let b = batches?.values.first(where: { !(1...4096).contains($0) }) { throw ValidationError("--batches: each must be in 1…4096, got \(b)") }
        guard fusedFrom >= 0, tiledFrom >= 0 else { throw ValidationError("--fused-from and --tiled-from must be ≥ 0, got \(fusedFrom), \(tiledFrom)") }
    }

    struct Row {
        var model: String, kind: String, batch: Int, threads: Int, framework: String, seconds: Double, cpuSeconds: Double
        var imagesPerSecond: Double { Double(batch) / seconds }
    }

    func cases() -> [(model: Model, batch: Int)] {
        models.values.flatMap { m in (batches?.values ?? [m.defaultBatch]).map { (m, $0) } }
    }

    func run() throws {
        let products = smallProducts(blasOnly: blasOnly)
        print("ViT training step (forward, cross-entropy, backward, AdamW) on synthetic seeded images; median of \(steps) steps after \(warmup) warm-up; BLAS \(BLASRuntime.coreName)\(products)")
        var rows: [Row] = []
        for t in threads.values {
            Threads.set(t)
            for (m, b) in cases() {
                for k in kinds.values {
                    let bench = ViTTrainBenchmark(m.config, kind: k.attention, batch: b)
                    for c in bench.model.cores { c.fusedSoftmaxMinTokens = fusedFrom; c.tiledTaylorMinTokens = tiledFrom }
                    let s = bench.medianSeconds(steps: steps, warmup: warmup)
                    let r = Row(model: m.rawValue, kind: k.rawValue, batch: b, threads: t, framework: "retort", seconds: s.wall, cpuSeconds: s.cpu)
                    rows.append(r)
                    print(line(r))
                    if profile { printProfile(bench) }
                    if reference && k == .softmax {
                        let ref = ViTTrainBenchmark(m.config, kind: k.attention, batch: b)
                        for c in ref.model.cores { c.fusedSoftmax = false }
                        let rs = ref.medianSeconds(steps: steps, warmup: warmup)
                        let rr = Row(model: m.rawValue, kind: "softmax per-head", batch: b, threads: t, framework: "retort", seconds: rs.wall, cpuSeconds: rs.cpu)
                        print(line(rr, suffix: String(format: "   default %.2f× it", rr.seconds / r.seconds)))
                    }
                }
            }
        }
        if let python { rows += try comparePyTorch(python: python, ours: rows) }
        if let csv { try writeCSV(rows, to: csv) }
    }

    func line(_ r: Row, suffix: String = "") -> String {
        columns([(r.framework, 8), (r.model, 10), (r.kind, 8), ("batch \(r.batch)", 10), ("threads \(r.threads)", 10)])
            + String(format: " %9.1f images/s %10.2f ms/step %10.2f cpu ms", r.imagesPerSecond, r.seconds * 1e3, r.cpuSeconds * 1e3) + suffix
    }

    func printProfile(_ bench: ViTTrainBenchmark) {
        let parts = bench.profile(steps: steps, warmup: 1)
        let total = parts.values.reduce(0) { $0 + $1.cpu }
        for p in ViTStepPart.allCases {
            let s = parts[p] ?? (0, 0)
            print("           " + p.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: " %9.3f ms %9.3f cpu ms  %5.1f%%", s.wall * 1e3, s.cpu * 1e3, 100 * s.cpu / max(total, 1e-12)))
        }
    }

    func comparePyTorch(python: String, ours: [Row]) throws -> [Row] {
        let script = Self.scriptPath()
        guard FileManager.default.fileExists(atPath: script) else { fail("PyTorch script not found at \(script)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        var args = [script, "--models", models.description, "--kinds", kinds.description, "--threads", threads.description,
                    "--steps", "\(steps)", "--warmup", "\(warmup)"]
        if let batches { args += ["--batches", batches.description] }
        p.arguments = args
        let pipe = Pipe(); p.standardOutput = pipe
        do { try p.run() } catch { fail("cannot run \(python): \(error.localizedDescription)") }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { fail("PyTorch benchmark failed (exit \(p.terminationStatus))") }
        print("\nPyTorch (same shapes, init scale, AdamW, threads and timing rule; SDPA for softmax, six-step Taylor); ratio = Retort images/s ÷ PyTorch images/s (> 1: Retort faster); cpu = the same ratio from process CPU time per step")
        var theirs: [Row] = []
        var version = "?"
        for lineText in out.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(lineText.utf8)) as? [String: Any],
                  let m = obj["model"] as? String, let k = obj["kind"] as? String, let b = obj["batch"] as? Int,
                  let t = obj["threads"] as? Int, let ms = obj["ms_per_step"] as? Double else { continue }
            let cpu = obj["cpu_ms_per_step"] as? Double ?? .nan
            version = obj["torch"] as? String ?? version
            let r = Row(model: m, kind: k, batch: b, threads: t, framework: "pytorch", seconds: ms / 1e3, cpuSeconds: cpu / 1e3)
            theirs.append(r)
            let mine = ours.first { $0.model == m && $0.kind == k && $0.batch == b && $0.threads == t }
            print(line(r, suffix: mine.map { String(format: "   ratio %.2f× (cpu %.2f×)", $0.imagesPerSecond / r.imagesPerSecond, r.cpuSeconds / $0.cpuSeconds) } ?? ""))
        }
        guard !theirs.isEmpty else { fail("PyTorch benchmark printed no result") }
        print("torch \(version)")
        return theirs
    }

    func writeCSV(_ rows: [Row], to path: String) throws {
        var text = "model,kind,batch,threads,framework,ms_per_step,images_per_s,cpu_ms_per_step\n"
        for r in rows {
            text += "\(r.model),\(r.kind),\(r.batch),\(r.threads),\(r.framework),\(String(format: "%.4f", r.seconds * 1e3)),\(String(format: "%.3f", r.imagesPerSecond)),\(String(format: "%.4f", r.cpuSeconds * 1e3))\n"
        }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch { fail("\(path): cannot write it (\(error.localizedDescription))") }
        print("wrote \(path)")
    }

    /// tools/pytorch/bench_vit.py in the repository the executable was built from, or ./tools.
    static func scriptPath() -> String {
        let rel = "tools/pytorch/bench_vit.py"
        if let dir = DataLocator.find(explicit: nil) { return URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(rel).path }
        return rel
    }
}

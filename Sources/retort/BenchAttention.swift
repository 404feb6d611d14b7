import ArgumentParser
import Attention
import Foundation
import RetortCore

/// Forward attention time, softmax versus ViTALiTy's linear Taylor kernel, over token counts;
/// optionally PyTorch on the same shapes (tools/pytorch/attention_bench.py) in the same run.
struct BenchAttention: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Forward attention time, softmax vs Taylor, for n = 64…4096 (GFLOP/s, speed-up, crossover); with --python, PyTorch on the same shapes.")

    @Option(help: "Comma-separated token counts.") var sizes: String = "64,128,197,256,512,1024,2048,3136,4096"
    @Option(help: "Head dimension d.") var dim: Int = 64
    @Option(help: "Heads.") var heads: Int = 3
    @Option(help: "Threads (BLAS and Retort loops; torch.set_num_threads for PyTorch).") var threads: Int = 2
    @Flag(help: "Also time the per-head reference kernels (n×n softmax map, per-head BLAS Taylor) and print fused/reference speed-ups.")
    var reference = false
    @Option(help: "Token count from which softmax runs the fused kernel (default: the ViT's, \(AttentionCore.defaultFusedSoftmaxMinTokens); 0: at every n), for tuning the threshold.")
    var fusedFrom: Int = AttentionCore.defaultFusedSoftmaxMinTokens
    @Option(help: "Token count from which Taylor runs the tiled kernel (default: the ViT's, \(AttentionCore.defaultTiledTaylorMinTokens); 0: at every n).")
    var tiledFrom: Int = AttentionCore.defaultTiledTaylorMinTokens
    @Flag(help: "Run all of BLAS.gemm's products on OpenBLAS (not on Retort's micro-kernel; the attention kernels keep theirs), to compare the two.") var blasOnly = false
    @Option(help: "A Python with torch installed: also runs tools/pytorch/attention_bench.py and prints the ratios.") var python: String?
    @Flag(help: "Instead of timing: peak resident memory against n for the per-head softmax, the fused softmax and Taylor (each n and kernel in a child process), with the kernels' scratch.")
    var memory = false
    @Option(help: "With --memory: also write the rows to this CSV file (for `retort plot lines`).") var csv: String?
    @Option(help: .hidden) var memoryProbe: String?

    var parsedSizes: [Int]? {
        let v = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return !v.isEmpty && v.allSatisfy { ($0 ?? 0) > 0 } ? v.map { $0! }.sorted() : nil
    }

    func validate() throws {
        guard let s = parsedSizes else { throw ValidationError("--sizes must be comma-separated positive integers, got '\(sizes)'") }
        guard dim >= 1, heads >= 1, threads >= 1 else { throw ValidationError("--dim, --heads and --threads must be ≥ 1") }
        guard fusedFrom >= 0, tiledFrom >= 0 else { throw ValidationError("--fused-from and --tiled-from must be ≥ 0, got \(fusedFrom), \(tiledFrom)") }
        if let big = s.first(where: { $0 > 16_384 }) { throw ValidationError("--sizes: each token count must be at most 16384, got \(big)") }
        guard dim <= 4096, heads <= 256, threads <= 256 else {
            throw ValidationError("--dim must be at most 4096, --heads and --threads at most 256, got \(dim), \(heads), \(threads)")
        }
    }

    func run() throws {
        Threads.set(threads)
        BLAS.microKernel = !blasOnly
        let ns = parsedSizes!
        if let memoryProbe { return try probeMemory(memoryProbe) }
        if memory { return try memoryTable(ns) }
        print("forward attention, d = \(dim), \(heads) heads, batch 1; BLAS \(BLASRuntime.coreName) × \(BLASRuntime.threads) threads")
        print("GFLOP/s = 2·MACs/time with the MACs of vitality §1.5 (softmax 2·H·n²·d, Taylor H·(2·n·d² + n·d))")
        print(columns([("n", 6), ("softmax ms", 11), ("GFLOP/s", 8), ("taylor ms", 10), ("GFLOP/s", 8), ("speed-up", 9), ("MAC ratio", 10)]))
        var rows: [(n: Int, soft: Double, taylor: Double)] = []
        for n in ns {
            let s = AttentionBenchmark.time(.softmax, tokens: n, headDim: dim, heads: heads, fusedFrom: fusedFrom, tiledFrom: tiledFrom)
            let t = AttentionBenchmark.time(.taylor, tokens: n, headDim: dim, heads: heads, fusedFrom: fusedFrom, tiledFrom: tiledFrom)
            rows.append((n, s.seconds, t.seconds))
            print(columns([("\(n)", 6), (String(format: "%.4f", s.seconds * 1e3), 11), (String(format: "%.1f", s.gflops), 8),
                           (String(format: "%.4f", t.seconds * 1e3), 10), (String(format: "%.1f", t.gflops), 8),
                           (String(format: "%.1f×", s.seconds / t.seconds), 9),
                           (String(format: "%.1f×", Double(s.ops.macs) / Double(t.ops.macs)), 10)]))
        }
        print(crossover(rows))
        if reference { compareReference(ns: ns, ours: rows) }
        guard let python else { return }
        try comparePyTorch(python: python, ns: ns, ours: rows)
    }

    /// Where Taylor starts to beat softmax; probes smaller n when it already wins at the first size.
    func crossover(_ rows: [(n: Int, soft: Double, taylor: Double)]) -> String {
        if let i = rows.firstIndex(where: { $0.taylor < $0.soft }) {
            if i > 0 { return "crossover: Taylor is faster from n = \(rows[i].n) on (slower at n = \(rows[i - 1].n))" }
            var lo = rows[0].n
            var probe = lo / 2
            while probe >= 2 {
                let s = AttentionBenchmark.time(.softmax, tokens: probe, headDim: dim, heads: heads)
                let t = AttentionBenchmark.time(.taylor, tokens: probe, headDim: dim, heads: heads)
                if t.seconds >= s.seconds {
                    return String(format: "crossover: Taylor is faster from n = %d on (at n = %d softmax %.4f ms vs Taylor %.4f ms)",
                                  lo, probe, s.seconds * 1e3, t.seconds * 1e3)
                }
                lo = probe; probe /= 2
            }
            return "crossover: Taylor is faster at every n ≥ \(lo)"
        }
        return "crossover: Taylor is not faster at any measured n"
    }

    /// The per-head reference kernels on the same shapes; speed-up = reference time / the default kernel's time.
    func compareReference(ns: [Int], ours: [(n: Int, soft: Double, taylor: Double)]) {
        print("\nReference kernels (per head: softmax forms the n×n map, Taylor calls BLAS); speed-up = reference / the kernel the ViT runs (fused softmax from n = \(fusedFrom), tiled Taylor from n = \(tiledFrom); 1.00× below: the same kernel)")
        print(columns([("n", 6), ("ref softmax ms", 15), ("fused speed-up", 15), ("ref taylor ms", 14), ("tiled speed-up", 15)]))
        for row in ours {
            let s = AttentionBenchmark.time(.softmax, tokens: row.n, headDim: dim, heads: heads, reference: true)
            let t = AttentionBenchmark.time(.taylor, tokens: row.n, headDim: dim, heads: heads, reference: true)
            print(columns([("\(row.n)", 6), (String(format: "%.4f", s.seconds * 1e3), 15), (String(format: "%.2f×", s.seconds / row.soft), 15),
                           (String(format: "%.4f", t.seconds * 1e3), 14), (String(format: "%.2f×", t.seconds / row.taylor), 15)]))
        }
    }

    func comparePyTorch(python: String, ns: [Int], ours: [(n: Int, soft: Double, taylor: Double)]) throws {
        let script = Self.scriptPath()
        guard FileManager.default.fileExists(atPath: script) else { throw ValidationError("PyTorch script not found at \(script)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, "--sizes", ns.map(String.init).joined(separator: ","), "--dim", "\(dim)", "--heads", "\(heads)", "--threads", "\(threads)"]
        let pipe = Pipe(); p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("PyTorch benchmark failed (exit \(p.terminationStatus))") }
        print("\nPyTorch (same shapes, threads and timing rule); ratio = PyTorch time / Retort time (> 1: Retort faster)")
        print(columns([("n", 6), ("torch softmax", 14), ("sdpa", 9), ("torch taylor", 13), ("softmax ratio", 14), ("sdpa ratio", 11), ("taylor ratio", 13)]))
        var version = "?"
        for line in out.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let n = obj["n"] as? Int, let ts = obj["softmax_ms"] as? Double, let tt = obj["taylor_ms"] as? Double,
                  let row = ours.first(where: { $0.n == n }) else { continue }
            let sdpa = obj["sdpa_ms"] as? Double ?? .nan
            version = obj["torch"] as? String ?? version
            print(columns([("\(n)", 6), (String(format: "%.4f ms", ts), 14), (String(format: "%.4f", sdpa), 9), (String(format: "%.4f ms", tt), 13),
                           (String(format: "%.2f×", ts / (row.soft * 1e3)), 14), (String(format: "%.2f×", sdpa / (row.soft * 1e3)), 11),
                           (String(format: "%.2f×", tt / (row.taylor * 1e3)), 13)]))
        }
        print("torch \(version)")
    }

    /// tools/pytorch/attention_bench.py in the repository the executable was built from, or ./tools.
    static func scriptPath() -> String {
        let rel = "tools/pytorch/attention_bench.py"
        if let dir = DataLocator.find(explicit: nil) { return URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(rel).path }
        return rel
    }
}

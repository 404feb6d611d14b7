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
    @Option(help: "Token count from which softmax runs the fused kernel (default: the ViT's in inference, \(AttentionCore.defaultInferenceMinTokens), i.e. at every n; a training step's is \(AttentionCore.defaultFusedSoftmaxMinTokens)), for tuning the threshold.")
    var fusedFrom: Int = AttentionCore.defaultInferenceMinTokens
    @Option(help: "Token count from which Taylor runs the tiled kernel (default: the ViT's in inference, \(AttentionCore.defaultInferenceMinTokens); a training step's is \(AttentionCore.defaultTiledTaylorMinTokens)).")
    var tiledFrom: Int = AttentionCore.defaultInferenceMinTokens
    @Flag(help: "Run all of BLAS.gemm's products on OpenBLAS (not on Retort's micro-kernel; the attention kernels keep theirs), to compare the two.") var blasOnly = false
    @Option(help: "A Python with torch installed: also runs tools/pytorch/attention_bench.py and prints the ratios.") var python: String?
    @Option(help: "Rounds: time Retort, then PyTorch, this many times in turn; the tables give per-n medians over the rounds and each round's ratios (default 1).")
    var rounds: Int = 1
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
        try checkPython(python)
        guard rounds >= 1, rounds <= 50 else { throw ValidationError("--rounds must be in 1…50, got \(rounds)") }
        guard fusedFrom >= 0, tiledFrom >= 0 else { throw ValidationError("--fused-from and --tiled-from must be ≥ 0, got \(fusedFrom), \(tiledFrom)") }
        if let big = s.first(where: { $0 > 16_384 }) { throw ValidationError("--sizes: each token count must be at most 16384, got \(big)") }
        guard dim <= 4096, heads <= 256, threads <= 256 else {
            throw ValidationError("--dim must be at most 4096, --heads and --threads at most 256, got \(dim), \(heads), \(threads)")
        }
    }

    func run() throws {
        Threads.set(threads)
        _ = smallProducts(blasOnly: blasOnly)
        let ns = parsedSizes!
        if let memoryProbe { return try probeMemory(memoryProbe) }
        if memory { return try memoryTable(ns) }
        print("forward attention, d = \(dim), \(heads) heads, batch 1; BLAS \(BLASRuntime.coreName) × \(BLASRuntime.threads) threads"
              + (rounds > 1 ? "; median over \(rounds) rounds" + (python != nil ? " (each: Retort at every n, then PyTorch at every n)" : "") : ""))
        print("GFLOP/s = 2·MACs/time with the MACs of vitality §1.5 (softmax 2·H·n²·d, Taylor H·(2·n·d² + n·d))")
        var ours: [[Timing]] = [], torch: [[Int: TorchTiming]] = []
        for _ in 0..<rounds {
            ours.append(ns.map { n in
                let s = AttentionBenchmark.time(.softmax, tokens: n, headDim: dim, heads: heads, fusedFrom: fusedFrom, tiledFrom: tiledFrom)
                let t = AttentionBenchmark.time(.taylor, tokens: n, headDim: dim, heads: heads, fusedFrom: fusedFrom, tiledFrom: tiledFrom)
                return Timing(soft: s.seconds, taylor: t.seconds, softMACs: s.ops.macs, taylorMACs: t.ops.macs)
            })
            if let python { torch.append(try runPyTorch(python: python, ns: ns)) }
        }
        print(columns([("n", 6), ("softmax ms", 11), ("GFLOP/s", 8), ("taylor ms", 10), ("GFLOP/s", 8), ("speed-up", 9), ("MAC ratio", 10)]))
        var rows: [(n: Int, soft: Double, taylor: Double)] = []
        for (i, n) in ns.enumerated() {
            let first = ours[0][i]
            let (s, t) = (median(ours.map { $0[i].soft }), median(ours.map { $0[i].taylor }))
            rows.append((n, s, t))
            print(columns([("\(n)", 6), (String(format: "%.4f", s * 1e3), 11), (String(format: "%.1f", 2 * Double(first.softMACs) / s / 1e9), 8),
                           (String(format: "%.4f", t * 1e3), 10), (String(format: "%.1f", 2 * Double(first.taylorMACs) / t / 1e9), 8),
                           (String(format: "%.1f×", s / t), 9),
                           (String(format: "%.1f×", Double(first.softMACs) / Double(first.taylorMACs)), 10)]))
        }
        print(crossover(rows))
        if reference { compareReference(ns: ns, ours: rows) }
        if python != nil { printPyTorch(ns: ns, ours: ours, torch: torch) }
    }

    /// One round's Retort times at one n.
    struct Timing { let soft: Double; let taylor: Double; let softMACs: Int; let taylorMACs: Int }
    /// One round's PyTorch times at one n, in ms.
    struct TorchTiming { let softmax: Double; let sdpa: Double; let taylor: Double; let version: String }

    func median(_ v: [Double]) -> Double { ViTTrainBenchmark.median(v) }

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
        print("\nReference kernels (per head: softmax forms the n×n map, Taylor calls BLAS); speed-up = reference / the kernel the ViT runs in inference (fused softmax from n = \(fusedFrom), tiled Taylor from n = \(tiledFrom); 1.00× below: the same kernel)")
        print(columns([("n", 6), ("ref softmax ms", 15), ("fused speed-up", 15), ("ref taylor ms", 14), ("tiled speed-up", 15)]))
        for row in ours {
            let s = AttentionBenchmark.time(.softmax, tokens: row.n, headDim: dim, heads: heads, reference: true)
            let t = AttentionBenchmark.time(.taylor, tokens: row.n, headDim: dim, heads: heads, reference: true)
            print(columns([("\(row.n)", 6), (String(format: "%.4f", s.seconds * 1e3), 15), (String(format: "%.2f×", s.seconds / row.soft), 15),
                           (String(format: "%.4f", t.seconds * 1e3), 14), (String(format: "%.2f×", t.seconds / row.taylor), 15)]))
        }
    }

    /// Runs tools/pytorch/attention_bench.py once: its times per n.
    func runPyTorch(python: String, ns: [Int]) throws -> [Int: TorchTiming] {
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
        var out2: [Int: TorchTiming] = [:]
        for line in out.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let n = obj["n"] as? Int, let ts = obj["softmax_ms"] as? Double, let tt = obj["taylor_ms"] as? Double else { continue }
            out2[n] = TorchTiming(softmax: ts, sdpa: obj["sdpa_ms"] as? Double ?? .nan, taylor: tt, version: obj["torch"] as? String ?? "?")
        }
        return out2
    }

    /// The PyTorch table: median PyTorch times and, per n, the median over rounds of each
    /// round's ratio (that round's PyTorch time / that round's Retort time); with several
    /// rounds, each round's SDPA and Taylor ratios as well.
    func printPyTorch(ns: [Int], ours: [[Timing]], torch: [[Int: TorchTiming]]) {
        print("\nPyTorch (same shapes, threads and timing rule); ratio = PyTorch time / Retort time (> 1: Retort faster)"
              + (rounds > 1 ? "; medians over \(rounds) rounds of each round's ratio" : ""))
        print(columns([("n", 6), ("torch softmax", 14), ("sdpa", 9), ("torch taylor", 13), ("softmax ratio", 14), ("sdpa ratio", 11), ("taylor ratio", 13)]))
        var perRound: [String] = []
        for (i, n) in ns.enumerated() {
            let rs = zip(ours, torch).compactMap { o, t in t[n].map { (o[i], $0) } }
            guard !rs.isEmpty else { continue }
            let ratios = (soft: rs.map { $1.softmax / ($0.soft * 1e3) }, sdpa: rs.map { $1.sdpa / ($0.soft * 1e3) },
                          taylor: rs.map { $1.taylor / ($0.taylor * 1e3) })
            print(columns([("\(n)", 6), (String(format: "%.4f ms", median(rs.map(\.1.softmax))), 14), (String(format: "%.4f", median(rs.map(\.1.sdpa))), 9),
                           (String(format: "%.4f ms", median(rs.map(\.1.taylor))), 13),
                           (String(format: "%.2f×", median(ratios.soft)), 14), (String(format: "%.2f×", median(ratios.sdpa)), 11),
                           (String(format: "%.2f×", median(ratios.taylor)), 13)]))
            func list(_ v: [Double]) -> String { v.map { String(format: "%.2f", $0) }.joined(separator: " ") }
            perRound.append(String(format: "%6d  sdpa %@  taylor %@", n, list(ratios.sdpa), list(ratios.taylor)))
        }
        if rounds > 1 { print("each round's ratios (round 1 first):"); perRound.forEach { print($0) } }
        print("torch \(torch.first?.values.first?.version ?? "?")")
    }

    /// tools/pytorch/attention_bench.py in the repository the executable was built from, or ./tools.
    static func scriptPath() -> String {
        let rel = "tools/pytorch/attention_bench.py"
        if let dir = DataLocator.find(explicit: nil) { return URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(rel).path }
        return rel
    }
}

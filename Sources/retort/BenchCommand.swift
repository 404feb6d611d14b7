import ArgumentParser
import Foundation
import RetortCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (never part of the test suite).",
        subcommands: [BenchGemm.self, BenchTrain.self, BenchTUI.self, BenchSim.self, BenchAttention.self, BenchDistill.self, BenchCheckpoint.self, BenchGuard.self, BenchData.self, BenchSoak.self, BenchVit.self])
}

struct BenchGemm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "sgemm GFLOP/s for square sizes; with --compare-cores, also re-runs itself under every OpenBLAS core this CPU supports.")

    @Option(help: "Comma-separated square sizes.") var sizes: String = "128,256,512,1024"
    @Option(help: "BLAS threads (default: all cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Also measure 512³ under each OpenBLAS core type by hand (subprocesses) and print the ratio.") var compareCores = false
    @Flag(help: "Print one machine-readable line per size.") var json = false

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1…256, got \(threads)") }
        guard let s = parsedSizes else { throw ValidationError("--sizes must be comma-separated positive integers, got '\(sizes)'") }
        if let big = s.first(where: { $0 > 16_384 }) { throw ValidationError("--sizes: each size must be at most 16384 (three 1 GB matrices), got \(big)") }
    }
    var parsedSizes: [Int]? {
        let v = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return v.allSatisfy { ($0 ?? 0) > 0 } && !v.isEmpty ? v.map { $0! } : nil
    }

    func run() throws {
        Threads.set(threads)
        if !json {
            print("sgemm, BLAS core \(BLASRuntime.coreName) [\(BLASRuntime.selection)], \(BLASRuntime.threads) threads")
            print(columns([("n", 8), ("GFLOP/s", 10), ("ms/call", 10)]))
        }
        var results: [Int: Double] = [:]
        for n in parsedSizes! {
            let (gf, ms) = Self.measure(n)
            results[n] = gf
            if json { print("{\"n\":\(n),\"gflops\":\(String(format: "%.2f", gf)),\"core\":\"\(BLASRuntime.coreName)\"}") }
            else { print(String(format: "%8d %10.1f %10.3f", n, gf, ms)) }
        }
        guard compareCores else { return }
        let cpu = CPUInfo.current()
        let candidates = ["Prescott", "Haswell", "SkylakeX", "Cooperlake"].filter { core in
            switch core {
            case "Cooperlake": return cpu.bestOpenBLASCore == "Cooperlake"
            case "SkylakeX": return ["Cooperlake", "SkylakeX"].contains(cpu.bestOpenBLASCore ?? "")
            case "Haswell": return cpu.flags.contains("avx2") && cpu.flags.contains("fma")
            default: return true
            }
        }
        print("\nreference: 512³ with OPENBLAS_CORETYPE set by hand (fresh process each)")
        var best = ("", 0.0)
        for core in candidates {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            p.arguments = ["bench", "gemm", "--sizes", "512", "--threads", "\(threads)", "--json"]
            var env = ProcessInfo.processInfo.environment
            env["OPENBLAS_CORETYPE"] = core
            env.removeValue(forKey: "RETORT_BLAS_REEXEC")
            p.environment = env
            let pipe = Pipe(); p.standardOutput = pipe
            try p.run(); p.waitUntilExit()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let gf = out.split(separator: "\"gflops\":").last.flatMap { Double($0.prefix { "0123456789.".contains($0) }) } ?? 0
            print("  " + core.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: " %8.1f GFLOP/s", gf))
            if gf > best.1 { best = (core, gf) }
        }
        if let ours = results[512] ?? Optional(Self.measure(512).0), best.1 > 0 {
            print(String(format: "retort's automatic choice (%@): %.1f GFLOP/s = %.0f%% of the best hand-set core (%@)",
                         BLASRuntime.coreName, ours, 100 * ours / best.1, best.0))
        }
    }

    /// Best-of-several GFLOP/s for an n³ sgemm.
    static func measure(_ n: Int) -> (Double, Double) {
        var rng = RNG(seed: 1)
        let a = Tensor(shape: [n, n]), b = Tensor(shape: [n, n]), c = Tensor(shape: [n, n])
        a.fillUniform(-1, 1, rng: &rng); b.fillUniform(-1, 1, rng: &rng)
        let flops = 2.0 * Double(n) * Double(n) * Double(n)
        let reps = max(3, Int(2e9 / flops))
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<reps { BLAS.gemm(m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n, c: c.data, ldc: n) }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(reps)
            best = min(best, dt)
        }
        return (flops / best / 1e9, best * 1e3)
    }
}

import CBLAS
import Foundation

/// What the CPU can do, read from /proc/cpuinfo (Linux) — used to pick the
/// OpenBLAS kernel when the library's own detection falls back to a generic one.
public struct CPUInfo: Sendable {
    public let model: String
    public let flags: Set<String>
    public let logicalCores: Int

    public init(model: String, flags: Set<String>, logicalCores: Int) {
        self.model = model; self.flags = flags; self.logicalCores = logicalCores
    }

    public static func current() -> CPUInfo {
        var model = "unknown"
        var flags = Set<String>()
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                if parts[0] == "model name", model == "unknown" { model = parts[1] }
                if parts[0] == "flags", flags.isEmpty { flags = Set(parts[1].split(separator: " ").map(String.init)) }
                if model != "unknown" && !flags.isEmpty { break }
            }
        }
        return CPUInfo(model: model, flags: flags, logicalCores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Vector extensions worth reporting, in order.
    public var vectorFeatures: [String] {
        ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"]
            .filter { flags.contains($0) }
    }

    /// The best OpenBLAS core type this CPU supports (x86-64), or nil.
    /// Cooperlake = SkylakeX kernels + BF16; SkylakeX needs AVX-512 F/CD/BW/DQ/VL; Haswell needs AVX2+FMA.
    public var bestOpenBLASCore: String? {
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        if avx512 && flags.contains("avx512_bf16") { return "Cooperlake" }
        if avx512 { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }
}

/// Start-up handling of the BLAS library.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs (e.g. AMD Zen 4) and falls
/// back to a generic SSE3 kernel ("Prescott"), 5–10× slower for sgemm. It reads
/// `OPENBLAS_CORETYPE` only when the library loads, which happens before `main`,
/// so `ensureFastKernel` sets the variable and re-executes the process once.
public enum BLASRuntime {
    /// Core names OpenBLAS reports when it did not recognise the CPU.
    public static let genericCores: Set<String> = ["prescott", "core2", "katmai", "coppermine", "northwood",
                                                   "banias", "atom", "generic", "nehalem", "barcelona", "unknown"]
    static let reexecMarker = "RETORT_BLAS_REEXEC"

    public static var coreName: String { String(cString: rt_blas_corename()).trimmingCharacters(in: .whitespaces) }
    public static var config: String { String(cString: rt_blas_config()) }
    /// Threads BLAS products use: the count last passed to `setThreads`, else the library's own.
    public static var threads: Int { configuredThreads ?? Int(rt_blas_num_threads()) }
    /// Sets the threads for BLAS products. `BLAS.gemm` spreads large products over Retort's
    /// threads itself (one single-threaded BLAS call per chunk, see `Threads`), so the
    /// library's own thread pool is set to one thread: its workers would otherwise spin and
    /// `sched_yield` after every call, competing with Retort's loops for the same cores.
    public static func setThreads(_ n: Int) {
        configuredThreads = max(1, n)
        rt_blas_set_num_threads(1)
    }
    nonisolated(unsafe) private static var configuredThreads: Int?
    /// Threads `BLAS.gemm` splits products over (1 until `setThreads` is called: the library
    /// then threads products itself, as configured by its environment).
    static var splitThreads: Int { configuredThreads ?? 1 }

    /// True when the loaded kernel is a generic fallback although the CPU supports a better one.
    public static var kernelIsGeneric: Bool {
        genericCores.contains(coreName.lowercased()) && CPUInfo.current().bestOpenBLASCore != nil
    }

    /// True when the loaded kernel ranks below the best core this CPU supports (a preset
    /// `OPENBLAS_CORETYPE` such as Haswell on an AVX-512 CPU): `BLAS.gemm` then runs its small
    /// products on Retort's micro-kernel (`BLAS.microKernel`). Measured on an idle 2-core EPYC
    /// (docs/performance.md): under the preset Haswell core the micro-kernel made the vit-mnist
    /// step ≈ 1.1× and the tiny CNN ≈ 1.1× faster; under the auto-detected Cooperlake core
    /// OpenBLAS was faster (MLP, CNN), so it keeps those products there.
    public static var coreBelowBest: Bool {
        guard let best = CPUInfo.current().bestOpenBLASCore, let b = coreOrder.firstIndex(of: best.lowercased()) else { return false }
        guard let c = coreOrder.firstIndex(of: coreName.lowercased()) else { return false }
        return c < b
    }

    /// How the kernel was chosen, for `retort doctor`.
    public static var selection: String {
        let env = ProcessInfo.processInfo.environment
        if env[reexecMarker] != nil { return "set by retort at start-up (OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "?"))" }
        if let c = env["OPENBLAS_CORETYPE"] { return "OPENBLAS_CORETYPE=\(c) from the environment" }
        return "OpenBLAS auto-detection"
    }

    /// OpenBLAS x86-64 core types from slowest to fastest sgemm kernel (a later entry's kernel
    /// needs a superset of the earlier ones' instructions).
    static let coreOrder = ["prescott", "core2", "nehalem", "sandybridge", "haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// When the environment presets `OPENBLAS_CORETYPE` to a core below the best one this CPU
    /// supports: a one-line note naming both and how to use the better one (nil otherwise).
    /// Retort keeps a preset core (older OpenBLAS builds need it on some CPUs), so this is advice.
    public static func presetCoreAdvice(environment env: [String: String] = ProcessInfo.processInfo.environment,
                                        cpu: CPUInfo = .current()) -> String? {
        guard env[reexecMarker] == nil, let preset = env["OPENBLAS_CORETYPE"], let best = cpu.bestOpenBLASCore,
              let p = coreOrder.firstIndex(of: preset.lowercased()), let b = coreOrder.firstIndex(of: best.lowercased()),
              p < b else { return nil }
        let l2 = env["OPENBLAS_L2_SIZE"] != nil ? " -u OPENBLAS_L2_SIZE" : ""
        return "the environment presets OPENBLAS_CORETYPE=\(preset), below this CPU's best core \(best) "
            + "(sgemm 512³ on a 2-core AMD EPYC: Haswell 208 GFLOP/s, Cooperlake 376); "
            + "compare here with `retort bench gemm --compare-cores`; to run on \(best): `env -u OPENBLAS_CORETYPE\(l2) retort …` "
            + "(keep the preset if this OpenBLAS build computes wrong results on this CPU)"
    }

    /// Call first thing in `main`. If OpenBLAS picked a generic kernel and the user has not
    /// chosen one, set `OPENBLAS_CORETYPE` to the best supported core and re-execute.
    /// Returns normally when nothing needs doing (or the re-exec is impossible).
    public static func ensureFastKernel() {
        #if os(Linux)
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env[reexecMarker] == nil else { return }
        // RETORT_BLAS_ASSUME_GENERIC=1 exercises this path on machines whose OpenBLAS
        // already recognises the CPU (used by the end-to-end tests).
        let generic = genericCores.contains(coreName.lowercased()) || env["RETORT_BLAS_ASSUME_GENERIC"] == "1"
        guard generic, let best = CPUInfo.current().bestOpenBLASCore else { return }
        setenv("OPENBLAS_CORETYPE", best, 1)
        setenv(reexecMarker, "1", 1)
        let args = CommandLine.arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cargs.append(nil)
        execv("/proc/self/exe", &cargs)
        // execv only returns on failure: carry on with the slow kernel.
        unsetenv("OPENBLAS_CORETYPE")
        FileHandle.standardError.write(Data("retort: warning: could not re-execute to select the \(best) BLAS kernel (\(String(cString: strerror(errno)))); continuing with \(coreName)\n".utf8))
        #endif
    }
}

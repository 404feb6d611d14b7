import Accelerator
import ArgumentParser
import Foundation

/// `retort sim …`: the accelerator simulators.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Accelerator simulation: SCALE-Sim-compatible systolic GEMM timing and the ViTALiTy accelerator model.",
        subcommands: [SimScaleSim.self, SimVitality.self, SimGemm.self, SimTopology.self])
}

/// Finds a repository file (tools/…, configs/…) from the working directory or from the
/// executable's location (…/.build*/release/retort).
func locateRepoFile(_ rel: String) -> String? {
    var dirs = [FileManager.default.currentDirectoryPath]
    var exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        exe = URL(fileURLWithPath: p).deletingLastPathComponent()
    }
    for _ in 0..<5 { dirs.append(exe.path); exe = exe.deletingLastPathComponent() }
    for d in dirs {
        let p = URL(fileURLWithPath: d).appendingPathComponent(rel).path
        if FileManager.default.fileExists(atPath: p) { return p }
    }
    return nil
}

/// `1234567` → `1,234,567`.
func grouped(_ n: Int) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, ch) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}

/// `retort sim gemm`: one GEMM, SCALE-Sim timing; optionally the cycle-by-cycle and
/// functional simulations.
struct SimGemm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "One GEMM C[M×N] = A[M×K]·B[K×N] on a systolic array: SCALE-Sim cycles and utilisations, checked by the cycle-by-cycle demand simulation (and optionally the functional register-level array).")

    @Option(name: .customShort("m"), help: "M (rows of A and C).") var m: Int
    @Option(name: .customShort("k"), help: "K (reduction).") var k: Int
    @Option(name: .customShort("n"), help: "N (columns of B and C).") var n: Int
    @Option(help: "Array RxC, e.g. 16x16.") var array: String = "16x16"
    /// `--dataflow`: one of SCALE-Sim's dataflows or all three.
    enum DataflowChoice: String, ExpressibleByArgument, CaseIterable {
        case os, ws, `is`, all
        var dataflows: [Dataflow] { self == .all ? Dataflow.allCases : [Dataflow(scaleSim: rawValue)!] }
    }

    @Option(help: "Dataflow: output, weight or input stationary, or all three.") var dataflow: DataflowChoice = .all
    @Flag(help: "Also run the functional (value-level) array on random matrices and check the product.") var functional = false
    @Flag(help: "Machine-readable: one line 'dataflow,total_cycles,overall_util,mapping_eff,compute_util,demand_sim_cycles' per dataflow (full precision; demand_sim_cycles is 'skipped' beyond the demand simulation's size limit).") var csv = false

    func validate() throws {
        guard m > 0, k > 0, n > 0 else { throw ValidationError("-m, -k, -n must be positive") }
        for (flag, v) in [("-m", m), ("-k", k), ("-n", n)] where v > SizeLimits.gemmDimension {
            throw ValidationError("\(flag) \(SizeLimits.tooLarge(v, SizeLimits.gemmDimension))")
        }
        guard let arr = ArrayShape(parsing: array) else { throw ValidationError("--array must look like 16x16, got '\(array)'") }
        guard max(arr.rows, arr.cols) <= SizeLimits.arraySide else {
            throw ValidationError("--array: rows and columns \(SizeLimits.tooLarge(max(arr.rows, arr.cols), SizeLimits.arraySide))")
        }
        if functional {
            let g = GemmShape(m: m, k: k, n: n)
            for df in Dataflow.allCases where !SizeLimits.functionalFits(FoldPlan(gemm: g, array: arr, dataflow: df)) {
                throw ValidationError("--functional: \(g) on \(arr) is beyond the functional array's limit (\(SizeLimits.functionalElements) operand elements, \(SizeLimits.functionalPECycles) PE-cycles); drop --functional for the closed form")
            }
        }
    }

    func run() throws {
        let arr = ArrayShape(parsing: array)!, g = GemmShape(m: m, k: k, n: n)
        let flows = dataflow.dataflows
        if csv {
            for df in flows {
                let plan = FoldPlan(gemm: g, array: arr, dataflow: df)
                let r = ScaleSimModel.run(plan)
                let d = SizeLimits.demandSimulationFits(plan) ? "\(DemandSimulation(plan).run().totalCycles)" : "skipped"
                print("\(df.rawValue),\(r.totalCycles),\(r.overallUtil),\(r.mappingEfficiency),\(r.computeUtil),\(d)")
            }
            return
        }
        print("GEMM \(g) (M×K×N) on \(arr), SCALE-Sim 3.0.0 CALC-mode timing")
        print(columns([("df", 3), ("folds", 7), ("total cycles", 13), ("overall %", 12), ("mapping %", 12), ("compute %", 12), ("demand sim", 11)])
              + (functional ? "  functional" : ""))
        for df in flows {
            let plan = FoldPlan(gemm: g, array: arr, dataflow: df)
            let r = ScaleSimModel.run(plan)
            let demand: String
            if SizeLimits.demandSimulationFits(plan) {
                let d = DemandSimulation(plan).run()
                demand = d.totalCycles == r.totalCycles && d.macs == g.macs ? "agrees" : "MISMATCH \(d.totalCycles)"
            } else { demand = "skipped" }
            var line = columns([(df.rawValue, 3), ("\(r.folds)", 7), ("\(r.totalCycles)", 13),
                                (String(format: "%.4f", r.overallUtil), 12), (String(format: "%.4f", r.mappingEfficiency), 12),
                                (String(format: "%.4f", r.computeUtil), 12),
                                (demand, 11)])
            if functional {
                let a = Matrix.random(rows: m, cols: k, seed: 1), b = Matrix.random(rows: k, cols: n, seed: 2)
                let f = FunctionalSystolicArray(array: arr, dataflow: df).multiply(a, b)
                let err = f.product.maxAbsDifference(a * b)
                line += "  cycles \(f.totalCycles), max|err| \(String(format: "%.1e", err))"
            }
            print(line)
        }
        if flows.contains(where: { !SizeLimits.demandSimulationFits(FoldPlan(gemm: g, array: arr, dataflow: $0)) }) {
            print("demand sim skipped: beyond its limit of \(SizeLimits.demandRows) demand rows and \(SizeLimits.demandWork) row × array-row steps (the closed form answers)")
        }
    }
}

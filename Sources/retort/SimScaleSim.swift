import Accelerator
import ArgumentParser
import Foundation
import RetortCore

/// `retort sim scalesim`: SCALE-Sim inputs in, SCALE-Sim's COMPUTE_REPORT.csv out.
struct SimScaleSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scalesim",
        abstract: "Run a SCALE-Sim config + topology through Retort's SCALE-Sim-compatible timing and write COMPUTE_REPORT.csv.",
        discussion: """
        Reproduces SCALE-Sim 3.0.0's CALC-mode Total Cycles exactly and its three utilisations to rounding.
        The report goes to <out>/<run_name>/COMPUTE_REPORT.csv, as SCALE-Sim's -p does. The column
        'Total Cycles (incl. prefetch)' (an artefact of SCALE-Sim's SRAM-fill model) is written as n/a.
        """)

    @Option(help: "SCALE-Sim .cfg file: the simulated hardware (this command's own config file, not a run config as `retort train --config` reads).") var config: String
    @Option(help: "Topology CSV (convolution rows, or GEMM rows with --gemm).") var topology: String
    @Flag(help: "The topology has GEMM rows 'Layer, M, N, K,' (SCALE-Sim -i gemm).") var gemm = false
    @Option(help: "Top output directory (SCALE-Sim's -p).") var out: String = "results"
    @Flag(help: "Also replay every layer cycle by cycle (demand-driven) and check it against the closed form.") var simulate = false

    func run() throws {
        // InputFileError prints as one line: file:line: field: message
        let cfg = try ScaleSimConfig.load(path: config)
        let layers = try ScaleSimTopology.load(path: topology, gemm: gemm)
        for n in cfg.notes { print("note: \(n)") }
        print("run \(cfg.runName): \(layers.count) layers on \(cfg.array) (\(cfg.dataflow.rawValue)), CALC-mode timing")
        print(columns([("id", 4), ("layer", 18), ("M", 7), ("K", 7), ("N", 7), ("folds", 7), ("cycles", 10), ("overall %", 10), ("mapping %", 10), ("compute %", 10)]))
        var results: [SystolicResult] = []
        var total = 0
        for (i, l) in layers.enumerated() {
            let plan = FoldPlan(gemm: l.gemm, array: cfg.array, dataflow: cfg.dataflow)
            let r = ScaleSimModel.run(plan)
            if simulate {
                guard SizeLimits.demandSimulationFits(plan) else {
                    throw InputFileError(file: topology, line: l.line, field: l.name,
                                         "--simulate: \(plan.foldCount) folds × \(plan.foldLength) rows on \(plan.array.rows) array rows is beyond the demand simulation's limit (\(SizeLimits.demandRows) rows, \(SizeLimits.demandWork) row × array-row steps); drop --simulate for the closed form")
                }
                let d = DemandSimulation(plan, offsets: cfg.offsets).run()
                guard d.totalCycles == r.totalCycles, d.macs == l.gemm.macs else {
                    throw ValidationError("layer \(l.name): demand simulation \(d.totalCycles) cycles / \(d.macs) MACs vs closed form \(r.totalCycles) / \(l.gemm.macs)")
                }
            }
            results.append(r)
            let (sum, overflow) = total.addingReportingOverflow(r.totalCycles)
            total = overflow ? Int.max : sum
            let name = l.name.count > 18 ? String(l.name.prefix(17)) + "…" : l.name
            print(columns([("\(i)", 4), (name, 18), ("\(l.gemm.m)", 7), ("\(l.gemm.k)", 7), ("\(l.gemm.n)", 7), ("\(r.folds)", 7),
                           ("\(r.totalCycles)", 10), (String(format: "%.2f", r.overallUtil), 10),
                           (String(format: "%.2f", r.mappingEfficiency), 10), (String(format: "%.2f", r.computeUtil), 10)]))
        }
        print("total cycles \(total == Int.max ? "more than \(grouped(Int.max))" : grouped(total))" + (simulate ? " (cycle-by-cycle demand simulation agrees on every layer)" : ""))
        let dir = URL(fileURLWithPath: out).appendingPathComponent(cfg.runName)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("COMPUTE_REPORT.csv")
        try AtomicFile.write(ComputeReport.csv(results), to: file)
        print("wrote \(file.path)")
    }
}

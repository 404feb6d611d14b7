import Accelerator
import ArgumentParser
import Foundation

/// `retort bench sim`: simulator speed. Retort's cycle-by-cycle (demand-driven) SCALE-Sim-
/// compatible simulation on the DeiT-Tiny GEMM set, optionally SCALE-Sim itself on the same
/// set in the same invocation, and the ViTALiTy model on DeiT-Base attention.
struct BenchSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Simulated cycles/s: Retort's GEMM timing on the DeiT-Tiny GEMM set (vs SCALE-Sim with --scalesim) and the ViTALiTy model on DeiT-Base attention.")

    /// `--set`: the GEMM runs timed.
    enum GemmSet: String, ExpressibleByArgument, CaseIterable { case spec, full }

    @Option(help: "GEMM set: 'spec' (the 20 DeiT-Tiny runs of the SCALE-Sim reference, §8) or 'full' (8 shapes × 16²/32² × os/ws/is = 48).") var set: GemmSet = .spec
    @Option(help: "Python with SCALE-Sim 3.0.0 installed: also time SCALE-Sim's run_scale() on the same set (tools/scalesim/bench_scalesim.py).") var scalesim: String?
    @Option(name: .customLong("repeat"), help: "Repetitions (best-of) for Retort's timings.") var repeats: Int = 5

    struct Job { var name: String; var gemm: GemmShape; var array: ArrayShape; var df: Dataflow }

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeat must be ≥ 1") }
    }

    var jobs: [Job] {
        let attn: [(String, Int, Int, Int)] = [("Q·Kᵀ", 197, 64, 197), ("attn·V", 197, 197, 64), ("Kᵀ·V", 64, 197, 64), ("Q·G", 197, 64, 64)]
        let lin: [(String, Int, Int, Int)] = set == .spec ? [("fc1", 197, 192, 768)]
            : [("qkv", 197, 192, 576), ("proj", 197, 192, 192), ("fc1", 197, 192, 768), ("fc2", 197, 768, 192)]
        let dfs: [Dataflow] = set == .spec ? [.outputStationary, .weightStationary] : Dataflow.allCases
        var out: [Job] = []
        for (name, m, k, n) in attn + lin { for a in [16, 32] { for df in dfs {
            out.append(Job(name: name, gemm: GemmShape(m: m, k: k, n: n), array: ArrayShape(rows: a, cols: a), df: df))
        } } }
        return out
    }

    static func seconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    func run() throws {
        let js = jobs
        print("DeiT-Tiny GEMM set '\(set.rawValue)': \(js.count) runs. Retort: cycle-by-cycle demand-driven replay (every demand row, ports and PE wavefront), best of \(repeats).")
        var ours: [Double] = [], cycles: [Int] = []
        for j in js {
            let plan = FoldPlan(gemm: j.gemm, array: j.array, dataflow: j.df)
            var best = Double.infinity, res: DemandSimulationResult? = nil
            for _ in 0..<repeats { best = min(best, Self.seconds { res = DemandSimulation(plan).run() }) }
            precondition(res!.totalCycles == ScaleSimModel.cycles(j.gemm, on: j.array, dataflow: j.df))
            ours.append(best); cycles.append(res!.totalCycles)
        }
        var theirs: [Int: (cycles: Int, wall: Double)] = [:]
        if let py = scalesim {
            guard let script = locateRepoFile("tools/scalesim/bench_scalesim.py") else {
                throw ValidationError("tools/scalesim/bench_scalesim.py not found (run from the repository)")
            }
            print("running SCALE-Sim (\(py) \(script)); this takes about a minute for the 'spec' set…")
            let input = js.enumerated().map { i, j in
                "{\"name\":\"\(i)\",\"m\":\(j.gemm.m),\"k\":\(j.gemm.k),\"n\":\(j.gemm.n),\"rows\":\(j.array.rows),\"cols\":\(j.array.cols),\"dataflow\":\"\(j.df.rawValue)\"}"
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: py)
            p.arguments = [script]
            let inPipe = Pipe(), outPipe = Pipe()
            p.standardInput = inPipe; p.standardOutput = outPipe
            try p.run()
            inPipe.fileHandleForWriting.write(Data(("[" + input.joined(separator: ",") + "]").utf8))
            try inPipe.fileHandleForWriting.close()
            let out = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw ValidationError("SCALE-Sim benchmark failed (exit \(p.terminationStatus))") }
            for line in out.split(separator: "\n") {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let name = o["name"] as? String, let i = Int(name),
                      let c = o["total_cycles"] as? Int, let w = o["run_scale_s"] as? Double else { continue }
                theirs[i] = (c, w)
            }
        }
        print(columns([("GEMM", 7), ("M×K×N", 12), ("array", 6), ("df", 3), ("cycles", 8), ("retort ms", 10), ("Mcycles/s", 10)])
              + (theirs.isEmpty ? "" : columns([("scalesim s", 11), ("cycles/s", 9), ("same", 5), ("ratio", 9)])))
        for (i, j) in js.enumerated() {
            var line = columns([(j.name, 7), ("\(j.gemm)", 12), ("\(j.array)", 6), (j.df.rawValue, 3), ("\(cycles[i])", 8),
                                (String(format: "%.3f", ours[i] * 1e3), 10), (String(format: "%.1f", Double(cycles[i]) / ours[i] / 1e6), 10)])
            if let t = theirs[i] {
                line += columns([(String(format: "%.2f", t.wall), 11), (String(format: "%.0f", Double(t.cycles) / t.wall), 9),
                                 (t.cycles == cycles[i] ? "yes" : "NO", 5), (String(format: "%.0f×", t.wall / ours[i]), 9)])
            }
            print(line)
        }
        let totalCycles = cycles.reduce(0, +), totalOurs = ours.reduce(0, +)
        print(String(format: "retort total: %@ simulated cycles in %.2f ms = %.1f M simulated cycles/s",
                     grouped(totalCycles), totalOurs * 1e3, Double(totalCycles) / totalOurs / 1e6))
        if !theirs.isEmpty {
            let tw = theirs.values.reduce(0) { $0 + $1.wall }
            let agree = js.indices.filter { theirs[$0]?.cycles == cycles[$0] }.count
            print(String(format: "SCALE-Sim total: %.2f s of run_scale() = %.0f simulated cycles/s; cycles agree on %d/%d; wall-time ratio %.0f× (target ≥ 1000×)",
                         tw, Double(totalCycles) / tw, agree, js.count, tw / totalOurs))
        }
        // ViTALiTy model on DeiT-Base attention (12 layers), timing mode.
        print("\nViTALiTy model, DeiT-Base attention (12 layers × 12 heads), event-driven scheduling, best of \(repeats):")
        for k in AttentionKind.allCases {
            var best = Double.infinity, total = 0, tasks = 0
            for _ in 0..<repeats {
                let w = AcceleratorWorkload(model: .deitBase, attention: k)
                var r: AcceleratorReport? = nil
                best = min(best, Self.seconds { r = try? AcceleratorSimulation(workload: w).report() })
                guard let r else { throw ValidationError("DeiT-Base \(k.rawValue) simulation failed") }
                total = r.totalCycles; tasks = r.taskCount
            }
            print(String(format: "  %-7@ %@ cycles, %d tasks, %.2f ms (build + schedule + report) = %.1f M simulated cycles/s",
                         k.rawValue, grouped(total), tasks, best * 1e3, Double(total) / best / 1e6))
        }
    }
}

import Accelerator
import ArgumentParser
import Foundation
import RetortCore
import RunKit

extension KeyCentring: ExpressibleByArgument {}
extension KSumMode: ExpressibleByArgument {}

/// `retort sim vitality`: the ViTALiTy accelerator model, Taylor and/or softmax attention.
struct SimVitality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitality",
        abstract: "Cycle-level ViTALiTy accelerator model: Taylor attention vs a softmax baseline on the same hardware.",
        discussion: """
        Defaults: configs/accelerator/vitality-default.json (every value marked with its source). --config overrides any subset.

        The workload is any ViT: --model names a preset or a run folder of `retort attention train` (or the TUI's \
        Attention tab), whose config.json gives the ViT it trained; --tokens or --image/--patch, --dim, --heads, \
        --depth and --mlp-ratio replace single dimensions of it.
        """)

    /// `--attention`: the attention kinds simulated.
    enum AttentionChoice: String, ExpressibleByArgument, CaseIterable {
        case taylor, softmax, both
        var kinds: [AttentionKind] { self == .both ? [.taylor, .softmax] : [AttentionKind(rawValue: rawValue)!] }
    }

    @Option(help: ArgumentHelp("Workload: a ViT preset (\(ViTModel.presets.map(\.name).joined(separator: ", ")), vit-mnist, vit-digits) or an attention run folder.", valueName: "preset|run-folder")) var model: String = "deit-tiny"
    @OptionGroup var shape: ViTShapeOptions
    @Option(help: "Accelerator JSON config overriding the defaults (same layout as configs/accelerator/vitality-default.json; the hardware, not a run config as `retort train --config` reads).") var config: String?
    @Option(help: "Attention simulated: Taylor, softmax or both.") var attention: AttentionChoice = .both
    @Option(help: "Taylor step 1 centres K over the tokens (the paper) or over the head dimension (the released code; k̂_sum ≠ 0). Default: a run folder's own centring, else tokens.")
    var centring: KeyCentring?
    @Option(name: .customLong("ksum"), help: "Taylor k̂_sum path: compute (the paper's hardware: Step 3's k̂_sum, SA-Diag's Q·k̂_sumᵀ, n divisors t_D) or skip (optimised, tokens centring only: k̂_sum = 0, one divisor n√d).")
    var kSum: KSumMode = .compute
    @Flag(help: "Also simulate the linear layers (QKV, projection, MLP): end-to-end instead of attention-only.") var linear = false
    @Option(help: "Only the first N layers.") var layers: Int?
    @Option(help: "Write a per-unit utilisation timeline CSV (bucketed) to this file.") var timeline: String?
    @Option(help: "Timeline buckets, 1…100000 (the bucket width is total cycles / buckets of the longest run).") var buckets: Int = 200
    @OptionGroup(title: "Sanger baseline") var sanger: SangerOptions

    func validate() throws {
        guard buckets >= 1 else { throw ValidationError("--buckets must be ≥ 1") }
        guard buckets <= 100_000 else { throw ValidationError("--buckets must be at most 100000, got \(buckets)") }
        if let layers { guard layers >= 1 else { throw ValidationError("--layers must be ≥ 1") } }
    }

    /// The Taylor reading simulated and where its centring comes from: `--centring`, else the
    /// run folder's config (a taylor-repo run centres over the head dimension), else tokens.
    static func taylorVariant(centring: KeyCentring?, kSum: KSumMode, source: SimModelSource) throws -> (TaylorVariant, String) {
        let (axis, origin): (KeyCentring, String)
        if let centring { (axis, origin) = (centring, "--centring") }
        else if let run = source.runCentring { (axis, origin) = (run, "the run's config") }
        else { (axis, origin) = (.tokens, "default: the paper") }
        let v = TaylorVariant(centring: axis, kSum: kSum)
        if let p = v.problem { throw ConfigError("--ksum: \(p); the centring is \(axis.rawValue) (\(origin))") }
        return (v, "taylor: centring \(axis.rawValue) (\(origin)), k̂_sum " + (kSum == .skip ? "skipped (optimised: one divisor n√d)" : "computed (the paper's hardware)"))
    }

    /// The ViT simulated, where it came from, the line on sparsity, and the model source.
    func workloadAndSource() throws -> (workload: (model: ViTModel, origin: String, sparsity: String), source: SimModelSource) {
        let src = try SimModelSource.resolve(model, field: "--model")
        guard case .vit(let base) = src.architecture else {
            throw ConfigError("--model: \(model) is not a ViT (the ViTALiTy accelerator runs ViTs; `retort sim topology \(model)` writes its SCALE-Sim topology)")
        }
        try ViTShapeOptions.validate(base, source: src.folder.map { $0.appendingPathComponent("config.json").path } ?? base.name)
        let t = try shape.apply(to: base)
        var origin = src.origin == "preset" ? "preset \(base.name)" : src.origin
        if !shape.given.isEmpty { origin += ", with " + shape.given.joined(separator: " ") }
        var sparsity = "sparsity: none simulated: the accelerator runs ViTALiTy's inference path (dense low-rank Taylor or softmax attention and dense linear layers; the Sanger-style sparse path is training-only), so no part uses a measured value"
        if let (d, e) = src.measuredMaskDensity() {
            sparsity += String(format: "; this run's measured mask density %.4f (metrics.jsonl, epoch %d) is not used", d, e)
        }
        return ((ViTModel(name: t.name, tokens: t.tokens, embed: t.width, heads: t.heads, layers: t.depth, mlpRatio: t.mlpRatio), origin, sparsity), src)
    }

    func run() throws {
        let densities = try sanger.sweep()   // the Sanger values are checked before anything is printed
        try sanger.check()
        let ((m, origin, sparsity), src) = try workloadAndSource()
        let (variant, variantLine) = try Self.taylorVariant(centring: centring, kSum: kSum, source: src)
        let cfg = try config.map { try VitalityConfig.load(path: $0) } ?? .defaults()
        let h = cfg.hardware
        let nl = min(layers ?? m.layers, m.layers)
        print("ViTALiTy accelerator model: \(m.name) (n=\(m.tokens), C=\(m.embed), H=\(m.heads), d=\(m.headDim), \(nl) layer\(nl == 1 ? "" : "s"), MLP ×\(m.mlpRatio)), \(linear ? "attention + linear layers" : "attention only")")
        print("hardware: \(h.chunks) chunk\(h.chunks == 1 ? "" : "s"), SA-General \(h.saRows)×\(h.saCols), SA-Diag \(h.saDiagRows)×1, lanes ACC/ADD/DIV/EXP \(h.accumulatorLanes)/\(h.adderLanes)/\(h.dividerLanes)/\(h.expLanes), "
              + String(format: "%.0f MHz, DRAM %.1f GB/s (%.1f B/cycle), SRAM %.0f KB (in %.0f / scratch %.0f / out %.0f / weight %.0f)",
                       h.clockMHz, h.dramGBPerSecond, h.dramBytesPerCycle,
                       h.sramInputKB + h.sramScratchKB + h.sramOutputKB + h.sramWeightKB, h.sramInputKB, h.sramScratchKB, h.sramOutputKB, h.sramWeightKB))
        print("config: \(config ?? "defaults (configs/accelerator/vitality-default.json)")")
        print("model: \(origin)")
        print(sparsity)
        if attention != .softmax { print(variantLine) }
        var kinds = attention.kinds
        var sangerWorkload: SangerWorkload? = nil
        if sanger.enabled {
            kinds.append(.sanger)
            let (sw, notes) = try sanger.workload(model: m, layers: nl)
            sangerWorkload = sw
            let st = sw.total(layers: nl, heads: m.heads)
            print(String(format: "Sanger baseline: %@; density %.4f, pack-and-split utilisation %.3f (%@, %d PEs per PE row, %d-column vectors, threshold %g)",
                         sw.origin, st.density, sw.utilisation(st), sw.config.skipEmptyVectors ? "empty vectors skipped" : "no skip",
                         sw.config.pesPerRow, sw.config.ports, sw.config.threshold))
            for n in notes { print(n) }
        }
        var reports: [AttentionKind: AcceleratorReport] = [:]
        var sims: [AttentionKind: AcceleratorSimulation] = [:]
        for k in kinds {
            let w = AcceleratorWorkload(model: m, attention: k, includeLinear: linear, layers: nl, sanger: k == .sanger ? sangerWorkload : nil,
                                        taylor: variant)
            let size = WorkloadSize(w, hardware: h)
            guard size.tasks <= SizeLimits.vitTasks, size.tiles <= SizeLimits.vitTiles else {
                throw ConfigError("--model: \(m.name) (\(k.rawValue)\(linear ? ", with linear layers" : "")) is up to \(size.tasks) tasks and \(size.tiles) array tiles; the accelerator model schedules at most \(SizeLimits.vitTasks) tasks and \(SizeLimits.vitTiles) tiles (--layers simulates fewer layers)")
            }
            let sim = AcceleratorSimulation(workload: w, config: cfg)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try sim.report()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            reports[k] = r; sims[k] = sim
            print("")
            Self.printReport(r, title: k.rawValue, wall: wall)
        }
        if let t = reports[.taylor], let s = reports[.softmax] {
            let c = AttentionComparison(taylor: t, softmax: s)
            print("\n== Taylor vs softmax (same hardware) ==")
            print(String(format: "speedup  %.2f× (%@ vs %@ cycles)", c.speedup, grouped(s.totalCycles), grouped(t.totalCycles)))
            print(String(format: "energy   %.2f× less (%.2f vs %.2f µJ)", c.energyRatio, s.totalEnergyPJ / 1e6, t.totalEnergyPJ / 1e6))
            print(String(format: "MACs     %.2f× fewer, divisions %.2f× fewer, exps %@ → 0",
                         Double(s.ops.macs) / Double(max(1, t.ops.macs)), Double(s.ops.divs) / Double(max(1, t.ops.divs)), grouped(s.ops.exps)))
        }
        if let t = reports[.taylor], let s = reports[.softmax], let g = reports[.sanger], let sw = sangerWorkload {
            SangerOptions.printThreeWay(ThreeWayComparison(softmax: s, sanger: g, taylor: t, sparsity: sw), linear: linear, hardware: h)
        }
        if let densities {
            try SangerOptions.printSweep(model: m, densities: densities, linear: linear, layers: nl, config: cfg, options: sanger, taylor: variant)
        }
        if let path = timeline {
            let longest = reports.values.map(\.totalCycles).max() ?? 1
            let w = max(1, (longest + buckets - 1) / buckets)
            let all = sims.values.map(\.units).max { $0.count < $1.count }!  // softmax adds the EXP units
            var lines: [String] = []
            for k in kinds {
                let tl = try sims[k]!.timeline(bucketCycles: w)
                lines += tl.csvRows(label: k.rawValue).map { Self.align($0, units: tl.units, to: all) }
            }
            let text = ([UtilisationTimeline.csvHeader(units: all)] + lines).joined(separator: "\n") + "\n"
            try AtomicFile.write(text, to: URL(fileURLWithPath: path))
            print("\nwrote \(path) (\(lines.count) rows, \(w) cycles per bucket; busy fraction per unit)")
        }
    }

    /// Re-orders a timeline row's unit columns to `all` (missing units → empty).
    static func align(_ row: String, units: [UnitID], to all: [UnitID]) -> String {
        let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var out = Array(f.prefix(3))
        for u in all { out.append(units.firstIndex(of: u).map { f[3 + $0] } ?? "") }
        return out.joined(separator: ",")
    }

    static func printReport(_ r: AcceleratorReport, title: String, wall: Double) {
        print("== \(title) ==")
        print(String(format: "total cycles %@   latency %.2f µs at %.0f MHz   (%d tasks, scheduled in %.3f s)",
                     grouped(r.totalCycles), r.latencySeconds * 1e6, r.clockMHz, r.taskCount, wall))
        print(columns([("unit", 14), ("busy", 10), ("util %", 7), ("stall:dep", 10), ("stall:bw", 9), ("stall:buf", 10), ("idle", 10)]))
        for u in r.units where u.busy > 0 || u.unit.kind == .dram {
            print(columns([(u.unit.description, 14), (grouped(u.busy), 10), (String(format: "%.1f", 100 * u.utilisation), 7),
                           (grouped(u.stallDependency), 10), (grouped(u.stallBandwidth), 9), (grouped(u.stallBuffer), 10), (grouped(u.idle), 10)]))
        }
        let st = r.stallTotals
        print(String(format: "SA-General MAC utilisation %.1f %%;  stall cycles over compute units: dependency %@, bandwidth %@, buffer %@",
                     100 * r.saGeneralMacUtilisation, grouped(st.dependency), grouped(st.bandwidth), grouped(st.buffer)))
        let o = r.ops
        print("ops: MACs \(grouped(o.macs)), adds \(grouped(o.adds)), muls \(grouped(o.muls)), divisions \(grouped(o.divs)), exps \(grouped(o.exps)); SRAM \(grouped(o.sramReads)) reads / \(grouped(o.sramWrites)) writes (words); DRAM \(grouped(o.dramReadBytes)) B read / \(grouped(o.dramWriteBytes)) B written")
        let parts = r.energy.filter { $0.picojoules > 0 }.map { String(format: "%@ %.3f", $0.name, $0.picojoules / 1e6) }
        print(String(format: "energy (µJ): %@; total %.3f µJ", parts.joined(separator: ", "), r.totalEnergyPJ / 1e6))
    }
}

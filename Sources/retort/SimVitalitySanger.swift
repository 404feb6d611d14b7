import Accelerator
import ArgumentParser
import Attention
import Foundation
import RetortCore
import RunKit

/// The Sanger baseline of `retort sim vitality --baseline sanger`: its masks (synthetic or
/// from a trained attention run), the three-way table and the density sweep.
struct SangerOptions: ParsableArguments {
    enum Baseline: String, ExpressibleByArgument, CaseIterable { case sanger }

    @Option(help: "Add a baseline: sanger (the sparse-attention accelerator ViTALiTy compares against) for the three-way table (dense softmax, Sanger, Taylor).") var baseline: Baseline?
    @Option(help: "Sanger: synthetic masks at this density, 0 < D ≤ 1 (default: synthetic_density of configs/accelerator/sanger-default.json).") var density: Double?
    @Option(help: "Sanger: masks of a trained attention run folder (4-bit predicted softmax > --threshold on its test images), resampled to the workload's tokens.", completion: .directory) var masks: String?
    @Option(help: "Sanger: threshold on the predicted probabilities for --masks, 0 < T < 1 (default: the Sanger config's, 0.002).") var threshold: Double?
    @Option(help: "Sanger: row skew of synthetic masks, 0…1 (row densities spread over density·(1 ± skew)).") var rowSkew: Double = 0
    @Option(help: "Sanger: seed of the synthetic masks.") var maskSeed: UInt64 = 1
    @Option(help: "Sanger: test images whose masks --masks measures (the first one's are simulated), 1…256.") var maskImages: Int = 8
    @Option(help: "Sanger: print a sweep over these synthetic densities (comma-separated, e.g. 0.05,0.1,0.2,0.4).") var densitySweep: String?
    @Option(help: "Sanger settings overriding configs/accelerator/sanger-default.json (same layout).") var sangerConfig: String?
    @OptionGroup var dataOptions: DataOptions

    var enabled: Bool { baseline == .sanger }

    /// Sanger-only options given without `--baseline sanger` (a usage error).
    func validate() throws {
        let given = [(density != nil, "--density"), (masks != nil, "--masks"), (threshold != nil, "--threshold"),
                     (densitySweep != nil, "--density-sweep"), (sangerConfig != nil, "--sanger-config")].filter(\.0).map(\.1)
        if baseline == nil, let first = given.first { throw ValidationError("\(first) needs --baseline sanger") }
        if density != nil && masks != nil { throw ValidationError("--density and --masks exclude each other") }
        if threshold != nil && masks == nil { throw ValidationError("--threshold applies to --masks (synthetic masks have a --density)") }
    }

    static func checkDensity(_ d: Double, field: String) throws {
        guard d.isFinite, d > 0, d <= 1 else { throw ConfigError("\(field): must be in (0, 1], got \(d)") }
    }

    /// Checks the values (exit 2, one line) before the command prints anything.
    func check() throws {
        guard enabled else { return }
        _ = try config()
        if let density { try Self.checkDensity(density, field: "--density") }
    }

    func config() throws -> SangerConfig {
        var c = try sangerConfig.map { try SangerConfig.load(path: $0) } ?? .defaults()
        if let threshold {
            guard threshold.isFinite, threshold > 0, threshold < 1 else { throw ConfigError("--threshold: must be in (0, 1), got \(threshold)") }
            c.threshold = threshold
        }
        guard rowSkew.isFinite, rowSkew >= 0, rowSkew <= 1 else { throw ConfigError("--row-skew: must be in 0…1, got \(rowSkew)") }
        guard (1...256).contains(maskImages) else { throw ConfigError("--mask-images: must be in 1…256, got \(maskImages)") }
        return c
    }

    /// The sweep's densities, each checked.
    func sweep() throws -> [Double]? {
        guard let densitySweep else { return nil }
        let parts = densitySweep.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map {
            guard let d = Double($0) else { throw ConfigError("--density-sweep: \"\($0)\" is not a number (a comma-separated list of densities in (0, 1])") }
            try Self.checkDensity(d, field: "--density-sweep")
            return d
        }
    }

    /// The masks Sanger runs with for `model`; `notes`: lines on where they came from.
    func workload(model m: ViTModel, layers: Int) throws -> (SangerWorkload, notes: [String]) {
        let c = try config()
        guard let masks else {
            let d = density ?? c.syntheticDensity
            try Self.checkDensity(d, field: "--density")
            let spec = SyntheticMaskSpec(density: d, rowSkew: rowSkew, seed: maskSeed)
            return (.synthetic(spec, model: m, layers: layers, config: c), [])
        }
        let p = try Self.measure(run: masks, images: maskImages, threshold: Float(c.threshold), dataDirectory: dataOptions)
        let first = p.masks[0].map { layer in layer.map { flags in AttentionMask(n: p.tokens) { flags[$0 * p.tokens + $1] }.resampled(to: m.tokens) } }
        var all = PackSplitStats()
        for image in p.masks { for layer in image { for flags in layer {
            all += PackAndSplit.stats(AttentionMask(n: p.tokens) { flags[$0 * p.tokens + $1] }, ports: c.ports, pes: c.pesPerRow)
        } } }
        var notes = [String(format: "masks of %@ on %d test image%@ (n=%d, %d layers × %d heads, threshold %g): density %.4f, pack-and-split utilisation %.3f (no-skip %.3f)",
                            masks, p.masks.count, p.masks.count == 1 ? "" : "s", p.tokens, p.masks[0].count, p.heads, c.threshold,
                            all.density, all.utilisation, all.utilisationNoSkip)]
        if p.tokens != m.tokens || p.masks[0].count < layers || p.heads < m.heads {
            notes.append("the first image's masks are resampled to n=\(m.tokens) (nearest neighbour) and reused cyclically over \(layers) layers × \(m.heads) heads")
        }
        let origin = String(format: "masks of %@ (first test image, threshold %g)", masks, c.threshold)
        return (SangerWorkload(config: c, origin: origin, masks: first), notes)
    }

    /// Restores the run folder's newest checkpoint read-only and measures its masks.
    static func measure(run: String, images: Int, threshold: Float, dataDirectory: DataOptions) throws -> PredictedMasks {
        let folder = URL(fileURLWithPath: run)
        guard ResumeCommand.isAttentionRun(folder) else {
            throw ConfigError("--masks: \(run): not an attention run folder (its config.json is not `retort attention train`'s)")
        }
        let candidates = CheckpointStore(runFolder: folder).candidates()
        guard let url = candidates.first else { throw ConfigError("--masks: \(run): no checkpoint (the masks need a trained model)") }
        let (s, t) = try AttentionJob.readCheckpoint(url)
        let job = try AttentionJob.fresh(for: s, threads: 1, dataDirectory: dataDirectory.directory(for: s.config.data), data: nil)
        try job.restore(s, t, file: url.path)
        return PredictedMasks.measure(job.model, on: job.data.test, images: images, threshold: threshold)
    }

    // MARK: printing

    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f", 100 * $0) } ?? "-" }

    static func printThreeWay(_ c: ThreeWayComparison, linear: Bool, hardware h: AcceleratorHardware) {
        let s = c.stats
        print("\n== three-way comparison, \(linear ? "end to end (attention + linear layers)" : "attention only") (same PEs, buffers, DRAM and clock) ==")
        print(String(format: "Sanger masks: %@; density %.4f, pack-and-split utilisation %.3f (%d segments of ≤%d over %d PE rows)",
                     c.sparsity.origin, s.density, c.sparsity.utilisation(s), s.segments, c.sparsity.config.pesPerRow,
                     max(1, h.saRows * h.saCols / c.sparsity.config.pesPerRow) * h.chunks))
        print(columns([("attention", 10), ("cycles", 12), ("latency µs", 11), ("energy µJ", 10), ("SA %", 6), ("SA-MAC %", 9),
                       ("ACC %", 6), ("ADD %", 6), ("DIV %", 6), ("EXP %", 6), ("DRAM %", 7), ("time ÷Taylor", 13), ("energy ÷Taylor", 15)]))
        for (name, r) in [("softmax", c.softmax), ("sanger", c.sanger), ("taylor", c.taylor)] {
            let u = { (k: UnitKind) in percent(ThreeWayComparison.utilisation(r, k)) }
            print(columns([(name, 10), (grouped(r.totalCycles), 12), (String(format: "%.2f", r.latencySeconds * 1e6), 11),
                           (String(format: "%.3f", r.totalEnergyPJ / 1e6), 10), (u(.saGeneral), 6), (percent(r.saGeneralMacUtilisation), 9),
                           (u(.accumulator), 6), (u(.adder), 6), (u(.divider), 6), (u(.exp), 6), (u(.dram), 7),
                           (String(format: "%.2f×", Double(r.totalCycles) / Double(c.taylor.totalCycles)), 13),
                           (String(format: "%.2f×", r.totalEnergyPJ / c.taylor.totalEnergyPJ), 15)]))
        }
        print(columns([("paper", 10), ("", 12), ("", 11), ("", 10), ("", 6), ("", 9), ("", 6), ("", 6), ("", 6), ("", 6), ("", 7),
                       (String(format: "%.0f× (Sanger)", ThreeWayComparison.paperSpeedup), 13),
                       (String(format: "%.0f× (Sanger)", ThreeWayComparison.paperEnergyRatio), 15)]))
        print(String(format: "ViTALiTy vs Sanger: %.2f× faster, %.2f× less energy here; the paper's abstract: ≈3× and ≈3× (end to end, against the state of the art)",
                     c.taylorSpeedupOverSanger, c.taylorEnergyOverSanger))
    }

    static func printSweep(model m: ViTModel, densities: [Double], linear: Bool, layers: Int, config cfg: VitalityConfig,
                           options o: SangerOptions, taylor variant: TaylorVariant = .paper) throws {
        let sc = try o.config()
        print("\n== Sanger density sweep, \(m.name), \(linear ? "end to end" : "attention only") (synthetic masks, row skew \(o.rowSkew), seed \(o.maskSeed)) ==")
        let base = { (k: Accelerator.AttentionKind) in try AcceleratorSimulation(workload: AcceleratorWorkload(model: m, attention: k, includeLinear: linear, layers: layers, taylor: variant), config: cfg).report() }
        let t = try base(.taylor), s = try base(.softmax)
        print(columns([("density", 8), ("kept", 8), ("load bal.", 9), ("Sanger cycles", 14), ("energy µJ", 10), ("Taylor faster", 14),
                       ("Taylor less E", 14), ("Sanger vs softmax", 18)]))
        for d in densities {
            let sw = SangerWorkload.synthetic(SyntheticMaskSpec(density: d, rowSkew: o.rowSkew, seed: o.maskSeed), model: m, layers: layers, config: sc)
            let r = try AcceleratorSimulation(workload: AcceleratorWorkload(model: m, attention: .sanger, includeLinear: linear, layers: layers, sanger: sw), config: cfg).report()
            let st = sw.total(layers: layers, heads: m.heads)
            print(columns([(String(format: "%.3f", d), 8), (String(format: "%.4f", st.density), 8), (String(format: "%.3f", sw.utilisation(st)), 9),
                           (grouped(r.totalCycles), 14), (String(format: "%.3f", r.totalEnergyPJ / 1e6), 10),
                           (String(format: "%.2f×", Double(r.totalCycles) / Double(t.totalCycles)), 14),
                           (String(format: "%.2f×", r.totalEnergyPJ / t.totalEnergyPJ), 14),
                           (String(format: "%.2f× faster", Double(s.totalCycles) / Double(r.totalCycles)), 18)]))
        }
        print(String(format: "(Taylor: %@ cycles, %.3f µJ; softmax: %@ cycles, %.3f µJ; paper: Taylor ≈3× faster and ≈3× less energy than Sanger)",
                     grouped(t.totalCycles), t.totalEnergyPJ / 1e6, grouped(s.totalCycles), s.totalEnergyPJ / 1e6))
    }
}

import Accelerator
import XCTest

/// The ViTALiTy accelerator model: op counts against spec vitality §1.5, and schedule invariants.
final class VitalityModelTests: XCTestCase {
    func report(_ m: ViTModel, _ k: AttentionKind, linear: Bool = false, layers: Int? = nil,
                config: VitalityConfig = .defaults()) throws -> (AcceleratorSimulation, AcceleratorReport) {
        let s = AcceleratorSimulation(workload: AcceleratorWorkload(model: m, attention: k, includeLinear: linear, layers: layers), config: config)
        return (s, try s.report())
    }

    /// Spec vitality §1.5: per layer MACs H(2nd² + nd) vs 2Hn²d, divisions H(nd + d) vs Hn², exps 0 vs Hn²,
    /// additions H(5nd + n) vs Hn²; DeiT-Ti: 116,427 exps/divisions vs 38,016 divisions.
    func testOperationCountsMatchSpec() throws {
        for m in [ViTModel.deitTiny, .deitSmall, .deitBase, .mnistViT] {
            let (n, d, H) = (m.tokens, m.headDim, m.heads)
            let (_, t) = try report(m, .taylor, layers: 1)
            let (_, s) = try report(m, .softmax, layers: 1)
            XCTAssertEqual(t.ops.macs, H * (2 * n * d * d + n * d), m.name)
            XCTAssertEqual(t.ops.muls, H * d, m.name)
            XCTAssertEqual(t.ops.divs, H * (n * d + d), m.name)
            XCTAssertEqual(t.ops.adds, H * (5 * n * d + n), m.name)
            XCTAssertEqual(t.ops.exps, 0)
            XCTAssertEqual(s.ops.macs, 2 * H * n * n * d, m.name)
            XCTAssertEqual(s.ops.exps, H * n * n, m.name)
            XCTAssertEqual(s.ops.divs, H * n * n, m.name)
            XCTAssertEqual(s.ops.adds, H * n * n, m.name)
        }
        let (_, t) = try report(.deitTiny, .taylor, layers: 1), (_, s) = try report(.deitTiny, .softmax, layers: 1)
        XCTAssertEqual(s.ops.exps, 116_427); XCTAssertEqual(t.ops.divs, 38_016)
        XCTAssertEqual(Double(s.ops.macs) / Double(t.ops.macs), 3.05, accuracy: 0.01, "≈ n/d")
    }

    func testWorkloadPresets() {
        XCTAssertEqual([ViTModel.deitTiny, .deitSmall, .deitBase].map { [$0.tokens, $0.headDim, $0.heads, $0.embed, $0.layers, $0.mlpRatio] },
                       [[197, 64, 3, 192, 12, 4], [197, 64, 6, 384, 12, 4], [197, 64, 12, 768, 12, 4]])
        XCTAssertEqual([ViTModel.mnistViT.tokens, ViTModel.mnistViT.embed, ViTModel.mnistViT.heads, ViTModel.mnistViT.layers], [50, 64, 4, 4])
    }

    /// Every task runs after its inputs, one task per unit at a time, buffers within capacity,
    /// per-unit states partition the run.
    func testScheduleInvariants() throws {
        var small = VitalityConfig.defaults()
        small.hardware.chunks = 2
        small.hardware.sramScratchKB = 40   // forces softmax spills
        for (cfg, linear) in [(VitalityConfig.defaults(), false), (VitalityConfig.defaults(), true), (small, false), (small, true)] {
            for k in AttentionKind.allCases {
                let (sim, r) = try report(.deitTiny, k, linear: linear, layers: 2, config: cfg)
                let tasks = sim.graph.tasks.map { sim.task($0.id) }
                for t in sim.graph.tasks {
                    let i = tasks[t.id]
                    XCTAssertNotNil(i.start); XCTAssertNotNil(i.end)
                    XCTAssertLessThan(i.start!, i.end!)
                    for d in t.deps { XCTAssertGreaterThanOrEqual(i.start!, tasks[d].end!, "\(t.stage) after \(sim.graph.tasks[d].stage)") }
                    for d in t.streamDeps {
                        XCTAssertGreaterThanOrEqual(i.start!, tasks[d].start!)
                        XCTAssertGreaterThanOrEqual(i.end!, tasks[d].end!, "a streamed consumer ends after its producer")
                    }
                }
                for u in sim.units where u.kind != .dram {
                    let mine = tasks.filter { $0.unit == u }.sorted { $0.start! < $1.start! }
                    for (a, b) in zip(mine, mine.dropFirst()) { XCTAssertLessThanOrEqual(a.end!, b.start!, "\(u) overlaps") }
                }
                for tr in sim.transitions {
                    for b in sim.bufferOccupancy(at: tr.cycle) { XCTAssertLessThanOrEqual(b.usedBytes, b.capacityBytes, "\(b.buffer)") }
                }
                for u in r.units { XCTAssertEqual(u.total, r.totalCycles, "\(u.unit)") }
                XCTAssertEqual(r.totalCycles, tasks.map { $0.end! }.max())
                XCTAssertEqual(sim.bufferOccupancy(at: r.totalCycles).map(\.usedBytes), [0, 0, 0, 0], "all buffers released")
                if cfg.hardware.chunks == 2 && k == .softmax && !linear {
                    XCTAssertTrue(sim.graph.tasks.contains { $0.stage == .spill }, "S (77.6 KB) > 40 KB scratch spills")
                }
            }
        }
    }

    /// Intra-layer pipeline (spec vitality §4.2): head h+1's pre-processing overlaps head h's
    /// SA work; within a head k̂_sum overlaps K̂ᵀV and the adds stream behind the SAs.
    func testIntraLayerPipelineOverlaps() throws {
        let (sim, _) = try report(.deitTiny, .taylor, layers: 1)
        func info(_ s: Stage, _ h: Int) -> TaskInfo { sim.task(sim.graph.tasks.first { $0.stage == s && $0.head == h }!.id) }
        XCTAssertLessThan(info(.kColumnSum, 1).start!, info(.qgGemm, 0).end!, "head 1 pre-processing during head 0")
        XCTAssertLessThan(info(.kHatSum, 0).start!, info(.kvGemm, 0).end!, "k̂_sum overlaps K̂ᵀV")
        XCTAssertLessThan(info(.numeratorAdd, 0).start!, info(.qgGemm, 0).end!, "T_N add streams behind Q·G")
        XCTAssertLessThan(info(.rowDivide, 0).start!, info(.numeratorAdd, 0).end!, "division streams behind the adds")
        XCTAssertGreaterThanOrEqual(info(.kvGemm, 0).start!, info(.kCenter, 0).end!, "centring barrier")
        XCTAssertGreaterThanOrEqual(info(.qgGemm, 0).start!, info(.kvGemm, 0).end!, "Q·G needs all of G")
    }

    func testHeadsRoundRobinOverChunks() throws {
        var cfg = VitalityConfig.defaults()
        cfg.hardware.chunks = 3
        let (sim, r3) = try report(.deitSmall, .taylor, layers: 1, config: cfg)
        for t in sim.graph.tasks where t.head != nil && t.unit.kind != .dram { XCTAssertEqual(t.unit.chunk, t.head! % 3) }
        let (_, r1) = try report(.deitSmall, .taylor, layers: 1)
        XCTAssertLessThan(r3.totalCycles, r1.totalCycles, "more chunks, fewer cycles")
    }

    /// Taylor beats softmax on DeiT attention (fewer MACs, no exps, n·d instead of n² divisions),
    /// costs less energy, and the end-to-end gain is small (linear layers dominate, spec §1.5).
    func testTaylorVersusSoftmax() throws {
        let c = try AttentionComparison.run(model: .deitTiny, layers: 2)
        XCTAssertGreaterThan(c.speedup, 1.5)
        XCTAssertGreaterThan(c.energyRatio, 1.2)
        let e2e = try AttentionComparison.run(model: .deitTiny, includeLinear: true, layers: 1)
        XCTAssertGreaterThan(e2e.speedup, 1.0)
        XCTAssertLessThan(e2e.speedup, c.speedup)
    }

    /// DRAM bandwidth matters: a starved channel produces bandwidth stalls and a longer run.
    func testDramBandwidthStalls() throws {
        var slow = VitalityConfig.defaults()
        slow.hardware.dramGBPerSecond = 2
        let (_, fast) = try report(.deitTiny, .taylor, layers: 2)
        let (_, starved) = try report(.deitTiny, .taylor, layers: 2, config: slow)
        XCTAssertGreaterThan(starved.totalCycles, fast.totalCycles * 3)
        XCTAssertGreaterThan(starved.stallTotals.bandwidth, fast.stallTotals.bandwidth)
        let sa = starved.units.first { $0.unit.kind == .saGeneral }!
        XCTAssertGreaterThan(sa.stallBandwidth, 0)
    }

    func testEnergyBreakdownFollowsTable() throws {
        let (_, r) = try report(.deitTiny, .softmax, layers: 1)
        let e = VitalityConfig.defaults().energy
        let byName = Dictionary(uniqueKeysWithValues: r.energy.map { ($0.name, $0.picojoules) })
        XCTAssertEqual(byName["exp"]!, Double(r.ops.exps) * e.exp, accuracy: 1e-6)
        XCTAssertEqual(byName["DRAM"]!, Double(r.ops.dramReadBytes + r.ops.dramWriteBytes) * e.dramPerByte, accuracy: 1e-6)
        XCTAssertEqual(byName["static"]!, Double(r.totalCycles) * e.staticPerCycle, accuracy: 1e-6)
        XCTAssertEqual(r.totalEnergyPJ, r.energy.map(\.picojoules).reduce(0, +), accuracy: 1e-6)
    }

    func testTimelineBuckets() throws {
        let s = AcceleratorSimulation(workload: AcceleratorWorkload(model: .deitTiny, attention: .taylor, layers: 1))
        let r = try s.report()
        let tl = try s.timeline(bucketCycles: 100)
        XCTAssertEqual(tl.busy.count, (r.totalCycles + 99) / 100)
        for (u, unit) in tl.units.enumerated() {
            let busy = tl.busy.enumerated().reduce(0.0) { acc, e in
                acc + e.element[u] * Double(min(r.totalCycles, (e.offset + 1) * 100) - e.offset * 100)
            }
            XCTAssertEqual(busy, Double(r.units.first { $0.unit == unit }!.busy), accuracy: 1e-6)
        }
        XCTAssertEqual(tl.csvRows(label: "taylor").count, tl.busy.count)
    }

    /// Tensors larger than their buffer spill to DRAM (and are re-read); tiny buffers only
    /// slow the run down, they must not deadlock it.
    func testTinyBuffersSpillButFinish() throws {
        var cfg = VitalityConfig.defaults()
        cfg.hardware.sramOutputKB = 4; cfg.hardware.sramWeightKB = 4; cfg.hardware.sramInputKB = 4; cfg.hardware.sramScratchKB = 4
        for k in AttentionKind.allCases {
            let s = AcceleratorSimulation(workload: AcceleratorWorkload(model: .mnistViT, attention: k, includeLinear: true, layers: 2), config: cfg)
            let r = try s.report()
            let (_, big) = try report(.mnistViT, k, linear: true, layers: 2)
            XCTAssertTrue(s.graph.tasks.contains { $0.stage == .spill })
            XCTAssertGreaterThan(r.ops.dramReadBytes, big.ops.dramReadBytes)
            XCTAssertGreaterThan(r.totalCycles, big.totalCycles)
        }
    }
}

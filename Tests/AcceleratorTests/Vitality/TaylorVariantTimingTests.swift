import Accelerator
import XCTest

/// The Taylor readings on the timing model: tokens centring on the paper's hardware, tokens
/// with k̂_sum skipped (optimised), head centring. Expected numbers are derived here from the
/// timing rules (docs/accelerator.md, ViTALiTy notes §5.2) for DeiT-Tiny's first layer on the
/// default hardware: n = 197, d = 64, H = 3; A = D = 64 lanes, ACC latency 1, DIV latency 8,
/// SA-Diag 64×1 double-buffered.
final class TaylorVariantTimingTests: XCTestCase {
    let (n, d, H) = (197, 64, 3)
    static let tokens = TaylorVariant(centring: .tokens), skip = TaylorVariant(centring: .tokens, kSum: .skip)
    static let head = TaylorVariant(centring: .head)

    func run(_ v: TaylorVariant) throws -> (AcceleratorSimulation, AcceleratorReport) {
        let s = AcceleratorSimulation(workload: AcceleratorWorkload(model: .deitTiny, attention: .taylor, layers: 1, taylor: v), config: .defaults())
        return (s, try s.report())
    }

    func unit(_ r: AcceleratorReport, _ k: UnitKind) -> UnitReport { r.units.first { $0.unit.kind == k }! }

    func duration(_ s: AcceleratorSimulation, _ stage: Stage) -> Int? { s.graph.tasks.first { $0.stage == stage }?.duration }

    func testStepOneShapeDiffersBetweenTheReadings() throws {
        let (ts, tr) = try run(Self.tokens), (hs, hr) = try run(Self.head)
        // tokens: d column sums, n rows through 64 lanes: 197·⌈64/64⌉ + 1; ÷ n: ⌈64/64⌉ + 8
        XCTAssertEqual(duration(ts, .kColumnSum), 198)
        XCTAssertNil(duration(ts, .kRowSum))
        XCTAssertEqual(duration(ts, .kMean), 9)
        // head: n row sums, one token per lane: ⌈197/64⌉ = 4 groups of 64 entries, + 1; ÷ d: ⌈197/64⌉ + 8
        XCTAssertEqual(duration(hs, .kRowSum), 4 * 64 + 1)
        XCTAssertNil(duration(hs, .kColumnSum))
        XCTAssertEqual(duration(hs, .kMean), 12)
        XCTAssertEqual(tr.stageCycles[.kMean], 3 * 9)
        XCTAssertEqual(hr.stageCycles[.kMean], 3 * 12)
        XCTAssertEqual(hr.stageCycles[.kRowSum], 3 * 257)
        // ACC runs the step-1 sums, v_sum and k̂_sum back to back: 3 heads × (198 or 257 + 198 + 198)
        XCTAssertEqual(unit(tr, .accumulator).busy, 3 * (198 + 198 + 198))
        XCTAssertEqual(unit(hr, .accumulator).busy, 3 * (257 + 198 + 198))
        // divisions: d means (tokens) or n means (head), plus n·d in step 6
        XCTAssertEqual(unit(tr, .divider).ops.divs, H * (d + n * d))
        XCTAssertEqual(unit(hr, .divider).ops.divs, H * (n + n * d))
        // n means instead of d: written by the sums, read and written by ÷, read by the centring
        XCTAssertEqual(hr.ops.sramReads - tr.ops.sramReads, H * 2 * (n - d))
        XCTAssertEqual(hr.ops.sramWrites - tr.ops.sramWrites, H * 2 * (n - d))
        // both compute k̂_sum and Q·k̂_sumᵀ: one SA-Diag tile, 197 + 64 + 1 − 2 + 64 preload = 324
        for (s, r) in [(ts, tr), (hs, hr)] {
            XCTAssertEqual(duration(s, .qkDiag), 324)
            XCTAssertEqual(unit(r, .saDiag).busy, 3 * 324)
            XCTAssertEqual(unit(r, .saDiag).ops.macs, H * n * d)
            XCTAssertNotNil(duration(s, .denominatorAdd))
        }
    }

    func testOptimisedModeSkipsTheKSumPath() throws {
        let (ts, tr) = try run(Self.tokens), (ss, sr) = try run(Self.skip)
        for stage in [Stage.kHatSum, .qkDiag, .denominatorAdd] {
            XCTAssertNil(duration(ss, stage), "\(stage) skipped")
            XCTAssertNotNil(duration(ts, stage))
        }
        XCTAssertEqual(ts.graph.tasks.count - ss.graph.tasks.count, 3 * 3)
        XCTAssertEqual(unit(sr, .saDiag).busy, 0)
        XCTAssertEqual(unit(sr, .saDiag).ops.macs, 0)
        XCTAssertEqual(unit(sr, .accumulator).busy, 3 * (198 + 198), "column sums and v_sum only")
        // Step 6 is the same n·d divisions (one divisor n√d), the same charged cycles: 197·1 + 8
        XCTAssertEqual(duration(ss, .rowDivide), 205)
        XCTAssertEqual(duration(ts, .rowDivide), 205)
        XCTAssertEqual(unit(sr, .divider).ops.divs, H * (d + n * d))
        // ops: no n·d SA-Diag MACs, no k̂_sum (n·d adds) and no n denominator adds per head
        XCTAssertEqual(tr.ops.macs - sr.ops.macs, H * n * d)
        XCTAssertEqual(sr.ops.macs, H * 2 * n * d * d)
        XCTAssertEqual(tr.ops.adds - sr.ops.adds, H * (n * d + n))
        // energy falls by exactly those operations and their SRAM words (static energy aside)
        XCTAssertLessThan(sr.totalEnergyPJ, tr.totalEnergyPJ)
        XCTAssertLessThanOrEqual(sr.totalCycles, tr.totalCycles)
    }

    func testGraphSizeBoundHoldsForEveryVariant() {
        let hw = VitalityConfig.defaults().hardware
        for v in [Self.tokens, Self.skip, Self.head] {
            for linear in [false, true] {
                let w = AcceleratorWorkload(model: .deitTiny, attention: .taylor, includeLinear: linear, layers: 2, taylor: v)
                let g = TaskGraph.build(w, hardware: hw)
                let tiles = g.tasks.reduce(0) { $0 + ($1.sa?.tiles.count ?? 0) }
                let est = WorkloadSize(w, hardware: hw)
                XCTAssertGreaterThanOrEqual(est.tasks, g.tasks.count)
                XCTAssertGreaterThanOrEqual(est.tiles, tiles)
                if !linear { XCTAssertEqual(est.tiles, tiles, "\(v): attention tiles counted exactly") }
            }
        }
    }

    /// Layers run one after another and each layer's first head's step 1 is on the critical
    /// path (its load, then sums → ÷ → centring → K̂ᵀV), so head centring moves the end by
    /// (row sums − column sums) + (÷ d − ÷ n) per layer: DeiT-Tiny (n 197, d 64)
    /// (4·64 + 1 − 198) + (12 − 9) = +62; MNIST-ViT (n 50, d 16) (1·16 + 1 − 51) + (9 − 9) = −34.
    /// The skipped k̂_sum path is off the critical path: the same total.
    func testCriticalPathShiftsByTheStepOneDifference() throws {
        for (m, perLayer) in [(ViTModel.deitTiny, 62), (.mnistViT, -34)] {
            func total(_ v: TaylorVariant) throws -> Int {
                try AcceleratorSimulation(workload: AcceleratorWorkload(model: m, attention: .taylor, layers: 2, taylor: v), config: .defaults()).report().totalCycles
            }
            let t = try total(Self.tokens)
            XCTAssertEqual(try total(Self.head) - t, 2 * perLayer, m.name)
            XCTAssertEqual(try total(Self.skip), t, m.name)
        }
    }

    /// Schedule invariants hold in every reading (deps respected, one task per unit at a time,
    /// buffers within capacity and empty at the end).
    func testScheduleInvariantsInEveryReading() throws {
        var two = VitalityConfig.defaults()
        two.hardware.chunks = 2
        for v in [Self.skip, Self.head] {
            for cfg in [VitalityConfig.defaults(), two] {
                let sim = AcceleratorSimulation(workload: AcceleratorWorkload(model: .deitSmall, attention: .taylor, layers: 2, taylor: v), config: cfg)
                let r = try sim.report()
                let tasks = sim.graph.tasks.map { sim.task($0.id) }
                for t in sim.graph.tasks {
                    for d in t.deps { XCTAssertGreaterThanOrEqual(tasks[t.id].start!, tasks[d].end!) }
                    for d in t.streamDeps { XCTAssertGreaterThanOrEqual(tasks[t.id].end!, tasks[d].end!) }
                }
                for u in sim.units where u.kind != .dram {
                    let mine = tasks.filter { $0.unit == u }.sorted { $0.start! < $1.start! }
                    for (a, b) in zip(mine, mine.dropFirst()) { XCTAssertLessThanOrEqual(a.end!, b.start!, "\(u) overlaps") }
                }
                for tr in sim.transitions {
                    for b in sim.bufferOccupancy(at: tr.cycle) { XCTAssertLessThanOrEqual(b.usedBytes, b.capacityBytes) }
                }
                XCTAssertEqual(sim.bufferOccupancy(at: r.totalCycles).map(\.usedBytes), [0, 0, 0, 0])
            }
        }
    }
}

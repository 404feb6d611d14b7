import Accelerator
import Foundation
import RetortCore
import XCTest

enum RNGForTests { static func make(_ seed: UInt64) -> RNG { RNG(seed: seed) } }

final class SangerModelTests: XCTestCase {
    /// bench_sanger.py by hand for seq_len 512 (BERT-base, hidden 768), density 0.2, load
    /// balance 0.5: stage 1 = 512·768²·6 = 1.811939328 GFLOP at 2048 GOPS = 884.736 µs;
    /// stage 2 = 512²·768·4 + 512·768²·2 = 1.409286144 GFLOP at 2048/0.2·0.5 = 5120 GOPS
    /// = 275.2512 µs; total 1.1599872 ms.
    func testFirstOrderModelReproducesBenchSanger() {
        let g = SangerFirstOrder.gflops(seqLen: 512)
        XCTAssertEqual(g.stage1, 1.811939328, accuracy: 1e-12)
        XCTAssertEqual(g.stage2, 1.409286144, accuracy: 1e-12)
        XCTAssertEqual(SangerFirstOrder.latency(density: 0.2, loadBalance: 0.5, seqLen: 512), 1.1599872e-3, accuracy: 1e-12)
        // density 1 and perfect balance: stage 2 runs at the dense rate
        XCTAssertEqual(SangerFirstOrder.latency(density: 1, loadBalance: 1, seqLen: 128),
                       (SangerFirstOrder.gflops(seqLen: 128).stage1 + SangerFirstOrder.gflops(seqLen: 128).stage2) / 2048, accuracy: 1e-15)
    }

    /// The same seed gives the same masks; another seed different ones; the density is the one asked for.
    func testSyntheticMasksAreReproducibleBySeed() {
        let a = SyntheticMaskSpec(density: 0.2, rowSkew: 0.5, seed: 3).masks(tokens: 197, layers: 2, heads: 3)
        let b = SyntheticMaskSpec(density: 0.2, rowSkew: 0.5, seed: 3).masks(tokens: 197, layers: 2, heads: 3)
        let c = SyntheticMaskSpec(density: 0.2, rowSkew: 0.5, seed: 4).masks(tokens: 197, layers: 2, heads: 3)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        for m in a.joined() {
            XCTAssertEqual(m.density, 0.2, accuracy: 0.01)
            for i in 0..<m.n { XCTAssertGreaterThan(m.kept(row: i), 0, "every row keeps its largest probability") }
        }
    }

    /// Row skew spreads the row densities without moving their mean.
    func testRowSkewSpreadsRows() {
        var r1 = RNG(seed: 9), r2 = RNG(seed: 9)
        let flat = SyntheticMaskSpec(density: 0.3).mask(n: 197, rng: &r1)
        let skewed = SyntheticMaskSpec(density: 0.3, rowSkew: 1).mask(n: 197, rng: &r2)
        func spread(_ m: AttentionMask) -> Double {
            let k = (0..<m.n).map { Double(m.kept(row: $0)) }, mean = k.reduce(0, +) / Double(k.count)
            return (k.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(k.count)).squareRoot()
        }
        XCTAssertGreaterThan(spread(skewed), 3 * spread(flat))
        XCTAssertEqual(skewed.density, 0.3, accuracy: 0.03)
    }

    func sanger(_ density: Double, model: ViTModel = .deitTiny, layers: Int = 2, linear: Bool = false) throws -> AcceleratorReport {
        let sw = SangerWorkload.synthetic(SyntheticMaskSpec(density: density), model: model, layers: layers, config: .defaults())
        return try AcceleratorSimulation(workload: AcceleratorWorkload(model: model, attention: .sanger, includeLinear: linear, layers: layers,
                                                                       sanger: sw)).report()
    }

    /// At density 1 Sanger does the dense work (softmax's MACs and divisions) plus the prediction:
    /// n²d 4-bit MACs and n² more exps per head; its cycles lie between softmax's and softmax's
    /// plus the prediction stages' busy cycles.
    func testDensityOneIsDenseCostPlusPrediction() throws {
        let m = ViTModel.deitTiny, n = m.tokens, d = m.headDim, heads = 2 * m.heads
        let g = try sanger(1)
        let s = try AcceleratorSimulation(workload: AcceleratorWorkload(model: m, attention: .softmax, layers: 2)).report()
        XCTAssertEqual(g.ops.macs, s.ops.macs)
        XCTAssertEqual(g.ops.divs, s.ops.divs)
        XCTAssertEqual(g.ops.exps, 2 * s.ops.exps)
        XCTAssertEqual(g.ops.lowMacs, heads * n * n * d)
        let prediction = [Stage.predictQuantize, .predictQK, .predictExp, .predictRowSum, .threshold].reduce(0) { $0 + (g.stageCycles[$1] ?? 0) }
        XCTAssertGreaterThan(prediction, 0)
        XCTAssertGreaterThanOrEqual(g.totalCycles, s.totalCycles)
        XCTAssertLessThanOrEqual(g.totalCycles, s.totalCycles + prediction)
        XCTAssertGreaterThan(g.totalEnergyPJ, s.totalEnergyPJ)
    }

    /// More kept scores never cost fewer cycles or less energy.
    func testCostIsMonotonicInDensity() throws {
        var last: AcceleratorReport? = nil
        for d in [0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1] {
            let r = try sanger(d)
            if let last {
                XCTAssertGreaterThanOrEqual(r.totalCycles, last.totalCycles, "density \(d)")
                XCTAssertGreaterThan(r.totalEnergyPJ, last.totalEnergyPJ, "density \(d)")
                XCTAssertGreaterThan(r.ops.macs, last.ops.macs)
            }
            last = r
        }
    }

    /// The sparse pass takes ⌈segments / PE rows⌉ waves of d + pes − 1 cycles each (hand
    /// case: 3 segments, 4096/16 = 256 PE rows, d = 64 → 1 wave of 79 cycles; 600 segments →
    /// 3 waves; no skip adds the empty vectors).
    func testSparsePassWaves() {
        let hw = VitalityConfig.defaults().hardware
        var c = SangerConfig.defaults()
        var s = PackAndSplit.stats(vectorCounts: [20, 6, 0], pes: 16, entries: 3 * 64)
        XCTAssertEqual(SangerTiming.sparsePass(n: 70, d: 64, stats: s, hw: hw, config: c).cycles, 79)
        s.segments = 600
        let p = SangerTiming.sparsePass(n: 70, d: 64, stats: s, hw: hw, config: c)
        XCTAssertEqual(p.peRows, 256)
        XCTAssertEqual(p.waves, 3)
        c.skipEmptyVectors = false
        s.segments = 256
        XCTAssertEqual(SangerTiming.sparsePass(n: 70, d: 64, stats: s, hw: hw, config: c).waves, 2, "the empty vector takes a slot")
    }

    /// The prediction pass: n²d MACs at R·C·p per cycle plus the fill.
    func testPredictionCycles() {
        let hw = VitalityConfig.defaults().hardware
        let w = SangerTiming.predictionWork(n: 197, d: 64, hw: hw, macsPerPE: 4)
        XCTAssertEqual(w.macs, 197 * 197 * 64)
        XCTAssertEqual(w.cycles, (197 * 197 * 64 + 16383) / 16384 + 126)
        XCTAssertGreaterThan(SangerTiming.predictionWork(n: 197, d: 64, hw: hw, macsPerPE: 1).cycles, w.cycles)
    }

    /// The three-way comparison runs every kind on the same workload; Taylor beats Sanger at 0.2.
    func testThreeWayComparison() throws {
        let sw = SangerWorkload.synthetic(SyntheticMaskSpec(density: 0.2), model: .deitTiny, layers: 1, config: .defaults())
        let c = try ThreeWayComparison.run(model: .deitTiny, layers: 1, sanger: sw)
        XCTAssertEqual(c.stats.density, 0.2, accuracy: 0.01)
        XCTAssertGreaterThan(c.taylorSpeedupOverSanger, 1)
        XCTAssertEqual(c.sanger.workload.attention, .sanger)
        XCTAssertNotNil(ThreeWayComparison.utilisation(c.sanger, .exp))
        XCTAssertNil(ThreeWayComparison.utilisation(c.taylor, .exp))
    }
}

final class SangerConfigTests: XCTestCase {
    func testEmbeddedDefaultsEqualTheCommittedFile() throws {
        let path = repoFile("configs/accelerator/sanger-default.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw XCTSkip("repository file not available: \(path)") }
        XCTAssertEqual(SangerConfig.defaultJSON + "\n", String(decoding: data, as: UTF8.self))
        let c = SangerConfig.defaults()
        XCTAssertEqual(c.threshold, 0.002)
        XCTAssertEqual(c.pesPerRow, 16)
        XCTAssertEqual(c.ports, 64)
        for k in SangerConfig.keys {
            let src = try XCTUnwrap(c.sources["sanger.\(k)"], k)
            XCTAssertTrue(src.hasPrefix("[C]") || src.hasPrefix("[P]") || src.hasPrefix("[R]"), "\(k): \(src)")
        }
    }

    func testOverridesAndBadValues() throws {
        let o = try SangerConfig.parse(#"{"sanger": {"pes_per_row": 32, "threshold": 0.02}}"#, file: "o.json", base: .defaults())
        XCTAssertEqual(o.pesPerRow, 32)
        XCTAssertEqual(o.threshold, 0.02)
        XCTAssertEqual(o.ports, 64)
        XCTAssertThrowsError(try SangerConfig.parse(#"{"sanger": {"threshold": 1.5}}"#, file: "o.json", base: .defaults())) {
            XCTAssertEqual(($0 as? InputFileError)?.field, "sanger.threshold")
        }
        XCTAssertThrowsError(try SangerConfig.parse(#"{"sanger": {"pes_per_row": 128}}"#, file: "o.json", base: .defaults())) {
            XCTAssertEqual(($0 as? InputFileError)?.field, "sanger.pes_per_row")
        }
        XCTAssertThrowsError(try SangerConfig.parse(#"{"sanger": {"bogus": 1}}"#, file: "o.json", base: .defaults()))
    }
}

import Accelerator
import XCTest

/// Operands moving through PE registers give the matrix product, in the timing model's cycles.
final class FunctionalArrayTests: XCTestCase {
    func testRandomProductsAllDataflows() {
        var seed: UInt64 = 11
        let shapes: [(Int, Int, Int, Int, Int)] = [(1, 1, 1, 1, 1), (5, 3, 6, 4, 3), (7, 13, 5, 4, 4), (9, 4, 11, 3, 5),
                                                   (16, 16, 16, 4, 4), (3, 20, 2, 8, 2), (12, 7, 9, 5, 1), (6, 9, 8, 1, 6)]
        for (m, k, n, r, c) in shapes {
            let a = Matrix.random(rows: m, cols: k, seed: seed), b = Matrix.random(rows: k, cols: n, seed: seed + 1)
            seed += 2
            let ref = a * b
            for df in Dataflow.allCases {
                let arr = ArrayShape(rows: r, cols: c)
                let run = FunctionalSystolicArray(array: arr, dataflow: df).multiply(a, b)
                let tag = "\(m)×\(k)×\(n) on \(r)×\(c) \(df.rawValue)"
                XCTAssertLessThan(run.product.maxAbsDifference(ref), 1e-12, tag)
                XCTAssertEqual(run.totalCycles, ScaleSimModel.cycles(GemmShape(m: m, k: k, n: n), on: arr, dataflow: df), tag)
                XCTAssertEqual(run.macs, m * k * n, tag)
            }
        }
    }

    /// The registers' MAC pattern in every cycle equals the wavefront the timing model (and
    /// the UI's PE map) derives analytically.
    func testRegisterActivityEqualsWavefront() {
        let g = GemmShape(m: 7, k: 5, n: 6), arr = ArrayShape(rows: 3, cols: 4)
        let a = Matrix.random(rows: 7, cols: 5, seed: 3), b = Matrix.random(rows: 5, cols: 6, seed: 4)
        for df in Dataflow.allCases {
            let plan = FoldPlan(gemm: g, array: arr, dataflow: df)
            var cycles = 0
            _ = FunctionalSystolicArray(array: arr, dataflow: df).multiply(a, b) { cyc in
                let f = plan.fold(cyc.fold), local = cyc.cycle - cyc.fold * plan.foldLength
                for r in 0..<arr.rows { for c in 0..<arr.cols {
                    XCTAssertEqual(cyc.macMask[r * arr.cols + c], plan.peBusy(fold: f, row: r, col: c, localCycle: local),
                                   "\(df) cycle \(cyc.cycle) PE(\(r),\(c))")
                } }
                XCTAssertEqual(cyc.macMask.filter { $0 }.count, plan.busyPEs(fold: f, localCycle: local))
                cycles += 1
            }
            XCTAssertEqual(cycles, plan.foldCount * plan.foldLength)
        }
    }

    /// Double-buffered preloads (the ViTALiTy model's SA timing): same product, fewer cycles,
    /// equal to SAWork's tile schedule.
    func testOverlappedPreload() {
        let a = Matrix.random(rows: 10, cols: 9, seed: 5), b = Matrix.random(rows: 9, cols: 7, seed: 6)
        for df in [Dataflow.weightStationary, .inputStationary] {
            let arr = ArrayShape(rows: 4, cols: 3)
            let f = FunctionalSystolicArray(array: arr, dataflow: df, overlappedPreload: true)
            let run = f.multiply(a, b)
            XCTAssertLessThan(run.product.maxAbsDifference(a * b), 1e-12)
            XCTAssertEqual(run.totalCycles, f.expectedCycles(GemmShape(m: 10, k: 9, n: 7)))
            XCTAssertLessThan(run.totalCycles, ScaleSimModel.cycles(GemmShape(m: 10, k: 9, n: 7), on: arr, dataflow: df))
            // SAWork (WS: stream M rows, reduce over K, N columns) charges the same
            if df == .weightStationary {
                let w = SAWork(ms: 10, kr: 9, nc: 7, rows: 4, cols: 3, doubleBuffered: true)
                XCTAssertEqual(w.duration - 1, run.totalCycles)
                XCTAssertEqual(w.macs, 10 * 9 * 7)
            }
        }
    }

    func testIntegerProductsAreExact() {
        var g = SplitMix64(seed: 9)
        let a = Matrix(rows: 13, cols: 17, data: (0..<(13 * 17)).map { _ in Double(Int.random(in: -9...9, using: &g)) })
        let b = Matrix(rows: 17, cols: 11, data: (0..<(17 * 11)).map { _ in Double(Int.random(in: -9...9, using: &g)) })
        for df in Dataflow.allCases {
            XCTAssertEqual(FunctionalSystolicArray(array: ArrayShape(rows: 4, cols: 5), dataflow: df).multiply(a, b).product, a * b)
        }
    }
}

/// The six Taylor steps run on the functional arrays as the model maps them: Z equals the
/// quadratic centred-Taylor form, and each array's register-level cycle count equals the
/// duration the timing model charges for that stage.
final class TaylorFunctionalTests: XCTestCase {
    func testTaylorStepsOnTheArraysMatchReferenceAndTiming() throws {
        let (n, d) = (23, 8)
        let q = Matrix.random(rows: n, cols: d, seed: 21), k = Matrix.random(rows: n, cols: d, seed: 22), v = Matrix.random(rows: n, cols: d, seed: 23)
        let r = TaylorAttentionFunctional.run(q: q, k: k, v: v, rows: 4, cols: 4, diagRows: 4)
        XCTAssertLessThan(r.z.maxAbsDifference(TaylorAttentionFunctional.reference(q: q, k: k, v: v)), 1e-12)
        // the timing model's tasks for the same shapes
        var cfg = VitalityConfig.defaults()
        cfg.hardware.saRows = 4; cfg.hardware.saCols = 4; cfg.hardware.saDiagRows = 4
        let model = ViTModel(name: "tiny", tokens: n, embed: d, heads: 1, layers: 1, mlpRatio: 4)
        let sim = AcceleratorSimulation(workload: AcceleratorWorkload(model: model, attention: .taylor), config: cfg)
        func dur(_ s: Stage) -> Int { sim.graph.tasks.first { $0.stage == s }!.duration }
        XCTAssertEqual(r.kvCycles, dur(.kvGemm))
        XCTAssertEqual(r.qgCycles, dur(.qgGemm))
        XCTAssertEqual(r.diagCycles, dur(.qkDiag))
    }
}

import Accelerator
import Attention
import RetortCore
import XCTest

/// The functional model's two centring readings and the optimised tokens mode against the
/// quadratic form and against the attention engine's Taylor kernel on the same Q, K, V.
final class TaylorCentringFunctionalTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    func qkv(n: Int, d: Int, seed: UInt64) -> (Matrix, Matrix, Matrix) {
        (Matrix.random(rows: n, cols: d, seed: seed), Matrix.random(rows: n, cols: d, seed: seed + 1),
         Matrix.random(rows: n, cols: d, seed: seed + 2))
    }

    /// The engine's forward for one image and one head: each token's row is q | k | v.
    func engine(_ q: Matrix, _ k: Matrix, _ v: Matrix, centring: TaylorCentring) -> Matrix {
        let n = q.rows, d = q.cols
        var x = [Float](repeating: 0, count: n * 3 * d)
        for i in 0..<n {
            for c in 0..<d {
                x[i * 3 * d + c] = Float(q[i, c]); x[i * 3 * d + d + c] = Float(k[i, c]); x[i * 3 * d + 2 * d + c] = Float(v[i, c])
            }
        }
        let core = AttentionCore(kind: .taylor, heads: 1)
        core.centring = centring
        let y = core.forward(Tensor(shape: [1, n, 3 * d], values: x), training: false)
        return Matrix(rows: n, cols: d, data: (0..<(n * d)).map { Double(y.data[$0]) })
    }

    func testBothReadingsEqualTheQuadraticFormAndTheEngine() {
        for (n, d, seed) in [(23, 8, 31 as UInt64), (9, 16, 41), (70, 4, 51)] {
            let (q, k, v) = qkv(n: n, d: d, seed: seed)
            for centring in KeyCentring.allCases {
                let r = TaylorAttentionFunctional.run(q: q, k: k, v: v, rows: 4, cols: 4, diagRows: 4, variant: TaylorVariant(centring: centring))
                let label = "n \(n) d \(d) \(centring)"
                XCTAssertLessThan(r.z.maxAbsDifference(TaylorAttentionFunctional.reference(q: q, k: k, v: v, centring: centring)), 1e-12, label)
                let e = engine(q, k, v, centring: TaylorCentring(rawValue: centring.rawValue)!)
                XCTAssertLessThan(r.z.maxAbsDifference(e), 1e-5, label)
            }
            // the readings differ on the same input, and only head centring has k̂_sum ≠ 0 and distinct t_D
            let tok = TaylorAttentionFunctional.run(q: q, k: k, v: v, rows: 4, cols: 4, diagRows: 4, variant: TaylorVariant(centring: .tokens))
            let head = TaylorAttentionFunctional.run(q: q, k: k, v: v, rows: 4, cols: 4, diagRows: 4, variant: TaylorVariant(centring: .head))
            XCTAssertGreaterThan(tok.z.maxAbsDifference(head.z), 1e-4)
            XCTAssertLessThan(tok.kHatSum!.map(abs).max()!, 1e-12)
            XCTAssertGreaterThan(head.kHatSum!.map(abs).max()!, 1e-3)
            let nSqrtD = Double(n) * Double(d).squareRoot()
            XCTAssertLessThan(tok.divisors.map { abs($0 - nSqrtD) }.max()!, 1e-12)
            XCTAssertGreaterThan(head.divisors.map { abs($0 - nSqrtD) }.max()!, 1e-3)
        }
    }

    /// Skipping k̂_sum with tokens centring gives the same Z with one divisor and no SA-Diag pass.
    func testOptimisedTokensModeIsExact() {
        let (q, k, v) = qkv(n: 23, d: 8, seed: 61)
        let full = TaylorAttentionFunctional.run(q: q, k: k, v: v, rows: 4, cols: 4, diagRows: 4)
        let skip = TaylorAttentionFunctional.run(q: q, k: k, v: v, rows: 4, cols: 4, diagRows: 4, variant: TaylorVariant(centring: .tokens, kSum: .skip))
        XCTAssertLessThan(skip.z.maxAbsDifference(full.z), 1e-12)
        XCTAssertNil(skip.diagCycles); XCTAssertNil(skip.kHatSum)
        XCTAssertEqual(Set(skip.divisors), [23 * Double(8).squareRoot()])
        XCTAssertEqual(skip.kvCycles, full.kvCycles); XCTAssertEqual(skip.qgCycles, full.qgCycles)
        XCTAssertNotNil(TaylorVariant(centring: .head, kSum: .skip).problem, "head centring cannot skip k̂_sum")
        XCTAssertNil(TaylorVariant(centring: .tokens, kSum: .skip).problem)
    }

    /// Head centring's arrays take the cycles the timing model charges for the same shapes.
    func testHeadCentringArrayCyclesEqualTheTimingModel() {
        let (n, d) = (23, 8)
        let (q, k, v) = qkv(n: n, d: d, seed: 71)
        let r = TaylorAttentionFunctional.run(q: q, k: k, v: v, rows: 4, cols: 4, diagRows: 4, variant: TaylorVariant(centring: .head))
        var cfg = VitalityConfig.defaults()
        cfg.hardware.saRows = 4; cfg.hardware.saCols = 4; cfg.hardware.saDiagRows = 4
        let model = ViTModel(name: "tiny", tokens: n, embed: d, heads: 1, layers: 1, mlpRatio: 4)
        let sim = AcceleratorSimulation(workload: AcceleratorWorkload(model: model, attention: .taylor, taylor: TaylorVariant(centring: .head)), config: cfg)
        func dur(_ s: Stage) -> Int { sim.graph.tasks.first { $0.stage == s }!.duration }
        XCTAssertEqual(r.kvCycles, dur(.kvGemm))
        XCTAssertEqual(r.qgCycles, dur(.qgGemm))
        XCTAssertEqual(r.diagCycles, dur(.qkDiag))
    }
}

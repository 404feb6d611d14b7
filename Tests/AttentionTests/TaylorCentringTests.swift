import XCTest
import RetortCore
import Attention

/// Taylor attention's step 1 over the head dimension (the released code's reading) against
/// the quadratic form it stands for, and its backward by finite differences.
final class TaylorCentringTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    /// Z_i = Σ_j (1 + q_i·k̂_j/√d)·v_j / Σ_j (1 + q_i·k̂_j/√d), k̂_j = k_j − mean_c k_jc, per image and head.
    func quadratic(_ x: Tensor, b: Int, n: Int, h: Int, d: Int) -> [Double] {
        let w = h * d
        var out = [Double](repeating: 0, count: b * n * w)
        for img in 0..<b {
            for head in 0..<h {
                func at(_ t: Int, _ part: Int, _ c: Int) -> Double { Double(x.data[(img * n + t) * 3 * w + part * w + head * d + c]) }
                var khat = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
                for j in 0..<n {
                    let m = (0..<d).reduce(0.0) { $0 + at(j, 1, $1) } / Double(d)
                    for c in 0..<d { khat[j][c] = at(j, 1, c) - m }
                }
                for i in 0..<n {
                    var num = [Double](repeating: 0, count: d), den = 0.0
                    for j in 0..<n {
                        let wgt = 1 + (0..<d).reduce(0.0) { $0 + at(i, 0, $1) * khat[j][$1] } / Double(d).squareRoot()
                        den += wgt
                        for c in 0..<d { num[c] += wgt * at(j, 2, c) }
                    }
                    for c in 0..<d { out[(img * n + i) * w + head * d + c] = num[c] / den }
                }
            }
        }
        return out
    }

    func testHeadCentringIsTheQuadraticFormAtSeveralSizes() {
        for (b, n, h, d) in [(2, 6, 2, 4), (1, 9, 1, 16), (2, 5, 3, 8)] {
            let x = randomTensor([b, n, 3 * h * d], seed: UInt64(n * d), std: 0.5)
            let core = AttentionCore(kind: .taylor, heads: h)
            core.centring = .head
            let y = core.forward(x, training: false)
            let ref = quadratic(x, b: b, n: n, h: h, d: d)
            var worst = 0.0
            for i in 0..<ref.count { worst = max(worst, abs(Double(y.data[i]) - ref[i]) / max(1e-3, abs(ref[i]))) }
            XCTAssertLessThan(worst, 1e-4, "b \(b) n \(n) h \(h) d \(d)")
            // the tokens reading differs on the same input (k̂_sum ≠ 0 here)
            let tokens = AttentionCore(kind: .taylor, heads: h).forward(x, training: false)
            var diff: Float = 0
            for i in 0..<y.count { diff = max(diff, abs(y.data[i] - tokens.data[i])) }
            XCTAssertGreaterThan(diff, 1e-4, "head and token centring must differ")
        }
    }

    func testHeadCentringGradientsD4() { gradients(d: 4) }
    func testHeadCentringGradientsD16() { gradients(d: 16) }  // d = 16 would take the tiled forward with token centring

    func gradients(d: Int) {
        let core = AttentionCore(kind: .taylor, heads: 2)
        core.centring = .head
        GradCheck.assert(core, input: randomTensor([2, 6, 3 * 2 * d], seed: 21, std: 0.5), eps: 1e-2, tolerance: 1e-2)
    }

    func testHeadCentringSparseGradients() {
        let sparse = AttentionCore(kind: .taylorSparse, heads: 2, sparse: SparseConfig(threshold: 0.05, bits: 0))
        sparse.centring = .head
        GradCheck.assert(sparse, input: randomTensor([2, 6, 3 * 2 * 4], seed: 3, std: 2), eps: 1e-2, tolerance: 1e-2)
    }
}

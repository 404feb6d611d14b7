import XCTest
import RetortCore
import Attention

/// The tiled Taylor forward (d a multiple of 16) saves what the per-head backward needs: finite
/// differences through it, with tails of the 64-row blocks and 32-row output blocks, on one
/// thread (pairs split) and two (a pair's row blocks split).
final class TaylorTiledTests: XCTestCase {
    override func setUp() { Threads.set(1) }
    override func tearDown() { Threads.set(1) }

    func testTiledForwardGradientsMatchFiniteDifferences() {
        for threads in [1, 2] {
            Threads.set(threads)
            GradCheck.assert(tiled(heads: 2), input: randomTensor([1, 70, 3 * 2 * 16], seed: 101),
                             eps: 1e-2, tolerance: 1e-2, maxSamples: 200)
        }
    }

    /// The same numbers as the quadratic form at sizes that end mid-block, through both splits.
    func testTiledMatchesTheQuadraticFormAcrossBlockEdges() {
        for threads in [1, 2] {
            Threads.set(threads)
            for (b, n, h, d) in [(1, 130, 1, 32), (5, 67, 2, 16)] {
                let qkv = randomTensor([b, n, 3 * h * d], seed: UInt64(n + d), std: 0.7)
                let ref = Reference.assemble(Reference.heads(qkv, heads: h).map { Reference.taylorQuadratic(q: $0.q, k: $0.k, v: $0.v) },
                                             batch: b, heads: h)
                let y = tiled(heads: h).forward(qkv, training: true)
                XCTAssertLessThan(relativeError(y, ref), 2e-5, "threads \(threads) b \(b) n \(n) h \(h) d \(d)")
            }
        }
    }

    /// A Taylor core that takes the tiled forward at every n (its default starts at n = 128).
    func tiled(heads: Int) -> AttentionCore {
        let c = AttentionCore(kind: .taylor, heads: heads)
        c.tiledTaylorMinTokens = 0
        return c
    }
}

import XCTest
import RetortCore
import Attention
import RetortTestSupport

/// The per-head softmax kernel's micro-kernel path (small heads, d a multiple of 16: a training
/// step below the fused kernel's n = 128): finite differences, PyTorch's SDPA in float64, and the
/// BLAS path of the same kernel (d = 16 and n = 103 are on the tile path; n = 200 at d = 16 is
/// above the small-head limit, n²·d < 262 144, and on BLAS).
final class SoftmaxTileTests: XCTestCase {
    override func setUp() { Threads.set(1) }
    override func tearDown() { Threads.set(1) }

    func perHead(heads: Int) -> AttentionCore {
        let c = AttentionCore(kind: .softmax, heads: heads)
        c.fusedSoftmax = false
        return c
    }

    /// vit-mnist's token count and head size (n = 50: 2 keys past three 16-column panels, a
    /// masked 2-row block on AVX2), one head: with Float outputs the central difference's
    /// rounding noise grows with the output count (≈ 1.2e-4 absolute at two heads, eps 1e-2).
    func testTilePathMatchesFiniteDifferences() {
        GradCheck.assert(perHead(heads: 1), input: randomTensor([1, 50, 3 * 16], seed: 91), eps: 1e-2, tolerance: 1e-2, maxSamples: 300)
    }

    /// The fixture's n = 103, d = 16 (keys padded to 112), one and two threads, training and
    /// inference forwards (the saved map has stride n; the inference map is the padded tile).
    func testTilePathMatchesPyTorch() throws {
        let f = try Fixture("attn_softmax_tiles16")
        for threads in [1, 2] {
            Threads.set(threads)
            let c = perHead(heads: f.int("heads"))
            let y = c.forward(f.tensor("qkv"), training: true)
            XCTAssertLessThanOrEqual(relativeError(y, f.tensor("y")), 1e-5, "threads \(threads): output")
            XCTAssertLessThanOrEqual(relativeError(c.backward(f.tensor("dy")), f.tensor("dqkv")), 1e-5, "threads \(threads): dqkv")
            XCTAssertEqual(maxAbsDiff(perHead(heads: f.int("heads")).forward(f.tensor("qkv"), training: false), y), 0,
                           "threads \(threads): inference equals the training forward")
        }
    }

    /// The micro-kernel path against the fused kernel (sgemm-free on both sides) at sizes around
    /// the 16-column panels and the 6-row blocks, batch > 1.
    func testTilePathMatchesTheFusedKernel() {
        for (i, (b, n, h, d)) in [(2, 17, 1, 16), (1, 50, 4, 16), (3, 31, 2, 32), (1, 64, 2, 48)].enumerated() {
            XCTAssertLessThan(n * n * d, 262_144)
            let qkv = randomTensor([b, n, 3 * h * d], seed: 95 + UInt64(i), std: 1.5)
            let fused = AttentionCore(kind: .softmax, heads: h)
            fused.fusedSoftmaxMinTokens = 0
            let ref = perHead(heads: h)
            let yf = fused.forward(qkv, training: true), yr = ref.forward(qkv, training: true)
            XCTAssertLessThan(relativeError(yr, yf), 2e-6, "b \(b) n \(n) h \(h) d \(d): forward")
            let dy = randomTensor(yf.shape, seed: 99 + UInt64(i))
            XCTAssertLessThan(relativeError(ref.backward(dy), fused.backward(dy)), 2e-5, "b \(b) n \(n) h \(h) d \(d): backward")
        }
    }
}

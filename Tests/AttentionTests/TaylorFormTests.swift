import XCTest
import RetortCore
import Attention

/// The six-step linear kernel against the quadratic forms it must equal.
final class TaylorFormTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    func run(_ kind: AttentionKind, _ qkv: Tensor, heads: Int) -> Tensor {
        AttentionCore(kind: kind, heads: heads).forward(qkv, training: false)
    }

    func testLinearTaylorEqualsQuadraticCentredTaylor() {
        for (b, n, h, d, seed) in [(1, 5, 1, 4, 1), (2, 33, 3, 16, 2), (3, 50, 4, 16, 3), (1, 197, 3, 64, 4)] as [(Int, Int, Int, Int, UInt64)] {
            let qkv = randomTensor([b, n, 3 * h * d], seed: seed, std: 0.7)
            let ref = Reference.assemble(Reference.heads(qkv, heads: h).map { Reference.taylorQuadratic(q: $0.q, k: $0.k, v: $0.v) },
                                         batch: b, heads: h)
            let err = relativeError(run(.taylor, qkv, heads: h), ref)
            XCTAssertLessThan(err, 2e-5, "b \(b) n \(n) h \(h) d \(d)")
        }
    }

    func testTaylorIsNotSoftmaxButApproximatesItForSmallLogits() {
        let (b, n, h, d) = (2, 40, 2, 16)
        func errors(std: Float) -> Double {
            let qkv = randomTensor([b, n, 3 * h * d], seed: 9, std: std)
            let soft = run(.softmax, qkv, heads: h), tay = run(.taylor, qkv, heads: h)
            var num = 0.0, den = 0.0
            for i in 0..<soft.count { num += pow(Double(tay[i] - soft[i]), 2); den += pow(Double(soft[i]), 2) }
            return (num / den).squareRoot()
        }
        let small = errors(std: 0.3), large = errors(std: 2)
        XCTAssertLessThan(small, 0.02, "logits of order 0.1: exp(x) ≈ 1 + x")
        XCTAssertGreaterThan(large, 5 * small, "large logits must expose the first-order error")
    }

    func testSoftmaxMatchesReference() {
        let (b, n, h, d) = (2, 37, 3, 8)
        let qkv = randomTensor([b, n, 3 * h * d], seed: 5, std: 1.5)
        let ref = Reference.assemble(Reference.heads(qkv, heads: h).map { Reference.softmaxAttention(q: $0.q, k: $0.k, v: $0.v) },
                                     batch: b, heads: h)
        XCTAssertLessThan(relativeError(run(.softmax, qkv, heads: h), ref), 1e-5)
    }

    /// The pair-parallel path (many small heads) and the one-head-at-a-time path with
    /// threaded rows give the same numbers as a single thread.
    func testThreadingDoesNotChangeResults() {
        for kind in AttentionKind.allCases {
            for (b, n) in [(16, 20), (1, 300)] {
                let qkv = randomTensor([b, n, 3 * 2 * 16], seed: 21, std: 1)
                Threads.set(1)
                let one = AttentionCore(kind: kind, heads: 2)
                let y1 = one.forward(qkv, training: true)
                let dy = randomTensor(y1.shape, seed: 22)
                let g1 = one.backward(dy)
                Threads.set(2)
                let two = AttentionCore(kind: kind, heads: 2)
                let y2 = two.forward(qkv, training: true)
                let g2 = two.backward(dy)
                XCTAssertLessThan(relativeError(y2, y1), 1e-6, "\(kind) b \(b) n \(n) forward")
                XCTAssertLessThan(relativeError(g2, g1), 1e-5, "\(kind) b \(b) n \(n) backward")
            }
        }
        Threads.set(1)
    }
}

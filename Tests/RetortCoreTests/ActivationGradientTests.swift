import Foundation
import XCTest
import RetortCore

final class ActivationGradientTests: XCTestCase {
    /// Inputs spread over (−8, 8) but at least 0.1 away from the kinks at 0 and 6,
    /// so central differences with ε = 1e-2 never straddle one.
    private func awayFromKinks(_ shape: [Int], seed: UInt64) -> Tensor {
        let x = randomTensor(shape, seed: seed, std: 4)
        for i in 0..<x.count {
            for kink: Float in [0, 6] where abs(x[i] - kink) < 0.1 { x[i] = kink + (x[i] < kink ? -0.1 : 0.1) }
            x[i] = min(max(x[i], -8), 8)
        }
        return x
    }

    func testReLU() {
        let x = Tensor(shape: [1, 4], values: [-2, -0.5, 0.5, 3])
        XCTAssertEqual(ReLU().forward(x, training: true).array, [0, 0, 0.5, 3])
        GradCheck.assert(ReLU(), input: awayFromKinks([4, 16], seed: 1))
    }

    func testReLU6() {
        let x = Tensor(shape: [1, 5], values: [-2, 0.5, 3, 6.5, 9])
        XCTAssertEqual(ReLU6().forward(x, training: true).array, [0, 0.5, 3, 6, 6])
        GradCheck.assert(ReLU6(), input: awayFromKinks([4, 16], seed: 2))
    }

    func testGELUValuesMatchExactErfForm() {
        // torch.nn.functional.gelu(torch.tensor([-3., -1., -0.5, 0., 0.5, 1., 2.]))
        let x = Tensor(shape: [7], values: [-3, -1, -0.5, 0, 0.5, 1, 2])
        let expected: [Float] = [-0.00404969, -0.15865525, -0.15426877, 0, 0.34573123, 0.84134475, 1.95449974]
        let y = GELU().forward(x, training: false)
        for i in 0..<7 { XCTAssertEqual(y[i], expected[i], accuracy: 1e-6) }
    }

    /// The vectorised erf/exp (16 lanes, the tail padded) stay within 1e-6 of the exact
    /// double-precision GELU and its derivative over −10…10, in the body and in the tail.
    func testGELUMatchesTheExactFormOverAWideRange() {
        let n = 1037                                         // not a multiple of 16: a 13-element tail
        let x = Tensor(shape: [n], values: (0..<n).map { Float(-10 + 20 * Double($0) / Double(n - 1)) })
        let g = GELU()
        let y = g.forward(x, training: true)
        let dx = g.backward(Tensor(shape: [n], repeating: 1))
        for i in 0..<n {
            let v = Double(x[i]), cdf = 0.5 * (1 + erf(v / 2.0.squareRoot())), pdf = exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            XCTAssertEqual(Double(y[i]), v * cdf, accuracy: 1e-6, "GELU(\(v))")
            XCTAssertEqual(Double(dx[i]), cdf + v * pdf, accuracy: 1e-6, "GELU'(\(v))")
        }
    }

    func testGELUGradients() {
        GradCheck.assert(GELU(), input: randomTensor([3, 20], seed: 3, std: 2))
    }

    func testSoftmax() {
        let x = randomTensor([4, 7], seed: 4, std: 3)
        let y = Softmax().forward(x, training: false)
        for r in 0..<4 {
            var s: Float = 0
            for j in 0..<7 { XCTAssertGreaterThan(y[r * 7 + j], 0); s += y[r * 7 + j] }
            XCTAssertEqual(s, 1, accuracy: 1e-5)
        }
        // Large logits must not overflow.
        let big = Softmax().forward(Tensor(shape: [1, 2], values: [1000, 1000]), training: false)
        XCTAssertEqual(big.array, [0.5, 0.5])
        GradCheck.assert(Softmax(), input: x)
        GradCheck.assert(Softmax(), input: randomTensor([2, 3, 5], seed: 5))
    }
}

import XCTest
import RetortCore

final class LayerNormTests: XCTestCase {
    func testForwardNormalisesEachRow() {
        let ln = LayerNorm(8)
        XCTAssertEqual(ln.weight.value.array, [Float](repeating: 1, count: 8))
        XCTAssertFalse(ln.weight.decays)
        XCTAssertFalse(ln.bias.decays)
        let x = randomTensor([3, 8], seed: 1, std: 3)
        let y = ln.forward(x, training: true)
        for r in 0..<3 {
            var m: Float = 0, v: Float = 0
            for j in 0..<8 { m += y[r * 8 + j] }
            m /= 8
            for j in 0..<8 { v += (y[r * 8 + j] - m) * (y[r * 8 + j] - m) }
            XCTAssertEqual(m, 0, accuracy: 1e-5)
            XCTAssertEqual(v / 8, 1, accuracy: 1e-3)
        }
    }

    func testGradients() {
        let ln = LayerNorm(6)
        var rng = RNG(seed: 2)
        ln.weight.value.fillUniform(0.5, 1.5, rng: &rng)
        ln.bias.value.fillUniform(-0.5, 0.5, rng: &rng)
        GradCheck.assert(ln, input: randomTensor([2, 3, 6], seed: 3))
    }

    func testSlicedWidthKeepsOutsideGradientsZero() {
        let ln = LayerNorm(6)
        GradCheck.assert(ln, input: randomTensor([4, 4], seed: 4))
        for j in 4..<6 { XCTAssertEqual(ln.weight.grad[j], 0); XCTAssertEqual(ln.bias.grad[j], 0) }
    }
}

import XCTest
import RetortCore

final class LinearGradientTests: XCTestCase {
    func testLinearGradients() {
        var rng = RNG(seed: 1)
        GradCheck.assert(Linear(5, 4, rng: &rng), input: randomTensor([3, 5], seed: 2))
        GradCheck.assert(Linear(5, 4, bias: false, rng: &rng), input: randomTensor([3, 5], seed: 3))
        // rank-3 input: rows are all leading dimensions
        GradCheck.assert(Linear(4, 3, rng: &rng), input: randomTensor([2, 3, 4], seed: 4))
    }

    /// The first-k slice of a wide Linear equals a narrow Linear holding the slice, and
    /// leaves gradients outside the slice at exactly zero.
    func testSlicedLinear() {
        var rng = RNG(seed: 5)
        let wide = Linear(10, 8, rng: &rng), narrow = Linear(6, 5, rng: &rng)
        wide.activeOut = 5
        for o in 0..<5 {
            for i in 0..<6 { narrow.weight.value[o * 6 + i] = wide.weight.value[o * 10 + i] }
            narrow.bias!.value[o] = wide.bias!.value[o]
        }
        let x = randomTensor([4, 6], seed: 6)
        let yw = wide.forward(x, training: true), yn = narrow.forward(x, training: true)
        XCTAssertEqual(yw.shape, [4, 5])
        XCTAssertLessThanOrEqual(maxAbsDiff(yw, yn), 1e-6)
        let dy = randomTensor([4, 5], seed: 7)
        wide.zeroGrad(); narrow.zeroGrad()
        XCTAssertLessThanOrEqual(maxAbsDiff(wide.backward(dy), narrow.backward(dy)), 1e-6)
        for o in 0..<8 {
            for i in 0..<10 {
                let g = wide.weight.grad[o * 10 + i]
                if o < 5 && i < 6 { XCTAssertEqual(g, narrow.weight.grad[o * 6 + i], accuracy: 1e-5) }
                else { XCTAssertEqual(g, 0, "weight grad outside the slice at [\(o), \(i)]") }
            }
            if o >= 5 { XCTAssertEqual(wide.bias!.grad[o], 0) }
        }
        GradCheck.assert(wide, input: x)
    }
}

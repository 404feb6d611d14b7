import XCTest
import RetortCore

final class ShapeLayerTests: XCTestCase {
    func testGlobalAvgPool() {
        let x = randomTensor([2, 3, 4, 5], seed: 1)
        let y = GlobalAvgPool().forward(x, training: false)
        XCTAssertEqual(y.shape, [2, 5])
        for i in 0..<2 {
            for c in 0..<5 {
                var s: Float = 0
                for p in 0..<12 { s += x[(i * 12 + p) * 5 + c] }
                XCTAssertEqual(y[i * 5 + c], s / 12, accuracy: 1e-5)
            }
        }
        GradCheck.assert(GlobalAvgPool(), input: x)
    }

    func testFlattenIsAViewAndBackwardRestoresShape() {
        let f = Flatten()
        let x = randomTensor([2, 3, 4, 5], seed: 2)
        let y = f.forward(x, training: true)
        XCTAssertEqual(y.shape, [2, 60])
        XCTAssertTrue(y.storage === x.storage)
        XCTAssertEqual(y.array, x.array)
        let dx = f.backward(randomTensor([2, 60], seed: 3))
        XCTAssertEqual(dx.shape, [2, 3, 4, 5])
        GradCheck.assert(Flatten(), input: x)
    }

    func testResidualOfLinear() {
        var rng = RNG(seed: 4)
        let inner = Linear(6, 6, rng: &rng)
        let res = Residual(inner)
        XCTAssertEqual(res.parameters.map(\.name), inner.parameters.map(\.name))
        let x = randomTensor([3, 6], seed: 5)
        let y = res.forward(x, training: true)
        let h = inner.forward(x, training: true)
        for i in 0..<y.count { XCTAssertEqual(y[i], x[i] + h[i], accuracy: 1e-6) }
        GradCheck.assert(res, input: x)
    }

    func testResidualOfConvBlock() {
        var rng = RNG(seed: 6)
        // GELU rather than ReLU: a smooth block keeps central differences away from kinks.
        let block = Sequential([Conv2d(4, 4, kernel: 3, padding: 1, rng: &rng), GELU(),
                                Conv2d(4, 4, kernel: 1, rng: &rng)])
        let res = Residual(block)
        XCTAssertEqual(res.parameters.count, 4)
        GradCheck.assert(res, input: randomTensor([2, 4, 4, 4], seed: 7), eps: 5e-3)
    }
}

import XCTest
import RetortCore

final class DropoutTests: XCTestCase {
    func testIdentityWhenNotTraining() {
        let d = Dropout(p: 0.5, seed: 1)
        let x = randomTensor([4, 8], seed: 2)
        let y = d.forward(x, training: false)
        XCTAssertEqual(y.array, x.array)
        let dy = randomTensor([4, 8], seed: 3)
        XCTAssertEqual(d.backward(dy).array, dy.array)
    }

    func testInvertedScalingAndRate() {
        let d = Dropout(p: 0.25, seed: 4)
        let x = Tensor(shape: [100, 100], repeating: 1)
        let y = d.forward(x, training: true)
        var dropped = 0
        for i in 0..<y.count {
            if y[i] == 0 { dropped += 1 } else { XCTAssertEqual(y[i], 1 / 0.75, accuracy: 1e-6) }
        }
        XCTAssertEqual(Double(dropped) / 10_000, 0.25, accuracy: 0.02)
        // The gradient uses the same mask.
        let g = d.backward(Tensor(shape: [100, 100], repeating: 2))
        for i in 0..<g.count { XCTAssertEqual(g[i], 2 * y[i], accuracy: 1e-6) }
    }

    func testSeedReproducesMasksAndPassesDiffer() {
        let x = Tensor(shape: [8, 8], repeating: 1)
        let a = Dropout(p: 0.5, seed: 9), b = Dropout(p: 0.5, seed: 9)
        let a1 = a.forward(x, training: true).array
        XCTAssertEqual(a1, b.forward(x, training: true).array)
        XCTAssertNotEqual(a1, a.forward(x, training: true).array)
    }

    func testGradients() {
        let d = Dropout(p: 0.3, seed: 5)
        // Replay the same mask on every pass of the checker.
        GradCheck.assert(d, input: randomTensor([3, 10], seed: 6), beforeForward: { d.reseed(77) })
    }
}

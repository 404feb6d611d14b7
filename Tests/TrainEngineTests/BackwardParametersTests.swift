import RetortCore
import RetortModels
import XCTest

/// `backwardParameters` (what training runs) skips only the first layer's input gradient:
/// every parameter gradient equals the full `backward`'s, bit for bit.
final class BackwardParametersTests: XCTestCase {
    /// Runs forward + (full or parameter-only) backward on a fresh copy and returns the gradients.
    private func gradients(_ make: () -> Layer, input: [Int], full: Bool) -> [[Float]] {
        let net = make()
        var rng = RNG(seed: 11)
        let x = Tensor(shape: input); x.fillNormal(std: 1, rng: &rng)
        let y = net.forward(x, training: true)
        let dy = Tensor(shape: y.shape); dy.fillNormal(std: 1, rng: &rng)
        for p in net.parameters { p.grad.zero() }
        if full { _ = net.backward(dy) } else { net.backwardParameters(dy) }
        return net.parameters.map { Array(UnsafeBufferPointer(start: $0.grad.data, count: $0.count)) }
    }

    private func assertSameGradients(_ make: () -> Layer, input: [Int], file: StaticString = #filePath, line: UInt = #line) {
        let full = gradients(make, input: input, full: true)
        let params = gradients(make, input: input, full: false)
        XCTAssertEqual(full.count, params.count, file: file, line: line)
        XCTAssertTrue(full.contains { $0.contains { $0 != 0 } }, "no gradient at all", file: file, line: line)
        for (i, (a, b)) in zip(full, params).enumerated() { XCTAssertEqual(a, b, "parameter \(i)", file: file, line: line) }
    }

    func testMLP() {
        assertSameGradients({ MLP(inputs: 20, hidden: [16, 8], classes: 5, seed: 3) }, input: [6, 20])
    }

    func testTinyCNN() {
        assertSameGradients({ TinyCNN(.digits(), seed: 4) }, input: [3, 8, 8, 1])
    }

    /// Each Conv2d path as a first layer: direct loops (cin·k² ≤ 32), im2col, pointwise.
    func testConvolutionPaths() {
        for (cin, k) in [(1, 3), (8, 3), (8, 1)] {
            assertSameGradients({
                var rng = RNG(seed: UInt64(cin * 10 + k))
                return Sequential([Conv2d(cin, 6, kernel: k, padding: k / 2, rng: &rng), ReLU(),
                                   Conv2d(6, 4, kernel: 3, padding: 1, rng: &rng)])
            }, input: [2, 7, 7, cin])
        }
    }

    func testLinearFirstLayerOnly() {
        assertSameGradients({ var rng = RNG(seed: 2); return Linear(12, 7, rng: &rng) }, input: [5, 12])
    }
}

import Attention
import RetortCore
import XCTest

/// The ViT's training backward skips the image's gradient only: every parameter gradient
/// equals the full backward's, bit for bit.
final class ViTBackwardParametersTests: XCTestCase {
    func testParameterGradientsEqualTheFullBackward() {
        let config = ViTConfig(name: "tiny", imageSize: 8, patchSize: 4, width: 16, heads: 2, depth: 2)
        func grads(full: Bool) -> [[Float]] {
            let vit = VisionTransformer(config, kind: .taylor, seed: 5)
            var rng = RNG(seed: 6)
            let x = Tensor(shape: [3, 8, 8, 1]); x.fillNormal(std: 1, rng: &rng)
            let y = vit.forward(x, training: true)
            let dy = Tensor(shape: y.shape); dy.fillNormal(std: 1, rng: &rng)
            for p in vit.parameters { p.grad.zero() }
            if full { _ = vit.backward(dy) } else { vit.backwardParameters(dy) }
            return vit.parameters.map { Array(UnsafeBufferPointer(start: $0.grad.data, count: $0.count)) }
        }
        let a = grads(full: true), b = grads(full: false)
        XCTAssertEqual(a.count, b.count)
        XCTAssertTrue(a.allSatisfy { $0.contains { $0 != 0 } }, "every parameter gets a gradient")
        for (i, (u, v)) in zip(a, b).enumerated() { XCTAssertEqual(u, v, "parameter \(i)") }
    }
}

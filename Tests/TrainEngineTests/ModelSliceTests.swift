import RetortCore
import RetortModels
import XCTest

/// Models allocated at a wide maximum run their first-k slice; the sliced network must
/// equal a network of the narrow size holding the same (copied) weights.
final class ModelSliceTests: XCTestCase {
    /// `batchNorms` lists every BatchNorm in forward order (the order of their γ parameters).
    func testBatchNormsAreListedInForwardOrder() {
        let cnn = TinyCNN(.mnist(), seed: 1)
        let gammas = cnn.parameters.filter { $0.name.hasSuffix("_bn.weight") }.map(\.name)
        XCTAssertEqual(cnn.batchNorms.map(\.weight.name), gammas)
        XCTAssertEqual(cnn.batchNorms.first?.weight.name, "stem_bn.weight")
        XCTAssertEqual(cnn.batchNorms.last?.weight.name, "head_bn.weight")
        XCTAssertGreaterThan(cnn.batchNorms.count, 2)
        XCTAssertTrue(MLP(inputs: 4, hidden: [3], classes: 2, seed: 1).batchNorms.isEmpty)
    }

    func testTinyCNNSliceRunsAndTouchesOnlyItsChannels() {
        let wide = TinyCNN(.digits(), maxOutput: 2, maxExpand: 1.5, seed: 3)
        var rng = RNG(seed: 9)
        let x = Tensor(shape: [4, 8, 8, 1]); x.fillNormal(std: 1, rng: &rng)
        wide.setWidth(.uniform(output: 1, expand: 1, groups: wide.widthGroups, blocks: 3))
        for p in wide.parameters { p.grad.zero() }
        let y = wide.forward(x, training: true)
        XCTAssertEqual(y.shape, [4, 10])
        let (_, g) = crossEntropy(logits: y, labels: [0, 1, 2, 3])
        _ = wide.backward(g)
        // The stem's output channels beyond the student's 16 get no gradient.
        let stem = wide.parameters.first { $0.name == "stem.weight" }!
        XCTAssertEqual(stem.shape, [32, 1, 3, 3])
        let beyond = (16 * 9..<32 * 9).map { stem.grad[$0] }
        XCTAssertTrue(beyond.allSatisfy { $0 == 0 })
        XCTAssertTrue((0..<16 * 9).contains { stem.grad[$0] != 0 })
        // And the widest configuration also runs.
        wide.setWidth(wide.maxWidth)
        XCTAssertEqual(wide.forward(x, training: true).shape, [4, 10])
    }

    func testMLPSliceEqualsNarrowNetworkWithCopiedWeights() {
        let wide = MLP(inputs: 6, hidden: [4, 3], classes: 5, maxFactor: 2, seed: 1)
        let narrow = MLP(inputs: 6, hidden: [4, 3], classes: 5, seed: 2)
        wide.setWidth(WidthChoice(output: [1, 1]))
        for (pw, pn) in zip(wide.parameters, narrow.parameters) {
            let rows = pn.shape[0], cols = pn.shape.count > 1 ? pn.shape[1] : 1
            let ld = pw.shape.count > 1 ? pw.shape[1] : 1
            for r in 0..<rows { for c in 0..<cols { pn.value[r * cols + c] = pw.value[r * ld + c] } }
        }
        var rng = RNG(seed: 4)
        let x = Tensor(shape: [3, 6]); x.fillNormal(std: 1, rng: &rng)
        let a = wide.forward(x, training: false).array, b = narrow.forward(x, training: false).array
        for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-5) }
    }
}

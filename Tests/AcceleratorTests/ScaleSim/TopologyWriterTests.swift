import Accelerator
import RetortCore
import RetortModels
import XCTest

/// `ScaleSimTopologyWriter`: Retort models as SCALE-Sim topology rows, against hand-computed rows,
/// and read back by `ScaleSimTopology` to the same GEMMs.
final class TopologyWriterTests: XCTestCase {
    func lines(_ m: LayerShapes, _ form: TopologyForm, _ dw: DepthwiseChoice = .split) -> [String] {
        ScaleSimTopologyWriter.csv(ScaleSimTopologyWriter.rows(m, form: form, depthwise: dw), form: form)
            .split(separator: "\n").map(String.init)
    }

    /// Writes, reads back, and checks the layers' GEMMs and the model's MACs.
    func roundTrip(_ m: LayerShapes, _ form: TopologyForm, _ dw: DepthwiseChoice = .split,
                   file: StaticString = #filePath, line: UInt = #line) throws -> [TopologyLayer] {
        let rows = ScaleSimTopologyWriter.rows(m, form: form, depthwise: dw)
        let read = try ScaleSimTopology.parse(ScaleSimTopologyWriter.csv(rows, form: form), file: "w.csv", gemm: form == .gemm)
        XCTAssertEqual(read.map(\.gemm), rows.flatMap { $0.layers.map(\.gemm) }, file: file, line: line)
        XCTAssertEqual(read.map(\.name), rows.flatMap { $0.layers.map(\.name) }, file: file, line: line)
        XCTAssertEqual(read.reduce(0) { $0 + $1.gemm.macs }, m.macs, "MACs", file: file, line: line)
        return read
    }

    func testMLPRows() throws {
        let m = LayerShapes.mlp(name: "mlp", inputs: 64, hidden: [256, 128], classes: 10)
        XCTAssertEqual(lines(m, .gemm), ["Layer, M, N, K,", "fc1, 1, 256, 64,", "fc2, 1, 128, 256,", "classifier, 1, 10, 128,"])
        XCTAssertEqual(lines(m, .conv), [ScaleSimTopologyWriter.convHeader,
                                         "fc1, 1, 1, 1, 1, 64, 256, 1,", "fc2, 1, 1, 1, 1, 256, 128, 1,", "classifier, 1, 1, 1, 1, 128, 10, 1,"])
        // width factors per hidden layer, as MLP.setWidth rounds them
        let w = LayerShapes.mlp(name: "t", inputs: 64, hidden: [4, 4], classes: 10, width: [4, 2.5])
        XCTAssertEqual(lines(w, .gemm), ["Layer, M, N, K,", "fc1, 1, 16, 64,", "fc2, 1, 10, 16,", "classifier, 1, 10, 10,"])
        _ = try roundTrip(m, .conv); _ = try roundTrip(m, .gemm)
    }

    func testDigitsCNNRows() throws {
        let m = TinyCNNConfig.digits().layerShapes(name: "cnn-digits")
        // 8×8 input; padded inputs cut to (out − 1)·stride + kernel
        XCTAssertEqual(lines(m, .conv), [
            ScaleSimTopologyWriter.convHeader,
            "stem, 10, 10, 3, 3, 1, 16, 1,",
            "blocks.0.expand, 8, 8, 1, 1, 16, 32, 1,",
            "blocks.0.dw_DP, 10, 10, 3, 3, 32, 1, 1,",
            "blocks.0.project, 8, 8, 1, 1, 32, 16, 1,",
            "blocks.1.expand, 8, 8, 1, 1, 16, 64, 1,",
            "blocks.1.dw_DP, 9, 9, 3, 3, 64, 1, 2,",
            "blocks.1.project, 4, 4, 1, 1, 64, 24, 1,",
            "blocks.2.expand, 4, 4, 1, 1, 24, 96, 1,",
            "blocks.2.dw_DP, 5, 5, 3, 3, 96, 1, 2,",
            "blocks.2.project, 2, 2, 1, 1, 96, 32, 1,",
            "head, 2, 2, 1, 1, 32, 96, 1,",
            "classifier, 1, 1, 1, 1, 96, 10, 1,",
        ])
        let read = try roundTrip(m, .conv)
        XCTAssertEqual(read.count, 12 - 3 + 32 + 64 + 96, "each depthwise row splits into one layer per channel")
        XCTAssertEqual(read.first { $0.name == "blocks.1.dw_DPChannel_63" }?.gemm, GemmShape(m: 16, k: 9, n: 1))
        let g = try roundTrip(m, .gemm)
        XCTAssertEqual(g.map(\.gemm), read.map(\.gemm), "both forms lower to the same GEMMs")
        XCTAssertTrue(lines(m, .gemm).contains("blocks.1.dw.c5, 16, 1, 9,"))
    }

    func testStrideTwoStemMatchesTheModelsOutputSize() throws {
        // MNIST stem: 28², 3×3, stride 2, padding 1 → 14² (padded 30² would give SCALE-Sim ⌈29/2⌉ = 15)
        let m = TinyCNNConfig.mnist().layerShapes(name: "cnn-mnist")
        XCTAssertEqual(lines(m, .conv)[1], "stem, 29, 29, 3, 3, 1, 16, 2,")
        XCTAssertEqual(lines(m, .gemm)[1], "stem, 196, 16, 9,")
        _ = try roundTrip(m, .conv)
    }

    func testDepthwiseChoices() throws {
        let m = TinyCNNConfig.digits().layerShapes(name: "d")
        XCTAssertTrue(lines(m, .conv, .filters).contains("blocks.0.dw, 10, 10, 3, 3, 1, 32, 1,"))
        XCTAssertTrue(lines(m, .conv, .channels).contains("blocks.0.dw, 10, 10, 3, 3, 32, 1, 1,"))
        XCTAssertTrue(lines(m, .gemm, .filters).contains("blocks.0.dw, 64, 32, 9,"))
        XCTAssertTrue(lines(m, .gemm, .channels).contains("blocks.0.dw, 64, 1, 288,"))
        for dw in DepthwiseChoice.allCases {
            XCTAssertEqual(try roundTrip(m, .conv, dw).map(\.gemm), try roundTrip(m, .gemm, dw).map(\.gemm), dw.rawValue)
        }
        XCTAssertEqual(try roundTrip(m, .conv, .filters).count, 12)
    }

    func testShapesFollowTheAllocatedTinyCNN() {
        // the widened network's convolutions are the weights TinyCNN allocates at those factors
        let cfg = TinyCNNConfig.mnist()
        let net = TinyCNN(cfg, maxOutput: 2, maxExpand: 1.5, seed: 0)
        let shapes = cfg.layerShapes(name: "t", width: .uniform(output: 2, expand: 1.5, groups: cfg.widthGroups, blocks: cfg.blocks.count))
        let convs: [[Int]] = shapes.layers.compactMap {
            guard case .conv(let c) = $0 else { return nil }
            return [c.outChannels, c.inChannels / c.groups, c.kernel, c.kernel]
        }
        XCTAssertEqual(convs, net.parameters.filter { $0.value.shape.count == 4 }.map(\.value.shape))
        XCTAssertEqual(cfg.widthGroups, net.widthGroups)
    }

    func testViTRows() throws {
        let vit = TransformerShape(name: "vit-mnist", image: 28, patch: 4, channels: 1, width: 64, heads: 4, depth: 4, classes: 10)
        XCTAssertEqual(vit.tokens, 50)
        let g = lines(vit.layerShapes(), .gemm)
        XCTAssertEqual(Array(g.prefix(12)), [
            "Layer, M, N, K,",
            "patch_embed, 49, 64, 16,",
            "blocks.0.qkv, 50, 192, 64,",
            "blocks.0.h0.qk, 50, 50, 16,", "blocks.0.h0.av, 50, 16, 50,",
            "blocks.0.h1.qk, 50, 50, 16,", "blocks.0.h1.av, 50, 16, 50,",
            "blocks.0.h2.qk, 50, 50, 16,", "blocks.0.h2.av, 50, 16, 50,",
            "blocks.0.h3.qk, 50, 50, 16,", "blocks.0.h3.av, 50, 16, 50,",
            "blocks.0.proj, 50, 64, 64,",
        ])
        XCTAssertEqual(g[12...13], ["blocks.0.fc1, 50, 256, 64,", "blocks.0.fc2, 50, 64, 256,"])
        XCTAssertEqual(g.last, "classifier, 1, 10, 64,")
        XCTAssertEqual(g.count, 1 + 1 + 4 * 12 + 1)
        let c = lines(vit.layerShapes(), .conv)
        XCTAssertEqual(c[1], "patch_embed, 28, 28, 4, 4, 1, 64, 4,")
        XCTAssertEqual(c[3], "blocks.0.h0.qk, 50, 1, 1, 1, 16, 50, 1,")
        let t = lines(vit.layerShapes(attention: .taylor), .gemm)
        XCTAssertEqual(t[3...4], ["blocks.0.h0.kv, 16, 16, 50,", "blocks.0.h0.qg, 50, 16, 16,"])
        _ = try roundTrip(vit.layerShapes(), .conv); _ = try roundTrip(vit.layerShapes(attention: .taylor), .gemm)
        // the MACs: patch embedding, per block QKV + heads + projection + MLP, classifier
        let n = 50, C = 64, d = 16
        XCTAssertEqual(vit.layerShapes().macs, 49 * 16 * 64 + 4 * (n * C * 3 * C + 4 * 2 * n * n * d + n * C * C + 2 * n * C * 4 * C) + C * 10)
    }
}

import Attention
import Foundation
import RetortCore
import RetortModels
import TrainEngine
import XCTest

/// Models built from specs against PyTorch (`tools/safetensors/make_spec_fixtures.sh`): an MLP
/// with three hidden layers, NetAug's MCUNet (kernels 3/5/7, repeats), a Distill student of a
/// kernel-5/7 spec and a ViT with non-default depth, width, heads, patch and MLP ratio. Each
/// Retort export loads and reproduces Retort's and PyTorch's logits; each PyTorch-made file of
/// the same spec loads and reproduces PyTorch's.
final class SpecInteropTests: XCTestCase {
    static let retortMade = ["mlp3", "cnn_mcunet", "student_cnn_spec", "vit_spec"]
    static let torchMade = ["torch_mlp3", "torch_cnn_mcunet", "torch_vit_spec"]

    func read(_ name: String) throws -> SafeTensorsFile { try SafeTensors.read(try Support.fixture("safetensors-specs", "\(name).safetensors")) }

    func load(_ file: SafeTensorsFile) throws -> Layer {
        let info = WeightsInfo(metadata: file.metadata)
        let sample = try XCTUnwrap(info.data?.sample)
        if info.model == "vit" {
            let vit = VisionTransformer(try ViTWeights.config(file, imageSize: sample.imageSide, heads: info.heads!, name: "vit"),
                                        kind: AttentionKind(rawValue: info.attention!)!, seed: 0)
            try ViTWeights.load(file, into: vit)
            return vit
        }
        return try TrainWeights.model(from: file, kind: info.model == "mlp" ? .mlp : .cnn, sample: sample)
    }

    func relErr(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.shape, b.shape)
        var d: Float = 0, m: Float = 0
        for i in 0..<min(a.count, b.count) { d = max(d, abs(a[i] - b[i])); m = max(m, abs(b[i])) }
        return d / max(m, .leastNormalMagnitude)
    }

    func testSpecExportsReproduceRetortAndPyTorchLogits() throws {
        for name in Self.retortMade {
            let net = try load(try read(name))
            let probe = try read("\(name).probe"), torch = try read("\(name).torch")
            let logits = net.forward(try probe.require("input"), training: false)
            XCTAssertLessThanOrEqual(relErr(logits, try probe.require("logits")), 1e-5, "\(name): Retort's own logits")
            XCTAssertLessThanOrEqual(relErr(logits, try torch.require("logits")), 1e-4, "\(name): PyTorch's logits")
        }
    }

    func testPyTorchFilesOfTheSpecsImport() throws {
        for name in Self.torchMade {
            let net = try load(try read(name))
            let probe = try read("\(name).probe")
            XCTAssertLessThanOrEqual(relErr(net.forward(try probe.require("input"), training: false), try probe.require("logits")), 1e-4, name)
        }
    }

    func testTheCNNArchitectureComesFromTheMetadata() throws {
        let file = try read("cnn_mcunet")
        let cfg = try XCTUnwrap(WeightsInfo(metadata: file.metadata).cnn)
        XCTAssertEqual(cfg.blocks.map(\.kernelSize), [3, 7, 3, 7, 5, 5, 5, 5, 3, 7, 5, 5, 7, 3, 3, 7, 3, 7])
        let net = try XCTUnwrap(try load(file) as? TinyCNN)
        XCTAssertEqual(net.config, cfg)
        // without the metadata the file is read as the data set's tiny CNN, which it is not
        var stripped = file.metadata; stripped["retort.cnn"] = nil
        let plain = try SafeTensors.decode(SafeTensors.encode(file.names.map { (name: $0, tensor: file[$0]!) }, metadata: stripped), file: "plain.safetensors")
        XCTAssertThrowsError(try TrainWeights.model(from: plain, kind: .cnn, sample: .mnist5k))
    }
}

import Attention
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine
import XCTest

/// safetensors export and import against `tools/safetensors/make_fixtures.sh`: `<name>.safetensors`
/// exported by retort (train, distill --export, attention train --export-dir) or written by
/// PyTorch's `save_file` (`torch_<name>`); `<name>.probe.safetensors` the first test images with
/// the writer's logits; `<name>.torch.safetensors` PyTorch's logits for a Retort export.
final class SafeTensorsTests: XCTestCase {
    static let retortMade = ["mlp", "cnn", "cnn_mnist", "student_mlp", "student_cnn", "vit_softmax", "vit_taylor"]
    static let torchMade = ["torch_mlp", "torch_cnn", "torch_vit_softmax", "torch_vit_taylor", "torch_vit_rgb"]

    func read(_ name: String) throws -> SafeTensorsFile { try SafeTensors.read(try Support.fixture("safetensors", "\(name).safetensors")) }

    /// The model a file describes, built from its metadata and shapes and loaded from it.
    func load(_ file: SafeTensorsFile) throws -> (net: Layer, inputShape: [Int], tensors: () -> [(name: String, tensor: Tensor)]) {
        let info = WeightsInfo(metadata: file.metadata)
        let sample = DataSignature(info.data?.sample ?? .digits)
        switch info.model {
        case "vit":
            let cfg = try ViTWeights.config(file, imageSize: sample.shape.height, heads: info.heads!, name: "vit")
            let vit = VisionTransformer(cfg, kind: AttentionKind(rawValue: info.attention!)!, seed: 0)
            try ViTWeights.load(file, into: vit)
            return (vit, vit.inputShape, { ViTWeights.tensors(of: vit) })
        case "mlp", "cnn":
            let m = try TrainWeights.model(from: file, kind: info.model == "mlp" ? .mlp : .cnn, data: sample)
            return (m, m.inputShape, { ModelWeights.tensors(of: m) })
        default:
            throw SafeTensorsError("\(file.file): no retort.model")
        }
    }

    /// max |a − b| / max |b|
    func relErr(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.shape, b.shape)
        var d: Float = 0, m: Float = 0
        for i in 0..<min(a.count, b.count) { d = max(d, abs(a[i] - b[i])); m = max(m, abs(b[i])) }
        return d / max(m, .leastNormalMagnitude)
    }

    func assertSameTensors(_ got: [(name: String, tensor: Tensor)], _ file: SafeTensorsFile, _ what: String) {
        XCTAssertEqual(got.map(\.name).sorted(), file.names.sorted(), what)
        for (name, t) in got {
            guard let f = file[name] else { continue }
            XCTAssertEqual(t.shape, f.shape, "\(what) \(name)")
            XCTAssertEqual(t.array.map(\.bitPattern), f.array.map(\.bitPattern), "\(what) \(name)")
        }
    }

    // (1) re-export

    /// Importing a file and exporting the model again gives back every tensor bit for bit (for
    /// PyTorch's files too: the ViT patch projection goes to Retort's layout and back); a Retort
    /// train/attention export is reproduced byte for byte.
    func testReExportReproducesTheFilesTensors() throws {
        for name in Self.retortMade + Self.torchMade {
            let file = try read(name)
            let model = try load(file)
            let again = model.tensors()
            assertSameTensors(again, file, name)
            if ["mlp", "cnn", "cnn_mnist", "vit_softmax", "vit_taylor"].contains(name) {
                let bytes = SafeTensors.encode(again, metadata: file.metadata)
                XCTAssertEqual(bytes, try Data(contentsOf: try Support.fixture("safetensors", "\(name).safetensors")), name)
            }
        }
    }

    /// The same training run (seed 2, 1 thread) exported again equals the committed export. The
    /// tolerance covers a different BLAS kernel on another CPU (on the machine that wrote the
    /// fixture the export is bit-identical).
    func testRetrainingFromTheSameSeedReproducesTheExport() throws {
        var c = TrainConfig()
        c.data = .digits; c.model = .mlp; c.width = 0.25; c.epochs = 3; c.testCount = 300; c.seed = 2; c.threads = 1
        let job = try TrainingJob(config: c, dataDirectory: Support.dataDir, log: nil)
        while !job.isFinished { job.step() }
        let tmp = TempDir()
        try TrainWeights.export(job, to: tmp.file("mlp.safetensors"))
        let mine = try SafeTensors.read(tmp.file("mlp.safetensors")), committed = try read("mlp")
        XCTAssertEqual(mine.names, committed.names)
        XCTAssertEqual(mine.metadata, committed.metadata)
        for (name, t) in committed.tensors { XCTAssertLessThanOrEqual(relErr(mine[name]!, t), 1e-4, name) }
    }

    // (2) import reproduces Retort's and PyTorch's logits

    func testImportReproducesRetortAndPyTorchLogits() throws {
        for name in Self.retortMade {
            let model = try load(try read(name))
            let probe = try read("\(name).probe"), torch = try read("\(name).torch")
            let x = try probe.require("input")
            XCTAssertEqual(Array(x.shape.dropFirst()), model.inputShape, name)
            let logits = model.net.forward(x, training: false)
            XCTAssertLessThanOrEqual(relErr(logits, try probe.require("logits")), 1e-5, "\(name): Retort's own logits")
            XCTAssertLessThanOrEqual(relErr(logits, try torch.require("logits")), 1e-4, "\(name): PyTorch's logits")
        }
    }

    // (3) files written by PyTorch

    func testPyTorchWrittenFilesImport() throws {
        for name in Self.torchMade {
            let file = try read(name)
            XCTAssertEqual(file.metadata["format"], "pt")
            let model = try load(file)
            let probe = try read("\(name).probe")
            let logits = model.net.forward(try probe.require("input"), training: false)
            XCTAssertLessThanOrEqual(relErr(logits, try probe.require("logits")), 1e-4, name)
        }
    }

    /// The patch projection in both layouts, element by element, on the 3-channel ViT.
    func testPatchProjectionLayout() throws {
        let file = try read("torch_vit_rgb")
        let w = try file.require("patch_embed.proj.weight")
        XCTAssertEqual(w.shape, [8, 3, 2, 2])
        let cfg = try ViTWeights.config(file, imageSize: 8, heads: 2, name: "rgb")
        XCTAssertEqual(cfg.channels, 3); XCTAssertEqual(cfg.patchSize, 2); XCTAssertEqual(cfg.depth, 1); XCTAssertEqual(cfg.mlpRatio, 2)
        let vit = VisionTransformer(cfg, kind: .taylor, seed: 0)
        try ViTWeights.load(file, into: vit)
        let mine = vit.patchEmbed.proj.weight.value
        XCTAssertEqual(mine.shape, [8, 12])
        for o in 0..<8 { for c in 0..<3 { for dy in 0..<2 { for dx in 0..<2 {
            XCTAssertEqual(mine[o * 12 + (dy * 2 + dx) * 3 + c], w[((o * 3 + c) * 2 + dy) * 2 + dx])
        } } } }
        XCTAssertEqual(vit.clsToken.value.array, try file.require("cls_token").array)
        XCTAssertEqual(vit.posEmbed.value.shape, [17, 8])
    }

    /// Sparse kinds carry the quantisers' running ranges; they round-trip and are optional.
    func testQuantiserStatisticsRoundTrip() throws {
        let cfg = ViTConfig(name: "q", imageSize: 8, patchSize: 4, width: 8, heads: 2, depth: 2, mlpRatio: 2)
        let a = VisionTransformer(cfg, kind: .taylorRepo, seed: 3)
        for (i, core) in a.cores.enumerated() {
            core.quantQ.runningZeroPoint = -1.5 - Float(i); core.quantQ.runningRange = 3.25 + Float(i)
            core.quantK.runningZeroPoint = -0.5; core.quantK.runningRange = 2
        }
        let file = try SafeTensors.decode(SafeTensors.encode(ViTWeights.tensors(of: a)), file: "q.safetensors")
        XCTAssertEqual(file.names.filter { $0.contains(".quant_") }.count, 8)
        let b = VisionTransformer(cfg, kind: .taylorRepo, seed: 9)
        try ViTWeights.load(file, into: b)
        XCTAssertEqual(b.cores.map(\.quantQ), a.cores.map(\.quantQ))
        XCTAssertEqual(b.cores.map(\.quantK), a.cores.map(\.quantK))
        let soft = VisionTransformer(cfg, kind: .softmax, seed: 9)
        try ViTWeights.load(file, into: soft)            // accepted by any kind
        XCTAssertEqual(ViTWeights.tensors(of: soft).count, file.tensors.count - 8)
        let plain = try SafeTensors.decode(SafeTensors.encode(ViTWeights.tensors(of: soft)), file: "p.safetensors")
        try ViTWeights.load(plain, into: b)               // and optional
        XCTAssertEqual(b.cores[0].quantQ, a.cores[0].quantQ)
    }

    // (4) malformed files

    /// A file from a header text and data bytes.
    func bytes(_ header: String, _ data: [UInt8] = [], length: UInt64? = nil) -> Data {
        let h = Array(header.utf8)
        var n = length ?? UInt64(h.count)
        var out = Data(bytes: &n, count: 8)
        out.append(contentsOf: h); out.append(contentsOf: data)
        return out
    }

    func decodeError(_ d: Data) -> String {
        do { _ = try SafeTensors.decode(d, file: "w.safetensors"); return "no error" } catch { return "\(error)" }
    }

    func testMalformedFilesFailWithOneLine() {
        let f4 = [UInt8](repeating: 0, count: 8)
        let t = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        XCTAssertEqual(decodeError(Data([1, 2, 3])), "w.safetensors: header length: the file has 3 bytes, need at least 8")
        XCTAssertEqual(decodeError(bytes("{\(t)}", f4, length: 5000)), "w.safetensors: header length 5000 exceeds the file (62 bytes after the length field)")
        XCTAssertEqual(decodeError(bytes("{\(t)", f4)), "w.safetensors: header: not valid JSON (53 bytes)")
        XCTAssertEqual(decodeError(bytes("[1]")), "w.safetensors: header: must be a JSON object starting with '{'")
        XCTAssertEqual(decodeError(bytes(#"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0])),
                       "w.safetensors: tensor 'a': dtype F16 not supported (Retort reads F32 only)")
        XCTAssertEqual(decodeError(bytes(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, f4)),
                       "w.safetensors: tensor 'a': data_offsets [0, 16] outside the data section (8 bytes)")
        XCTAssertEqual(decodeError(bytes(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, f4)),
                       "w.safetensors: tensor 'a': data_offsets [0, 8] hold 8 bytes, shape [3] of F32 needs 12")
        XCTAssertEqual(decodeError(bytes(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, f4)),
                       "w.safetensors: tensor 'a': shape: must be a list of non-negative integers")
        XCTAssertEqual(decodeError(bytes(#"{"a":{"dtype":"F32","shape":[2]}}"#, f4)),
                       "w.safetensors: tensor 'a': data_offsets: must be [begin, end] integers")
        XCTAssertEqual(decodeError(bytes("{\(t),\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f4)),
                       "w.safetensors: tensors 'a' and 'b' overlap (data_offsets 0…8 and 4…8)")
        XCTAssertEqual(decodeError(bytes("{\(t)}", f4 + f4)), "w.safetensors: data bytes 8…16 belong to no tensor")
        XCTAssertEqual(decodeError(bytes(#"{"__metadata__":{"k":1}}"#)), "w.safetensors: __metadata__: must map strings to strings")
        XCTAssertEqual(decodeError(bytes(#"{"a":[1]}"#)), "w.safetensors: tensor 'a': must be an object with dtype, shape, data_offsets")
        // well-formed: padding spaces after the JSON, metadata, a 0-d tensor, an empty tensor
        let ok = bytes(#"{"__metadata__":{"k":"v"},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}}   "#,
                       [0, 0, 0x80, 0x3F])
        XCTAssertEqual(decodeError(ok), "no error")
        let file = try? SafeTensors.decode(ok, file: "ok")
        XCTAssertEqual(file?.metadata, ["k": "v"])
        XCTAssertEqual(file?["s"]?.array, [1])
        XCTAssertEqual(file?["e"]?.shape, [0, 3])
    }

    func testImportMismatchesNameTheTensorAndBothShapes() throws {
        let mlp = try read("mlp")
        func error(_ body: () throws -> Void) -> String { do { try body(); return "no error" } catch { return "\(error)" } }
        XCTAssertEqual(error { try ModelWeights.load(mlp, into: MLP(inputs: 64, hidden: [32, 64], classes: 10, seed: 0)) },
                       "mlp.safetensors: tensor 'fc1.weight': shape [64, 64] in the file, the model mlp-64-32-64-10 expects [32, 64]")
        XCTAssertEqual(error { _ = try TrainWeights.model(from: mlp, kind: .mlp, data: .mnist5k) },
                       "mlp.safetensors: tensor 'fc1.weight': shape [64, 64] in the file, the model mlp-784-64-64-10 expects [64, 784]")
        XCTAssertEqual(error { try ModelWeights.load(mlp, into: MLP(inputs: 64, hidden: [64, 64, 64], classes: 10, seed: 0)) },
                       "mlp.safetensors: tensor 'fc3.weight' missing (the model mlp-64-64-64-64-10 has 8 tensors, the file 6)")
        XCTAssertEqual(error { try ModelWeights.load(mlp, into: MLP(inputs: 64, hidden: [64], classes: 10, seed: 0)) },
                       "mlp.safetensors: tensor 'fc2.weight' [64, 64] is not part of the model mlp-64-64-10")
        XCTAssertEqual(error { _ = try TrainWeights.model(from: mlp, kind: .cnn, data: .digits) }, "mlp.safetensors: tensor 'stem.weight' missing")
        XCTAssertEqual(error { _ = try ViTWeights.config(mlp, imageSize: 8, heads: 2, name: "v") }, "mlp.safetensors: tensor 'patch_embed.proj.weight' missing")
        let cnn = try read("cnn")
        XCTAssertEqual(error { _ = try TrainWeights.model(from: cnn, kind: .cnn, data: .mnist5k) },
                       "cnn.safetensors: tensor 'blocks.3.dw.weight' missing")
        let vit = try read("vit_taylor")
        XCTAssertEqual(error { try ViTWeights.load(vit, into: VisionTransformer(.digits, kind: .taylor, seed: 0)) },
                       "vit_taylor.safetensors: tensor 'cls_token': shape [1, 1, 16] in the file, the model vit-digits expects [1, 1, 64]")
    }
}

import ArgumentParser
import Attention
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine

/// Evaluates a safetensors file — an export of `retort train`, `retort distill` (the student)
/// or `retort attention train`, or a file PyTorch wrote in the same names — on the held-out
/// test split. The architecture is read from the tensor shapes; model, data, split, heads and
/// attention come from the file's `retort.*` metadata unless given here.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Test accuracy of a safetensors file (MLP, tiny CNN, Distill student or ViT) on the held-out split.")

    @Option(help: "The safetensors file.") var weights: String
    @Option(help: "Model: mlp, cnn or vit (default: the file's retort.model).") var model: String?
    @Option(help: "Data set: mnist5k or digits (default: the file's retort.data).") var data: TrainConfig.DataSet?
    @Option(help: "Seed of the train/test split and normalisation (default: the file's retort.split_seed, else 1).") var seed: UInt64?
    @Option(help: "Images held out for testing (default: the file's retort.test_count, else 1000).") var testCount: Int?
    @Option(help: "ViT: attention at inference, softmax, taylor, taylor-sparse or taylor-repo (default: the file's retort.attention).") var attention: String?
    @Option(help: "ViT: attention heads (default: the file's retort.heads).") var heads: Int?
    @Option(help: "Threads for BLAS and Retort's loops.") var threads: Int = 2
    @Option(help: "Folder holding the sample data sets (default: auto-detected sample-data/).") var dataDir: String?
    @Option(help: "Also write the first --probe-count test images with their logits and labels to this safetensors file.") var probe: String?
    @Option(help: "Images in the --probe file.") var probeCount: Int = 8

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1…256, got \(threads)") }
        guard probeCount >= 1 else { throw ValidationError("--probe-count must be ≥ 1, got \(probeCount)") }
        if let h = heads, h < 1 { throw ValidationError("--heads must be ≥ 1, got \(h)") }
        if let t = testCount, t < 1 { throw ValidationError("--test-count must be ≥ 1, got \(t)") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: weights)
        let file: SafeTensorsFile
        do { file = try SafeTensors.read(url) } catch { fail("\(error)") }
        let info = WeightsInfo(metadata: file.metadata)
        let name = url.lastPathComponent
        guard let kind = model ?? info.model else { fail("\(name): the metadata does not name the model (retort.model): pass --model mlp|cnn|vit") }
        guard ["mlp", "cnn", "vit"].contains(kind) else { fail("\(name): model '\(kind)' unknown (allowed: mlp, cnn, vit)") }
        guard let dataSet = data ?? info.data else { fail("\(name): the metadata does not name the data set (retort.data): pass --data mnist5k|digits") }
        let sample: SampleData = dataSet == .mnist5k ? .mnist5k : .digits
        let splitSeed = seed ?? info.splitSeed ?? 1, tests = testCount ?? info.testCount ?? 1000
        guard let dir = DataLocator.find(explicit: dataDir) else {
            fail("data folder not found: pass --data-dir DIR (a folder with mnist_5k.csv.gz / digits_8x8.csv.gz) or set RETORT_DATA")
        }
        Threads.set(threads)

        let net: Layer, inputShape: [Int], described: String
        do {
            if kind == "vit" {
                guard let h = heads ?? info.heads else { fail("\(name): the metadata does not give the heads (retort.heads): pass --heads N") }
                guard let kindText = attention ?? info.attention else { fail("\(name): the metadata does not give the attention (retort.attention): pass --attention softmax|taylor") }
                guard let ak = AttentionKind(rawValue: kindText) else {
                    fail("attention: unknown '\(kindText)' (allowed: \(AttentionKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let cfg = try ViTWeights.config(file, imageSize: sample.imageSide, heads: h, name: "vit-\(dataSet.rawValue)")
                let vit = VisionTransformer(cfg, kind: ak, seed: 0)
                try ViTWeights.load(file, into: vit)
                net = vit; inputShape = vit.inputShape
                described = "ViT (\(cfg.width) wide, \(cfg.depth) blocks, \(h) heads, patch \(cfg.patchSize), \(ak.rawValue) attention, \(vit.parameterCount) parameters)"
            } else {
                let m = try TrainWeights.model(from: file, kind: kind == "mlp" ? .mlp : .cnn, sample: sample)
                net = m; inputShape = m.inputShape
                described = "\(m.name) (\(m.parameterCount) parameters)"
            }
        } catch { fail("\(error)") }

        let prepared: PreparedData
        do { prepared = try PreparedData.load(sample, directory: dir, testCount: tests, seed: splitSeed) }
        catch { fail("\(error)") }
        let (loss, acc) = Evaluation.evaluate(net, inputShape: inputShape, on: prepared.test)
        print("\(described) from \(weights)")
        print(String(format: "test accuracy %.2f%% (loss %.4f) on %d held-out %@ images (split seed %llu)",
                     100 * acc, loss, prepared.test.count, dataSet.rawValue, splitSeed))
        if let probe {
            let tensors = Evaluation.probe(net, inputShape: inputShape, on: prepared.test, count: probeCount)
            do {
                try SafeTensors.write(tensors, metadata: ["weights": name, "layout": inputShape.count == 3 ? "NHWC" : "NF"], to: URL(fileURLWithPath: probe))
            } catch { fail("\(error)") }
            print("wrote the first \(tensors[0].tensor.dim(0)) test images, logits and labels to \(probe)")
        }
    }
}

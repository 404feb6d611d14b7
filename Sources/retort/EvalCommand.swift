import ArgumentParser
import Attention
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine
import Workbench

/// Evaluates a safetensors file — an export of `retort train`, `retort distill` (the student)
/// or `retort attention train`, or a file PyTorch wrote in the same names — on the held-out
/// test split. The architecture is read from the tensor shapes; model, data, split, heads and
/// attention come from the file's `retort.*` metadata unless given here (`SavedModel`).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Test accuracy of a safetensors file (MLP, tiny CNN, Distill student or ViT) on the held-out split.")

    @Option(help: "The safetensors file.") var weights: String
    /// The architectures a weights file can hold (`retort.model`).
    enum Architecture: String, ExpressibleByArgument, CaseIterable { case mlp, cnn, vit }

    @Option(help: "Model (default: the file's retort.model).") var model: Architecture?
    @Option(help: "Data: a sample or a data file or folder (default: the file's retort.data).") var data: DataSource?
    @OptionGroup var dataRead: DataReadOptions
    @Option(help: "Seed of the train/test split and normalisation (default: the file's retort.split_seed, else 1).") var seed: UInt64?
    @Option(help: "Images held out for testing (default: the file's retort.test_count, else 1000).") var testCount: Int?
    @Option(help: "ViT: attention at inference (default: the file's retort.attention).") var attention: AttentionKind?
    @Option(help: "ViT: attention heads (default: the file's retort.heads).") var heads: Int?
    @Option(help: "Threads for BLAS and Retort's loops.") var threads: Int = 2
    @OptionGroup var dataOptions: DataOptions
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
        // The data first (its images give the model's input shape), then the model.
        let source: DataSource
        do { source = try SavedModel.dataSource(url, data: data?.absolute) } catch { fail("\(error)") }
        let info = WeightsInfo(metadata: (try? SafeTensors.read(url).metadata) ?? [:])
        let splitSeed = seed ?? info.splitSeed ?? 1, tests = testCount ?? info.testCount ?? 1000
        let dir = dataOptions.directory(for: source)
        Threads.set(threads)
        let prepared: PreparedData
        do { prepared = try PreparedData.load(source, settings: dataRead.settings, directory: dir, testCount: tests, seed: splitSeed) }
        catch { fail("\(error)") }
        let saved: SavedModel
        do {
            saved = try SavedModel.load(url, model: model?.rawValue, data: source, signature: prepared.signature, heads: heads, attention: attention?.rawValue)
        } catch { fail("\(error)") }
        let net = saved.net, inputShape = saved.inputShape, described = saved.described, name = url.lastPathComponent
        let (loss, acc) = Evaluation.evaluate(net, inputShape: inputShape, on: prepared.test)
        print("\(described) from \(weights)")
        print(String(format: "test accuracy %.2f%% (loss %.4f) on %d held-out %@ images (split seed %llu)",
                     100 * acc, loss, prepared.test.count, source.shortName, splitSeed))
        if let probe {
            let tensors = Evaluation.probe(net, inputShape: inputShape, on: prepared.test, count: probeCount)
            do {
                try SafeTensors.write(tensors, metadata: ["weights": name, "layout": inputShape.count == 3 ? "NHWC" : "NF"], to: URL(fileURLWithPath: probe))
            } catch { fail("\(error)") }
            print("wrote the first \(tensors[0].tensor.dim(0)) test images, logits and labels to \(probe)")
        }
    }
}

import Foundation
import RunKit
import RetortCore
import RetortData
import RetortModels

/// What Retort records in the metadata of an exported safetensors file (`retort.*` keys), so
/// that `retort eval` can rebuild the model and the same test split without flags. Files from
/// elsewhere (PyTorch's `save_file`) may carry the same keys or none.
public struct WeightsInfo: Equatable, Sendable {
    /// mlp, cnn or vit.
    public var model: String?
    public var data: DataSource?
    /// Seed of the train/test split (and so of the normalisation, fitted on the train split).
    public var splitSeed: UInt64?
    public var testCount: Int?
    /// ViT only: attention heads (not visible in the shapes) and the attention trained with.
    public var heads: Int?
    public var attention: String?
    /// Which command wrote it, e.g. "retort train", "retort distill: student slice".
    public var source: String?
    /// CNN only: the architecture (`retort.cnn`, the `TinyCNNConfig` as JSON: input size,
    /// stem stride, per block expand ratio, stride and kernel) — strides are not visible in
    /// the shapes. Files without it are read as the data set's tiny CNN.
    public var cnn: TinyCNNConfig?

    public init(model: String? = nil, data: DataSource? = nil, splitSeed: UInt64? = nil, testCount: Int? = nil,
                heads: Int? = nil, attention: String? = nil, source: String? = nil) {
        self.model = model; self.data = data; self.splitSeed = splitSeed; self.testCount = testCount
        self.heads = heads; self.attention = attention; self.source = source
    }

    public init(metadata m: [String: String]) {
        model = m["retort.model"]; data = m["retort.data"].flatMap { $0.isEmpty ? nil : DataSource($0) }
        splitSeed = m["retort.split_seed"].flatMap { UInt64($0) }; testCount = m["retort.test_count"].flatMap { Int($0) }
        heads = m["retort.heads"].flatMap { Int($0) }; attention = m["retort.attention"]; source = m["retort.source"]
        cnn = m["retort.cnn"].flatMap { try? JSONDecoder().decode(TinyCNNConfig.self, from: Data($0.utf8)) }
    }

    /// safetensors metadata: `format: pt` (as PyTorch writes it) plus the known `retort.*` keys.
    public var metadata: [String: String] {
        var m = ["format": "pt"]
        m["retort.model"] = model; m["retort.data"] = data?.description; m["retort.split_seed"] = splitSeed.map { "\($0)" }
        m["retort.test_count"] = testCount.map { "\($0)" }; m["retort.heads"] = heads.map { "\($0)" }
        m["retort.attention"] = attention; m["retort.source"] = source
        if let cnn {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            m["retort.cnn"] = (try? e.encode(cnn)).map { String(decoding: $0, as: UTF8.self) }
        }
        return m
    }
}

extension WeightsInfo {
    /// The one model writer of every save path (`train --export`, `distill --export`/`--save`,
    /// `attention train --export-dir`, each workbench tab's save): tensors in PyTorch/timm names
    /// and layout, `format: pt`, the `retort.*` keys `retort eval` rebuilds the model from, and
    /// any `extra` descriptive keys (which never replace those).
    public func write(_ tensors: [(name: String, tensor: Tensor)], extra: [String: String] = [:], to url: URL) throws {
        try SafeTensors.write(tensors, metadata: metadata.merging(extra) { known, _ in known }, to: url)
    }
}

/// Export and import of the plain training engine's models (see `ModelWeights` for names and layout).
public enum TrainWeights {
    /// Writes the job's model with the metadata to rebuild it and its test split.
    public static func export(_ job: TrainingJob, to url: URL) throws {
        let c = job.config
        var info = WeightsInfo(model: c.model.rawValue, data: c.data, splitSeed: c.seed, testCount: c.testCount,
                               source: "retort train (step \(job.step))")
        info.cnn = (job.model as? TinyCNN)?.config
        try info.write(ModelWeights.tensors(of: job.model), to: url)
    }

    /// Builds an MLP or tiny CNN for `sample` whose widths are read from the file's shapes and
    /// loads the file into it. A CNN's strides, kernels and input size come from the file's
    /// `retort.cnn` metadata when it has one, else from the data set's tiny CNN.
    public static func model(from file: SafeTensorsFile, kind: TrainConfig.ModelKind, sample: SampleData) throws -> Model {
        try model(from: file, kind: kind, shape: sample.modelShape)
    }

    /// `model(from:kind:sample:)` for the loaded data's images and classes.
    public static func model(from file: SafeTensorsFile, kind: TrainConfig.ModelKind, data: DataSignature) throws -> Model {
        try model(from: file, kind: kind, shape: data.modelShape)
    }

    /// `model(from:kind:sample:)` for images and classes of `shape`.
    public static func model(from file: SafeTensorsFile, kind: TrainConfig.ModelKind, shape: ModelShape) throws -> Model {
        let model: Model
        switch kind {
        case .mlp:
            model = MLP(inputs: shape.features, hidden: try ModelWeights.mlpHidden(file), classes: shape.classes, seed: 0)
        case .cnn:
            var base = try WeightsInfo(metadata: file.metadata).cnn ?? TinyCNNConfig.make(nil, for: shape)
            base.classes = shape.classes
            model = TinyCNN(try ModelWeights.tinyCNNConfig(file, base: base), seed: 0)
        }
        try ModelWeights.load(file, into: model)
        return model
    }
}

/// Evaluation of any classifier layer on a data set, outside a training job.
public enum Evaluation {
    /// Mean cross-entropy and accuracy in evaluation mode.
    public static func evaluate(_ model: Layer, inputShape: [Int], on set: ImageData, batchSize: Int = evaluationBatchSize) -> (loss: Float, accuracy: Float) {
        evaluateClassifier(set, sampleShape: inputShape, batchSize: batchSize) { model.forward($0, training: false) }
    }

    /// The first `count` images of `set` as one batch, with the model's logits: for checking a
    /// forward pass elsewhere (input, logits and labels as F32 tensors).
    public static func probe(_ model: Layer, inputShape: [Int], on set: ImageData, count: Int) -> [(name: String, tensor: Tensor)] {
        let n = min(count, set.count)
        let (x, labels) = set.batch(Array(0..<n)[...], sampleShape: inputShape)
        let logits = model.forward(x, training: false)
        return [("input", x), ("logits", logits), ("labels", Tensor(shape: [n], values: labels.map(Float.init)))]
    }
}

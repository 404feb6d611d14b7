import Foundation
import RetortData
import RunKit
import RetortModels

/// Everything that defines a training run; written to `config.json` in the run folder.
public struct TrainConfig: Codable, Sendable, Equatable {
    public enum ModelKind: String, Codable, Sendable, CaseIterable { case mlp, cnn }
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case sgd, adamw }

    public var data: DataSource = .sample(.mnist5k)
    /// How to read `data` where its files cannot say (test set, NumPy layout, CSV shape, flip); nil: detected.
    public var dataOptions: DataReadSettings? = nil
    public var model: ModelKind = .cnn
    /// Width multiplier of the model (MLP hidden widths or CNN channels).
    public var width: Float = 1
    /// MLP hidden widths at width 1.
    public var mlpHidden: [Int] = [256, 256]
    /// The CNN's architecture (`--cnn`, `--cnn-preset`); nil = Retort's tiny net for the image size.
    public var cnn: CNNSpec? = nil
    public var epochs: Int = 15
    public var batchSize: Int = 64
    public var optimizer: OptimizerKind = .sgd
    public var lr: Float = 0.1
    public var momentum: Float = 0.9
    public var nesterov: Bool = true
    public var weightDecay: Float = 5e-4
    public var labelSmoothing: Float = 0
    public var warmupEpochs: Float = 1
    public var minLR: Float = 0
    /// Images held out for testing (taken after a seeded shuffle).
    public var testCount: Int = 1000
    /// Random translation of training images by up to this many pixels (0 = off): a random
    /// crop of the image padded by this many pixels.
    public var shiftAugment: Int = 2
    public var seed: UInt64 = 1
    public var threads: Int = 2
    public var runRoot: String = "runs"
    /// A checkpoint every this many steps (0 = only at the end of each epoch, which always
    /// writes one); see `CheckpointStore`.
    public var checkpointEvery: Int = 0
    /// Checkpoints kept in the run folder (older ones are deleted).
    public var keepCheckpoints: Int = 3
    public var runName: String? = nil

    public init() {}

    /// Checks ranges; the message names the field and what is allowed.
    public func validate() throws {
        func bad(_ field: String, _ allowed: String, _ got: Any) -> ConfigError { ConfigError("\(field): must be \(allowed), got \(got)") }
        if epochs < 1 { throw bad("epochs", "≥ 1", epochs) }
        if epochs > OptionBounds.epochs { throw bad("epochs", "at most \(OptionBounds.epochs)", epochs) }
        if let a = Hyperparameters.outOfRange("batch_size", Float(batchSize)) { throw bad("batch-size", a, batchSize) }
        if let a = Hyperparameters.outOfRange("lr", lr) { throw bad("lr", a, lr) }
        if let a = Hyperparameters.outOfRange("momentum", momentum) { throw bad("momentum", a, momentum) }
        if let a = Hyperparameters.outOfRange("weight_decay", weightDecay) { throw bad("weight-decay", a, weightDecay) }
        if let a = Hyperparameters.outOfRange("label_smoothing", labelSmoothing) { throw bad("label-smoothing", a, labelSmoothing) }
        if !(warmupEpochs >= 0) { throw bad("warmup-epochs", "≥ 0", warmupEpochs) }
        if warmupEpochs > OptionBounds.warmupEpochs { throw bad("warmup-epochs", "at most \(OptionBounds.epochs)", warmupEpochs) }
        if !(minLR >= 0 && minLR <= lr) { throw bad("min-lr", "in [0, lr]", minLR) }
        if !(width > 0 && width <= 16) { throw bad("width", "in (0, 16]", width) }
        if threads < 1 || threads > 256 { throw bad("threads", "in 1…256", threads) }
        if testCount < 1 { throw bad("test-count", "≥ 1", testCount) }
        if testCount > OptionBounds.testCount { throw bad("test-count", "at most \(OptionBounds.testCount)", testCount) }
        if shiftAugment < 0 || shiftAugment > 16 { throw bad("shift", "in 0…16", shiftAugment) }
        if checkpointEvery < 0 { throw bad("checkpoint-every", "≥ 0 steps (0 = at the end of each epoch only)", checkpointEvery) }
        if checkpointEvery > OptionBounds.checkpointEvery { throw bad("checkpoint-every", "at most \(OptionBounds.checkpointEvery) steps", checkpointEvery) }
        if keepCheckpoints < 1 || keepCheckpoints > 1000 { throw bad("keep-checkpoints", "in 1…1000", keepCheckpoints) }
        if mlpHidden.isEmpty || mlpHidden.contains(where: { $0 < 1 || $0 > OptionBounds.layerWidth }) { throw bad("mlp-hidden", "widths in 1…\(OptionBounds.layerWidth)", mlpHidden) }
        if mlpHidden.count > MLPSpec.maxLayers { throw bad("mlp-hidden", "at most \(MLPSpec.maxLayers) hidden layers", mlpHidden.count) }
        if let cnn {
            if model != .cnn { throw ConfigError("cnn: a CNN spec needs --model cnn (the model is \(model.rawValue))") }
            do { try cnn.validate() } catch let e as ModelSpecError { throw ConfigError(e.description) }
        }
    }
}

import RetortData
import RunKit
import TrainEngine

/// Everything that defines one ViT training run of the attention engine; written to
/// `config.json` in the run folder. Defaults are the ones used for docs/attention.md.
public struct AttentionTrainConfig: Codable, Sendable, Equatable {
    public var data: DataSource = .sample(.mnist5k)
    /// How to read `data` where its files cannot say (test set, NumPy layout, CSV shape, flip); nil: detected.
    public var dataOptions: DataReadSettings? = nil
    public var kind: AttentionKind = .softmax
    /// The ViT; nil picks one for the data's images (`ViTConfig.preset(for:)`: `vit-mnist` or
    /// `vit-digits` for the samples). A job fills it in from the data it loaded.
    public var vit: ViTConfig? = nil
    public var sparse = SparseConfig()
    /// Step 1 of the Taylor kinds [R where the paper is silent]: nil or `tokens` centres K over the
    /// tokens (the paper's text), `head` over the head dimension (the released code).
    public var centring: TaylorCentring? = nil
    /// Fraction of training, at its end, over which the weight of S_sparse·V ramps linearly
    /// from 1 to 0, so the model ends training on the low-rank path it is tested with
    /// (Retort's option; ViTALiTy keeps the sparse path to the end: 0, the default).
    public var sparseAnneal: Float = 0
    public var epochs: Int = 30
    public var batchSize: Int = 32
    /// AdamW with a linear warm-up and cosine decay to `minLR` (DeiT's recipe, scaled down).
    public var lr: Float = 2e-3
    public var weightDecay: Float = 0.05
    public var warmupEpochs: Float = 2
    public var minLR: Float = 1e-5
    public var labelSmoothing: Float = 0.1
    /// Images held out for testing (after a seeded shuffle).
    public var testCount: Int = 1000
    /// Random translation by up to this many pixels; nil: 2 for images of 16×16 and larger
    /// (MNIST), 1 for smaller ones (digits).
    public var shiftAugment: Int? = nil
    public var seed: UInt64 = 1
    public var threads: Int = 2
    public var runRoot: String = "runs"
    public var runName: String? = nil
    /// The `retort attention train` folder (a sibling in the run root) whose summary.csv
    /// lists this run, so a resume can update its row; nil for runs of the TUI.
    public var compareFolder: String? = nil

    public init() {}

    /// The ViT: `vit`, or for a bundled sample its preset (a job sets `vit` for other data).
    public var model: ViTConfig { vit ?? (data.sample == .digits ? .digits : .mnist) }
    public var shift: Int { shiftAugment ?? (model.imageSize >= 16 ? 2 : 1) }

    public func validate() throws {
        func bad(_ field: String, _ allowed: String, _ got: Any) -> AttentionError { AttentionError("\(field): must be \(allowed), got \(got)") }
        if epochs < 1 { throw bad("epochs", "≥ 1", epochs) }
        if epochs > OptionBounds.epochs { throw bad("epochs", "at most \(OptionBounds.epochs)", epochs) }
        if let a = Hyperparameters.outOfRange("batch_size", Float(batchSize)) { throw bad("batch-size", a, batchSize) }
        if let a = Hyperparameters.outOfRange("lr", lr) { throw bad("lr", a, lr) }
        if let a = Hyperparameters.outOfRange("weight_decay", weightDecay) { throw bad("weight-decay", a, weightDecay) }
        if !(warmupEpochs >= 0) { throw bad("warmup-epochs", "≥ 0", warmupEpochs) }
        if warmupEpochs > OptionBounds.warmupEpochs { throw bad("warmup-epochs", "at most \(OptionBounds.epochs)", warmupEpochs) }
        if !(minLR >= 0 && minLR <= lr) { throw bad("min-lr", "in [0, lr]", minLR) }
        if let a = Hyperparameters.outOfRange("label_smoothing", labelSmoothing) { throw bad("label-smoothing", a, labelSmoothing) }
        if testCount < 1 { throw bad("test-count", "≥ 1", testCount) }
        if testCount > OptionBounds.testCount { throw bad("test-count", "at most \(OptionBounds.testCount)", testCount) }
        if shift < 0 || shift > 16 { throw bad("shift", "in 0…16", shift) }
        if threads < 1 || threads > 256 { throw bad("threads", "in 1…256", threads) }
        if !(sparse.threshold >= 0 && sparse.threshold < 1) { throw bad("sparse-threshold", "in [0, 1)", sparse.threshold) }
        if !(sparseAnneal >= 0 && sparseAnneal <= 1) { throw bad("sparse-anneal", "in [0, 1]", sparseAnneal) }
        if sparse.bits < 0 || sparse.bits > 16 { throw bad("quant-bits", "in 0…16", sparse.bits) }
        if !(sparse.keptFraction > 0 && sparse.keptFraction <= 1) { throw bad("sparse-kept-fraction", "in (0, 1]", sparse.keptFraction) }
        if sparse.referenceTokens < 1 || sparse.referenceTokens > 1_000_000 { throw bad("sparse-reference-tokens", "in 1…1000000", sparse.referenceTokens) }
        if !(sparse.momentum >= 0 && sparse.momentum < 1) { throw bad("quant-momentum", "in [0, 1)", sparse.momentum) }
        try model.validate()
        if let s = data.sample { try check(against: DataSignature(s)) }
    }

    /// Throws unless the ViT takes the data's images and classes.
    public func check(against data: DataSignature) throws {
        let s = data.shape
        if model.imageSize != s.height || model.imageSize != s.width || model.channels != s.channels {
            throw AttentionError("vit \(model.name): expects \(model.imageSize)×\(model.imageSize)×\(model.channels) images, \(self.data.shortName) has \(s)")
        }
        if model.classes != data.classCount {
            throw AttentionError("vit \(model.name): has \(model.classes) classes, \(self.data.shortName) has \(data.classCount)")
        }
    }

    /// A generated run folder name after its timestamp: vit-<kind>-<data>-s<seed> (see `RunFolder`).
    public var runNameParts: [String] { ["vit", kind.rawValue, data.shortName, "s\(seed)"] }
}

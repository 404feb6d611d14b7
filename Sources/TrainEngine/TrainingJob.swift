import Foundation
import RunKit
import RetortCore
import RetortData
import RetortModels

/// Outcome of one call to `TrainingJob.step()`.
public struct StepResult: Sendable {
    public let step: Int
    public let epoch: Int
    public let loss: Float
    public let accuracy: Float
    public let lr: Float
    public let samples: Int
    /// Set when this step completed an epoch (after evaluation on both splits).
    public let epochSummary: EpochSummary?
    /// Set when the loss, the gradients or the weights stopped being finite at this step:
    /// the job refuses to go on until `rollback` (the weights may be garbage).
    public var divergence: Divergence? = nil
    /// Checkpoints written (or refused) at this step.
    public var checkpoints: [CheckpointEvent] = []
    /// Set when a metrics file could not be written (e.g. a full disk): one line.
    public var logFailure: String? = nil
    /// The gradient norm of this step (what the divergence guard checked; NaN when not measured).
    public var gradientNorm: Double = .nan
}

public struct EpochSummary: Sendable, Equatable {
    public let epoch: Int
    public let step: Int
    public let trainLoss: Float, trainAccuracy: Float
    public let testLoss: Float, testAccuracy: Float
    public let lr: Float
    public let seconds: Double
    public let samplesPerSecond: Double
}

/// The plain supervised training engine: a model, an optimiser with a cosine schedule,
/// and a data set, advanced one mini-batch at a time so that a driver (the CLI or the
/// workbench thread) can pause, step and change hyperparameters between steps.
public final class TrainingJob {
    public let config: TrainConfig
    public let model: Model
    public let data: PreparedData
    public private(set) var optimizer: Optimizer
    public internal(set) var hyper: Hyperparameters
    public internal(set) var step = 0
    /// Epochs completed.
    public var epoch: Int { epochCursor.epoch }
    public var log: MetricsLog?
    /// Where checkpoints go (nil: none are written). See `TrainingJob+Checkpoint`.
    public var checkpoints: CheckpointStore?
    /// The newest checkpoint written or restored in this process.
    public var lastCheckpoint: (url: URL, step: Int)?
    /// Why the run stopped being finite, until a rollback.
    public internal(set) var divergence: Divergence?

    var rng: RNG
    var epochCursor: EpochCursor
    var totals = EpochTotals()
    /// Uptime in nanoseconds (replaceable in tests): an epoch's `seconds` is the time spent
    /// inside its steps by this clock, so time between steps (a paused run) is not counted.
    public var clock: @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    /// Value of a blank (background) pixel after normalisation, used to fill shifted borders.
    private let augmentFill: [Float]
    /// Random horizontal flips of training images (on for RGB data unless switched off).
    public let flip: Bool

    public var isFinished: Bool { epoch >= config.epochs }
    public var totalSamples: Int { config.epochs * data.train.count }

    /// Loads and splits the data set named in `config` (seeded by `config.seed`).
    public convenience init(config: TrainConfig, dataDirectory: String, log: MetricsLog?, checkpoints: CheckpointStore? = nil) throws {
        try config.validate()
        let data = try PreparedData.load(config.data, settings: config.dataOptions, directory: dataDirectory, testCount: config.testCount, seed: config.seed)
        try self.init(config: config, data: data, log: log, checkpoints: checkpoints)
    }

    /// Uses already prepared data (that of `config`).
    public init(config: TrainConfig, data: PreparedData, log: MetricsLog?, checkpoints: CheckpointStore? = nil) throws {
        try config.validate()
        self.config = config
        Threads.set(config.threads)
        self.data = data
        model = try Self.makeModel(config, for: data.signature)
        hyper = Hyperparameters(config)
        optimizer = Self.makeOptimizer(config, model: model)
        rng = RNG(seed: config.seed &+ 0x5EED)
        epochCursor = EpochCursor(rows: data.train.count)
        augmentFill = data.train.blankValue()
        flip = data.readSettings.flip ?? (data.shape.channels == 3)
        self.log = log
        self.checkpoints = checkpoints
    }

    /// The model of `c` for the loaded data's images and classes (see `makeModel(_:shape:)`).
    public static func makeModel(_ c: TrainConfig, for data: DataSignature) throws -> Model {
        try makeModel(c, shape: data.modelShape)
    }

    /// The model of `c` for a sample data set's images (see `makeModel(_:shape:)`).
    public static func makeModel(_ c: TrainConfig, sample: SampleData) throws -> Model {
        try makeModel(c, shape: sample.modelShape)
    }

    /// The MLP (`mlpHidden` × `width`) or CNN (`cnn` spec, default Retort's tiny net for the
    /// image size, channels × `width`) of `c` for images and classes of `shape`. Throws a
    /// one-line `ModelSpecError` when the spec does not fit the images.
    public static func makeModel(_ c: TrainConfig, shape: ModelShape) throws -> Model {
        switch c.model {
        case .mlp:
            return MLP(shape, hidden: c.mlpHidden, width: c.width, seed: c.seed)
        case .cnn:
            return TinyCNN(try TinyCNNConfig.make(c.cnn, for: shape, width: c.width), seed: c.seed)
        }
    }

    static func makeOptimizer(_ c: TrainConfig, model: Model) -> Optimizer {
        switch c.optimizer {
        case .sgd: return SGD(parameters: model.parameters, lr: c.lr, momentum: c.momentum, nesterov: c.nesterov && c.momentum > 0, weightDecay: c.weightDecay)
        case .adamw: return AdamW(parameters: model.parameters, lr: c.lr, weightDecay: c.weightDecay)
        }
    }

    /// Learning rate from the schedule at the current progress (measured in samples, so a
    /// batch-size change mid-run keeps the schedule's shape).
    public var currentLR: Float {
        LRSchedule(baseLR: hyper.lr, minLR: config.minLR, warmupEpochs: hyper.warmupEpochs, epochs: config.epochs,
                   rowsPerEpoch: data.train.count).lr(after: epochCursor.samplesSeen)
    }

    /// Applies a hyperparameter change now (call between steps) and logs it (a value equal to
    /// the current one changes nothing and is not logged).
    public func set(_ name: String, to text: String) throws {
        let old = hyper.value(of: name)
        try hyper.set(name, text)
        if let sgd = optimizer as? SGD { sgd.momentum = hyper.momentum; sgd.weightDecay = hyper.weightDecay }
        if let adam = optimizer as? AdamW { adam.weightDecay = hyper.weightDecay }
        guard old != hyper.value(of: name) else { return }
        log?.write(MetricRecord(kind: "hparam", step: step, epoch: epoch,
                                values: [("from", old ?? .nan), ("to", hyper.value(of: name) ?? .nan)],
                                note: "\(name) \(old.map { String(format: "%g", $0) } ?? "?") → \(text)", name: name))
    }

    /// One mini-batch of training; evaluates and logs at the end of an epoch, and writes a
    /// checkpoint when one is due (before the first step, at every epoch end and every
    /// `checkpointEvery` steps). After a divergence it does nothing until `rollback`.
    @discardableResult
    public func step(logEvery: Int = 10) -> StepResult {
        precondition(!isFinished, "training already finished")
        if let d = divergence {
            return StepResult(step: step, epoch: epoch, loss: .nan, accuracy: 0, lr: currentLR, samples: 0, epochSummary: nil, divergence: d)
        }
        var saved: [CheckpointEvent] = []
        if checkpoints != nil && lastCheckpoint == nil && step == 0 && epochCursor.atEpochStart { saved.append(checkpointEvent()) }
        if epochCursor.startEpochIfDue(rng: &rng) {
            totals.reset()
        }
        let t0 = clock()
        let (x, labels) = data.train.batch(epochCursor.take(hyper.batchSize), sampleShape: model.inputShape)
        if config.shiftAugment > 0 && x.rank == 4 { Augment.shift(x, maxShift: config.shiftAugment, fill: augmentFill, rng: &rng) }
        if flip && x.rank == 4 { Augment.flip(x, rng: &rng) }
        let lr = currentLR
        optimizer.lr = lr
        optimizer.zeroGrad()
        let logits = model.forward(x, training: true)
        let (loss, grad) = crossEntropy(logits: logits, labels: labels, labelSmoothing: hyper.labelSmoothing)
        let acc = accuracy(logits: logits, labels: labels)
        // divergence guard: the update is skipped when the loss or the gradient is not finite
        let (gradNorm, bad) = Divergence.guardedUpdate(loss: loss, parameters: model.parameters, backward: { model.backwardParameters(grad) },
                                                       update: { optimizer.step() }, afterUpdate: nonFiniteState)
        step += 1
        if let bad {
            let d = Divergence(step: step, epoch: epoch, what: bad, loss: loss, gradientNorm: gradNorm, lr: hyper.lr)
            divergence = d
            log?.write(d.record)
            return StepResult(step: step, epoch: epoch, loss: loss, accuracy: acc, lr: lr, samples: labels.count, epochSummary: nil,
                              divergence: d, checkpoints: saved, logFailure: log?.takeFailure())
        }
        epochCursor.count(labels.count)
        totals.add(loss: loss, accuracy: acc, samples: labels.count, since: t0, now: clock())
        if step % logEvery == 0 {
            log?.write(MetricRecord(kind: "step", step: step, epoch: epoch,
                                    values: [("loss", Double(loss)), ("accuracy", Double(acc)), ("lr", Double(lr))]))
        }
        var summary: EpochSummary?
        if epochCursor.finishEpochIfDone() {
            let (tl, ta) = evaluate(data.test)
            summary = EpochSummary(epoch: epoch, step: step,
                                   trainLoss: totals.meanLoss, trainAccuracy: totals.meanAccuracy,
                                   testLoss: tl, testAccuracy: ta, lr: lr,
                                   seconds: totals.epochSeconds(stepStart: t0, now: clock()), samplesPerSecond: totals.samplesPerSecond)
            if let s = summary {
                log?.write(MetricRecord(kind: "epoch", step: step, epoch: epoch, values: [
                    ("train_loss", Double(s.trainLoss)), ("train_accuracy", Double(s.trainAccuracy)),
                    ("test_loss", Double(s.testLoss)), ("test_accuracy", Double(s.testAccuracy)),
                    ("lr", Double(s.lr)), ("seconds", s.seconds), ("samples_per_second", s.samplesPerSecond)]))
                let memory = ProcessMemory.kib()
                log?.write(MetricRecord(kind: "resource", step: step, epoch: epoch, values: [
                    ("rss_kib", memory.resident), ("peak_rss_kib", memory.peak)]))
                if isFinished { log?.endSession(.success) }
            }
        }
        if summary == nil { totals.addActive(from: t0, to: clock()) }
        if checkpoints != nil && (summary != nil || (config.checkpointEvery > 0 && step % config.checkpointEvery == 0)) {
            saved.append(checkpointEvent())
        }
        return StepResult(step: step, epoch: epoch, loss: loss, accuracy: acc, lr: lr, samples: labels.count, epochSummary: summary,
                          checkpoints: saved, logFailure: log?.takeFailure(), gradientNorm: gradNorm)
    }

    /// Mean loss and accuracy in evaluation mode.
    public func evaluate(_ set: ImageData, batchSize: Int = evaluationBatchSize) -> (loss: Float, accuracy: Float) {
        evaluateClassifier(set, sampleShape: model.inputShape, batchSize: batchSize) { model.forward($0, training: false) }
    }
}

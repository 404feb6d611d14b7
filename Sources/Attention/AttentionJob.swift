import Foundation
import RetortCore
import RetortData
import RunKit
import TrainEngine

/// Outcome of one `AttentionJob.step()`.
public struct AttentionStepResult: Sendable {
    public let step: Int
    /// Epochs completed after this step.
    public let epoch: Int
    public let loss: Float
    public let accuracy: Float
    public let lr: Float
    public let samples: Int
    /// Mean kept fraction of the sparse mask over the layers (nil without the sparse path).
    public let maskDensity: Double?
    /// Set when this step completed an epoch (after evaluation on the test split).
    public let epochSummary: AttentionEpochSummary?
    /// Checkpoints written after this step (epoch end, `checkpointEvery`).
    public var checkpoints: [CheckpointEvent] = []
    /// Set when the loss, the gradient or the weights stopped being finite at this step: the
    /// job refuses to go on until `rollback` (the weights may be garbage).
    public var divergence: Divergence? = nil
}

public struct AttentionEpochSummary: Sendable, Equatable, Codable {
    public let epoch: Int
    public let step: Int
    public let trainLoss: Float
    public let trainAccuracy: Float
    /// Test metrics with inference-time attention (Taylor-sparse: the low-rank path alone).
    public let testLoss: Float
    public let testAccuracy: Float
    /// Taylor-sparse only: test accuracy with the sparse path kept at inference.
    public let testAccuracyWithSparse: Float?
    public let lr: Float
    public let maskDensity: Double?
    public let seconds: Double
    public let samplesPerSecond: Double
}

/// Everything a run has produced so far, for plotting.
public struct AttentionCurves: Sendable {
    /// Per step (index = step − 1).
    public var loss: [Float] = []
    public var accuracy: [Float] = []
    public var lr: [Float] = []
    /// Per step, the mean mask density (NaN without the sparse path).
    public var maskDensity: [Float] = []
    public var epochs: [AttentionEpochSummary] = []
}

/// Trains a ViT with one attention kind, a mini-batch at a time, so a driver (the CLI or
/// the workbench thread) can step it, change hyperparameters between steps, and ask for
/// curves and diagnostics. Not thread-safe: call from one thread.
public final class AttentionJob {
    public let config: AttentionTrainConfig
    public let model: VisionTransformer
    public let data: PreparedData
    public let optimizer: AdamW
    public internal(set) var hyper: Hyperparameters
    public internal(set) var step = 0
    /// Epochs completed.
    public var epoch: Int { epochCursor.epoch }
    public internal(set) var curves = AttentionCurves()
    public var log: MetricsLog?
    /// Where checkpoints go (nil: none). One is written at every epoch end and, with
    /// `checkpointEvery` > 0, every that many steps.
    public var checkpoints: CheckpointStore?
    public var checkpointEvery = 0
    /// Step rows are written every this many steps unless `step(logEvery:)` says otherwise.
    public var logEvery = 10
    public var lastCheckpoint: (url: URL, step: Int)?
    /// Why the run stopped being finite, until a rollback (see `step()`).
    public internal(set) var divergence: Divergence?

    var rng: RNG
    var epochCursor: EpochCursor
    var totals = EpochTotals()
    /// Sum of the steps' mean mask densities this epoch, and how many steps had one.
    var epochDensity = 0.0, densitySteps = 0
    private let augmentFill: [Float]
    /// Random horizontal flips of training images (on for RGB data unless switched off).
    public let flip: Bool

    /// Loads and splits the data set named in `config` (seeded by `config.seed`).
    public convenience init(config: AttentionTrainConfig, dataDirectory: String, log: MetricsLog?) throws {
        try config.validate()
        let data = try PreparedData.load(config.data, settings: config.dataOptions, directory: dataDirectory, testCount: config.testCount, seed: config.seed)
        try self.init(config: config, data: data, log: log)
    }

    /// Uses already prepared data (e.g. shared by the runs of several kinds on one seed).
    public init(config: AttentionTrainConfig, data: PreparedData, log: MetricsLog?) throws {
        var config = config
        if config.vit == nil { config.vit = try ViTConfig.preset(for: data.signature) }
        try config.validate()
        try config.check(against: data.signature)
        self.config = config
        Threads.set(config.threads)
        self.data = data
        model = VisionTransformer(config.model, kind: config.kind, sparse: config.sparse, seed: config.seed)
        for c in model.cores { c.centring = config.centring ?? .tokens }
        var tc = TrainConfig()
        tc.lr = config.lr; tc.weightDecay = config.weightDecay; tc.batchSize = config.batchSize
        tc.labelSmoothing = config.labelSmoothing; tc.warmupEpochs = config.warmupEpochs; tc.momentum = 0.9
        hyper = Hyperparameters(tc)
        optimizer = AdamW(parameters: model.parameters, lr: config.lr, weightDecay: config.weightDecay)
        rng = RNG(seed: config.seed &+ 0x5EED)
        epochCursor = EpochCursor(rows: data.train.count)
        augmentFill = data.train.blankValue()
        flip = data.readSettings.flip ?? (data.shape.channels == 3)
        self.log = log
    }

    public var isFinished: Bool { epoch >= config.epochs }
    public var stepsPerEpoch: Int { (data.train.count + hyper.batchSize - 1) / hyper.batchSize }
    public var totalSamples: Int { config.epochs * data.train.count }
    /// Fraction of the run done, by samples.
    public var progress: Double { Double(epochCursor.samplesSeen) / Double(max(1, totalSamples)) }

    /// Learning rate at the current progress (cosine schedule in samples, as `TrainingJob`).
    public var currentLR: Float {
        LRSchedule(baseLR: hyper.lr, minLR: config.minLR, warmupEpochs: hyper.warmupEpochs, epochs: config.epochs,
                   rowsPerEpoch: data.train.count).lr(after: epochCursor.samplesSeen)
    }

    /// Changes one of `settings` between steps (validated; nothing changes when refused). Logged as an `hparam` record (name, from, to) at the
    /// current step; returns the old and new values as text.
    @discardableResult
    public func set(_ name: String, to text: String) throws -> (from: String, to: String) {
        var job = self
        let (old, new) = try Self.settings.apply(name, text, to: &job)
        optimizer.weightDecay = hyper.weightDecay
        let r = (from: String(format: "%g", old.number ?? .nan), to: String(format: "%g", new.number ?? .nan))
        guard old != new else { return r }   // no change: nothing to log
        log?.write(.settingChange(step: step, epoch: epoch, name: name, from: old, to: new, note: "\(name) \(r.from) → \(r.to)"))
        return r
    }

    /// Weight of S_sparse·V at `progress` (0…1) with the last `anneal` of training ramping it
    /// linearly from 1 to 0.
    public static func sparseWeight(progress: Double, anneal: Float) -> Float {
        guard anneal > 0 else { return 1 }
        let start = 1 - Double(anneal)
        return progress <= start ? 1 : Float(max(0, (1 - progress) / Double(anneal)))
    }

    /// τ of the sparse mask M = [P̃ > τ] the model uses now (its config's until `set` changes it).
    public var sparseThreshold: Float { model.cores[0].sparse.threshold }

    /// One mini-batch of training; evaluates on the test split at the end of an epoch.
    /// Divergence guard: a non-finite loss skips the backward pass, a non-finite gradient norm
    /// skips the update, a non-finite weight after the update is reported; then `divergence`
    /// is set, a `diverged` event is logged, no accumulator or curve moves and later calls
    /// return at once until `rollback`.
    /// A checkpoint is also written before the first step (so a run that diverges in its
    /// first epoch has one to roll back to), at every epoch end and every `checkpointEvery` steps.
    @discardableResult
    public func step(logEvery: Int? = nil) -> AttentionStepResult {
        let first = checkpoints != nil && lastCheckpoint == nil && step == 0 && epochCursor.atEpochStart && divergence == nil ? [checkpointEvent()] : []
        var r = trainStep(logEvery: logEvery)
        r.checkpoints = first + r.checkpoints
        return r
    }

    private func trainStep(logEvery: Int?) -> AttentionStepResult {
        let logEvery = max(1, logEvery ?? self.logEvery)
        precondition(!isFinished, "training already finished")
        if let d = divergence {
            return AttentionStepResult(step: step, epoch: epoch, loss: .nan, accuracy: 0, lr: currentLR, samples: 0, maskDensity: nil,
                                       epochSummary: nil, divergence: d)
        }
        if epochCursor.startEpochIfDue(rng: &rng) {
            totals.reset(); epochDensity = 0; densitySteps = 0
        }
        if config.sparseAnneal > 0 {
            let w = Self.sparseWeight(progress: progress, anneal: config.sparseAnneal)
            for c in model.cores where c.sparse.weight != w { c.sparse.weight = w }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let (x, labels) = data.train.batch(epochCursor.take(hyper.batchSize), sampleShape: model.inputShape)
        if config.shift > 0 { Augment.shift(x, maxShift: config.shift, fill: augmentFill, rng: &rng) }
        if flip { Augment.flip(x, rng: &rng) }
        let lr = currentLR
        optimizer.lr = lr
        optimizer.zeroGrad()
        Divergence.testHook(model.parameters, next: step + 1)
        let logits = model.forward(x, training: true)
        let (loss, grad) = crossEntropy(logits: logits, labels: labels, labelSmoothing: hyper.labelSmoothing)
        let acc = accuracy(logits: logits, labels: labels)
        let (gradNorm, bad) = Divergence.guardedUpdate(
            loss: loss, parameters: model.parameters, backward: { model.backwardParameters(grad) }, update: { optimizer.step() },
            afterUpdate: { model.parameters.first { !$0.value.isAllFinite }.map { "weight \($0.name)" } })
        step += 1
        if let bad {
            let d = Divergence(step: step, epoch: epoch, what: bad, loss: loss, gradientNorm: gradNorm, lr: hyper.lr)
            divergence = d
            log?.write(d.record)
            return AttentionStepResult(step: step, epoch: epoch, loss: loss, accuracy: acc, lr: lr, samples: labels.count, maskDensity: nil,
                                       epochSummary: nil, divergence: d)
        }
        epochCursor.count(labels.count)
        let densities = model.cores.compactMap(\.lastMaskDensity)
        let density = densities.isEmpty ? nil : densities.reduce(0, +) / Double(densities.count)
        if let density { epochDensity += density; densitySteps += 1 }
        totals.add(loss: loss, accuracy: acc, samples: labels.count, since: t0)
        curves.loss.append(loss); curves.accuracy.append(acc); curves.lr.append(lr)
        curves.maskDensity.append(density.map { Float($0) } ?? .nan)
        if step % logEvery == 0 {
            var values: [(String, Double)] = [("loss", Double(loss)), ("accuracy", Double(acc)), ("lr", Double(lr))]
            if let density { values.append(("mask_density", density)) }
            log?.write(MetricRecord(kind: "step", step: step, epoch: epoch, values: values))
        }
        var summary: AttentionEpochSummary?
        if epochCursor.finishEpochIfDone() {
            let (tl, ta) = evaluate(data.test)
            let withSparse = config.kind == .taylorSparse ? evaluate(data.test, sparseAtInference: true).accuracy : nil
            let s = AttentionEpochSummary(
                epoch: epoch, step: step, trainLoss: totals.meanLoss, trainAccuracy: totals.meanAccuracy, testLoss: tl, testAccuracy: ta,
                testAccuracyWithSparse: withSparse, lr: lr,
                maskDensity: densitySteps > 0 ? epochDensity / Double(densitySteps) : nil,
                seconds: totals.epochSeconds(stepStart: t0, now: DispatchTime.now().uptimeNanoseconds), samplesPerSecond: totals.samplesPerSecond)
            curves.epochs.append(s)
            var values: [(String, Double)] = [
                ("train_loss", Double(s.trainLoss)), ("train_accuracy", Double(s.trainAccuracy)),
                ("test_loss", Double(s.testLoss)), ("test_accuracy", Double(s.testAccuracy)),
                ("lr", Double(s.lr)), ("seconds", s.seconds), ("samples_per_second", s.samplesPerSecond)]
            if let d = s.maskDensity { values.append(("mask_density", d)) }
            if let a = s.testAccuracyWithSparse { values.append(("test_accuracy_with_sparse", Double(a))) }
            log?.write(MetricRecord(kind: "epoch", step: step, epoch: epoch, values: values))
            if isFinished { log?.endSession(.success) }
            summary = s
        } else {
            totals.addActive(from: t0, to: DispatchTime.now().uptimeNanoseconds)
        }
        var result = AttentionStepResult(step: step, epoch: epoch, loss: loss, accuracy: acc, lr: lr, samples: labels.count,
                                         maskDensity: density, epochSummary: summary)
        if checkpoints != nil && (summary != nil || (checkpointEvery > 0 && step % checkpointEvery == 0)) {
            result.checkpoints.append(checkpointEvent())
        }
        return result
    }

    /// Mean loss and accuracy in evaluation mode, with the model's attention or `kind`
    /// (e.g. a softmax-trained model evaluated with Taylor attention swapped in);
    /// `sparseAtInference` keeps Taylor-sparse's S_sparse·V at test time (a diagnostic).
    public func evaluate(_ set: ImageData, kind: AttentionKind? = nil, sparseAtInference: Bool = false,
                         batchSize: Int = evaluationBatchSize) -> (loss: Float, accuracy: Float) {
        let own = model.kind
        if let kind { model.kind = kind }
        for c in model.cores { c.sparseAtInference = sparseAtInference }
        defer { model.kind = own; for c in model.cores { c.sparseAtInference = false } }
        return evaluateClassifier(set, sampleShape: model.inputShape, batchSize: batchSize) { model.forward($0, training: false) }
    }

    /// Diagnostics on the real activations of `images` test images (see `AttentionDiagnostics`).
    public func diagnostics(images: Int = 100) -> AttentionDiagnostics {
        AttentionDiagnostics.measure(model, on: data.test, images: images)
    }

    /// Operation counts of this model's attention (per image and layer) and linear layers.
    public var opCounts: ModelOpCounts { ModelOpCounts(config.model) }

    /// Runs the remaining steps, or up to a divergence (see `divergence`).
    public func run(onEpoch: ((AttentionEpochSummary) -> Void)? = nil) {
        while !isFinished && divergence == nil { if let s = step().epochSummary { onEpoch?(s) } }
    }
}

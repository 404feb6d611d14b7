import Foundation
import RetortCore
import RunKit
import TrainEngine

/// Everything in an attention checkpoint that is not a tensor (JSON in the file's header).
public struct AttentionState: Codable, Sendable {
    public var kind = "attention"
    public var config: AttentionTrainConfig
    public var modelName: String
    /// The live hyperparameters (changed ones included).
    public var hyper: Hyperparameters
    public var step: Int
    /// Epochs completed; `cursor` rows of the current epoch's `order` are done.
    public var epoch: Int
    public var cursor: Int
    public var order: [Int]
    /// Samples trained on so far: the LR schedule's and --sparse-anneal's position.
    public var samplesSeen: Int
    /// Data order and augmentation generator (four 64-bit words in hex).
    public var rng: [String]
    /// Running sums of the epoch in progress.
    public var epochLoss: Double, epochCorrect: Double, epochSamples: Int, epochDensity: Double, densitySteps: Int
    public var trainSeconds: Double
    /// Per attention core: the live sparse settings (τ, weight) and the fake quantisers'
    /// running ranges (EMA state).
    public var sparse: [SparseConfig]
    public var quantQ: [FakeQuantizer], quantK: [FakeQuantizer]
    /// Per-step curves and epoch summaries so far.
    public var curveLoss: [Float], curveAccuracy: [Float], curveLR: [Float], curveDensity: [Float]
    public var epochs: [AttentionEpochSummary]
    /// AdamW's step count t.
    public var optimizerSteps: Int
    public var checkpointEvery: Int
    public var keepCheckpoints: Int
    public var logEvery: Int
    /// Bytes of each metrics file at the checkpoint (see `MetricsLog.rewind`).
    public var metrics: [String: UInt64]
    public var saved: String

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}

/// Checkpoints of an `AttentionJob`: all ViT parameters, AdamW's moments and step, the RNG,
/// the epoch position and order, the epoch accumulators, the live hyperparameters and
/// sparse settings, every attention core's fake-quantiser running ranges, the curves and
/// the metrics files' lengths. Resuming with the same thread count continues the run bit
/// for bit.
extension AttentionJob: CheckpointedJob {
    public func checkpointTensors() -> [(name: String, tensor: Tensor)] {
        model.parameters.map { (name: "model/\($0.name)", tensor: $0.value) } + OptimizerCheckpoint.tensors(optimizer)
    }

    var state: AttentionState {
        AttentionState(
            config: config, modelName: config.model.name, hyper: hyper, step: step, epoch: epoch, cursor: epochCursor.position,
            order: epochCursor.order, samplesSeen: epochCursor.samplesSeen, rng: rng.state.map { String($0, radix: 16) },
            epochLoss: totals.loss, epochCorrect: totals.correct, epochSamples: totals.samples, epochDensity: epochDensity,
            densitySteps: densitySteps, trainSeconds: totals.trainSeconds,
            sparse: model.cores.map(\.sparse), quantQ: model.cores.map(\.quantQ), quantK: model.cores.map(\.quantK),
            curveLoss: curves.loss, curveAccuracy: curves.accuracy, curveLR: curves.lr, curveDensity: curves.maskDensity,
            epochs: curves.epochs, optimizerSteps: optimizer.stepCount, checkpointEvery: checkpointEvery,
            keepCheckpoints: checkpoints?.keep ?? 3, logEvery: logEvery, metrics: log?.positions() ?? [:],
            saved: ISO8601DateFormatter().string(from: Date()))
    }

    public func encodedState() throws -> Data { try AttentionState.encoder().encode(state) }
}

/// Resume and rollback (`RestorableJob`): an attention checkpoint's state and how a job is
/// put back into it (the curves go back to the checkpoint's too).
extension AttentionJob: RestorableJob {
    public func restore(_ s: AttentionState, _ tensors: [String: Tensor], file: String) throws {
        func bad(_ why: String) -> CheckpointError { CheckpointError("\(file): \(why)") }
        guard s.kind == "attention" else { throw bad("not an attention checkpoint (kind \(s.kind))") }
        guard s.modelName == config.model.name else { throw CheckpointMismatch(file: file, "holds model \(s.modelName), this run trains \(config.model.name)") }
        guard let r = RNG(state: s.rng.compactMap { UInt64($0, radix: 16) }) else { throw bad("malformed RNG state") }
        let cursor = try EpochCursor(rows: data.train.count, order: s.order, position: s.cursor, epoch: s.epoch,
                                     samplesSeen: s.samplesSeen, bad: bad)
        let cores = model.cores
        guard s.sparse.count == cores.count, s.quantQ.count == cores.count, s.quantK.count == cores.count else {
            throw bad("sparse state of \(s.sparse.count) attention layers, the model has \(cores.count)")
        }
        var copies: [(Tensor, Tensor)] = []
        for p in model.parameters {
            let name = "model/\(p.name)"
            guard let src = tensors[name] else { throw bad("tensor \(name) is missing") }
            guard src.shape == p.value.shape else { throw bad("tensor \(name) has shape \(src.shape), expected \(p.value.shape)") }
            copies.append((p.value, src))
        }
        let restoreOptimizer = try OptimizerCheckpoint.prepareRestore(optimizer, from: tensors, stepCount: s.optimizerSteps, bad: bad)
        // apply
        for (dst, src) in copies { dst.copy(from: src) }
        restoreOptimizer()
        for (i, c) in cores.enumerated() {
            c.sparse = s.sparse[i]
            c.quantQ = s.quantQ[i]; c.quantK = s.quantK[i]
        }
        hyper = s.hyper
        optimizer.weightDecay = hyper.weightDecay
        step = s.step; epochCursor = cursor
        rng = r
        totals = EpochTotals(loss: s.epochLoss, correct: s.epochCorrect, samples: s.epochSamples, trainSeconds: s.trainSeconds)
        epochDensity = s.epochDensity; densitySteps = s.densitySteps
        curves = AttentionCurves(loss: s.curveLoss, accuracy: s.curveAccuracy, lr: s.curveLR, maskDensity: s.curveDensity, epochs: s.epochs)
        checkpointEvery = s.checkpointEvery; logEvery = s.logEvery
        divergence = nil
    }

    public static func readCheckpoint(_ url: URL) throws -> (AttentionState, [String: Tensor]) {
        try CheckpointFile.read(url, as: AttentionState.self, decoder: AttentionState.decoder(), engine: .attention)
    }

    public static func fresh(for s: AttentionState, threads: Int?, dataDirectory: String, data: PreparedData?) throws -> AttentionJob {
        var c = s.config
        if let threads { c.threads = threads }
        if let data { return try AttentionJob(config: c, data: data, log: nil) }
        return try AttentionJob(config: c, dataDirectory: dataDirectory, log: nil)
    }

    public static func recorded(_ s: AttentionState) -> (metrics: [String: UInt64], keep: Int) { (s.metrics, s.keepCheckpoints) }

    public var baseLR: Float { hyper.lr }
    public func checkLR(_ text: String) throws { var probe = hyper; try probe.set("lr", text) }
    public func applyLR(_ text: String) throws { _ = try set("lr", to: text) }
}

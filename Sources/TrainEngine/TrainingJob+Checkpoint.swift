import Foundation
import RunKit
import RetortCore

/// Checkpoints of a `TrainingJob`: model parameters, BatchNorm running statistics,
/// optimiser state (SGD momentum or AdamW moments and step count), the data-order and
/// augmentation RNG, step/epoch/position in the epoch, the live hyperparameters, the
/// schedule position and the metrics files' lengths. Resuming from one with the same
/// thread count continues the run bit for bit.
extension TrainingJob: CheckpointedJob {
    /// The tensors a checkpoint holds, in file order.
    public func checkpointTensors() -> [(name: String, tensor: Tensor)] {
        modelTensors + OptimizerCheckpoint.tensors(optimizer)
    }

    /// Parameters and BatchNorm running statistics, as checkpoints name them.
    var modelTensors: [(name: String, tensor: Tensor)] {
        model.parameters.map { (name: "model/\($0.name)", tensor: $0.value) } + model.buffers.map { (name: "buffer/\($0.name)", tensor: $0.tensor) }
    }

    /// The first parameter or running statistic holding NaN or Inf.
    func nonFiniteState() -> String? {
        if let p = model.parameters.first(where: { !$0.value.isAllFinite }) { return "weight \(p.name)" }
        if let b = model.buffers.first(where: { !$0.tensor.isAllFinite }) { return b.name }
        return nil
    }

    var state: TrainingState {
        let f = ISO8601DateFormatter()
        return TrainingState(config: config, modelName: model.name, hyper: hyper, step: step, epoch: epoch, cursor: epochCursor.position,
                             order: epochCursor.order, samplesSeen: epochCursor.samplesSeen, rng: rng.state.map { String($0, radix: 16) },
                             epochLoss: totals.loss, epochCorrect: totals.correct, epochSamples: totals.samples, trainSeconds: totals.trainSeconds,
                             optimizerSteps: (optimizer as? AdamW)?.stepCount ?? 0, metrics: log?.positions() ?? [:],
                             saved: f.string(from: Date()))
    }

    public func encodedState() throws -> Data { try state.encoded() }
}

/// Resume and rollback (`RestorableJob`): what a training checkpoint holds and how a job is
/// put back into it.
extension TrainingJob: RestorableJob {
    public func restore(_ s: TrainingState, _ tensors: [String: Tensor], file: String) throws {
        func bad(_ why: String) -> CheckpointError { CheckpointError("\(file): \(why)") }
        guard s.modelName == model.name else { throw CheckpointMismatch(file: file, "holds model \(s.modelName), this run trains \(model.name)") }
        guard let r = RNG(state: s.rng.compactMap { UInt64($0, radix: 16) }) else { throw bad("malformed RNG state") }
        let cursor = try EpochCursor(rows: data.train.count, order: s.order, position: s.cursor, epoch: s.epoch,
                                     samplesSeen: s.samplesSeen, bad: bad)
        var copies: [(Tensor, Tensor)] = []
        for (name, dst) in modelTensors {
            guard let src = tensors[name] else { throw bad("tensor \(name) is missing") }
            guard src.shape == dst.shape else { throw bad("tensor \(name) has shape \(src.shape), expected \(dst.shape)") }
            copies.append((dst, src))
        }
        let restoreOptimizer = try OptimizerCheckpoint.prepareRestore(optimizer, from: tensors, stepCount: s.optimizerSteps, bad: bad)
        for (dst, src) in copies { dst.copy(from: src) }
        restoreOptimizer()
        if let sgd = optimizer as? SGD { sgd.momentum = s.hyper.momentum; sgd.weightDecay = s.hyper.weightDecay }
        if let adam = optimizer as? AdamW { adam.weightDecay = s.hyper.weightDecay }
        hyper = s.hyper
        step = s.step; epochCursor = cursor; rng = r
        totals = EpochTotals(loss: s.epochLoss, correct: s.epochCorrect, samples: s.epochSamples, trainSeconds: s.trainSeconds)
        divergence = nil
    }

    public static func readCheckpoint(_ url: URL) throws -> (TrainingState, [String: Tensor]) {
        try CheckpointFile.read(url, as: TrainingState.self, decoder: JSONDecoder(), engine: .train)
    }

    public static func fresh(for s: TrainingState, threads: Int?, dataDirectory: String, data: PreparedData?) throws -> TrainingJob {
        var c = s.config
        if let threads { c.threads = threads }
        if let data { return try TrainingJob(config: c, data: data, log: nil) }
        return try TrainingJob(config: c, dataDirectory: dataDirectory, log: nil)
    }

    public static func recorded(_ s: TrainingState) -> (metrics: [String: UInt64], keep: Int) { (s.metrics, s.config.keepCheckpoints) }

    public var baseLR: Float { hyper.lr }
    public func checkLR(_ text: String) throws { var probe = hyper; try probe.set("lr", text) }
    public func applyLR(_ text: String) throws { try set("lr", to: text) }
}

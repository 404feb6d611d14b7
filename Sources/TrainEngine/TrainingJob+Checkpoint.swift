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
        return TrainingState(config: config, modelName: model.name, hyper: hyper, step: step, epoch: epoch, cursor: cursor, order: order,
                             samplesSeen: samplesSeen, rng: rng.state.map { String($0, radix: 16) },
                             epochLoss: epochLoss, epochCorrect: epochCorrect, epochSamples: epochSamples, trainSeconds: trainSeconds,
                             optimizerSteps: (optimizer as? AdamW)?.stepCount ?? 0, metrics: log?.positions() ?? [:],
                             saved: f.string(from: Date()))
    }

    public func encodedState() throws -> Data { try state.encoded() }

    /// Puts the job into the state a checkpoint holds. Everything is checked before
    /// anything changes, so a refused checkpoint leaves the job as it was.
    func restore(_ s: TrainingState, _ tensors: [String: Tensor], file: String) throws {
        func bad(_ why: String) -> CheckpointError { CheckpointError("\(file): \(why)") }
        guard s.modelName == model.name else { throw bad("holds model \(s.modelName), this run trains \(model.name)") }
        guard let r = RNG(state: s.rng.compactMap { UInt64($0, radix: 16) }) else { throw bad("malformed RNG state") }
        guard s.cursor >= 0, s.cursor <= s.order.count, s.order.allSatisfy({ $0 >= 0 && $0 < data.train.count }),
              s.order.isEmpty || s.order.count == data.train.count else { throw bad("epoch position does not fit the data set") }
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
        step = s.step; epoch = s.epoch; cursor = s.cursor; order = s.order; samplesSeen = s.samplesSeen; rng = r
        epochLoss = s.epochLoss; epochCorrect = s.epochCorrect; epochSamples = s.epochSamples; trainSeconds = s.trainSeconds
        epochStart = DispatchTime.now().uptimeNanoseconds
        divergence = nil
    }

    /// Reads a checkpoint file and its state; one line naming the file on any problem.
    static func read(_ url: URL) throws -> (TrainingState, [String: Tensor]) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw CheckpointError("\(url.path): cannot read it (\(CheckpointStore.reason(error)))") }
        let c = try CheckpointFile.decode(data, file: url.path)
        do { return (try JSONDecoder().decode(TrainingState.self, from: c.state), c.tensors) } catch {
            throw CheckpointError("\(url.path): training state is malformed (\(error))")
        }
    }

    /// Opens a run folder at its newest good checkpoint. `threads` overrides the saved
    /// thread count (results stay bit-identical only with the same count).
    public static func resume(runFolder: URL, dataDirectory: String, threads: Int? = nil) throws -> (job: TrainingJob, notes: [String]) {
        try resumeRun(runFolder) { url in
            let (s, tensors) = try read(url)
            var c = s.config
            if let threads { c.threads = threads }
            let j = try TrainingJob(config: c, dataDirectory: dataDirectory, log: nil)
            try j.restore(s, tensors, file: url.path)
            return (j, s.metrics, c.keepCheckpoints)
        }
    }

    /// Restores the newest good checkpoint and lowers the learning rate: to `lr` when given,
    /// else to a tenth of the rate in force (the one that diverged). Metrics written after
    /// the checkpoint are cut back (the events are kept). Returns a confirmation line.
    public func rollback(lr text: String? = nil) throws -> String {
        let r = try Rollback.perform(
            store: checkpoints, divergence: divergence, lr: text, log: log, baseLR: { hyper.lr },
            check: { var probe = hyper; try probe.set("lr", $0) },
            restore: { url in let (s, t) = try Self.read(url); try restore(s, t, file: url.path); return s.metrics },
            position: { (step, epoch) }, setLR: { try set("lr", to: $0) })
        lastCheckpoint = (r.url, step)
        return r.message
    }
}

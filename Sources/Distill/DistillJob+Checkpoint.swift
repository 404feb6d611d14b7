import Foundation
import RetortCore
import RunKit
import TrainEngine

/// Everything in a distillation checkpoint that is not a tensor (JSON in the file's header).
public struct DistillState: Codable, Sendable {
    public var kind = "distill"
    public var config: DistillConfig
    public var modelName: String
    /// The live settings (changed ones included).
    public var settings: DistillSettings
    public var step: Int
    /// Epochs completed; `cursor` rows of the current epoch's `order` are done.
    public var epoch: Int
    public var cursor: Int
    public var order: [Int]
    /// Samples trained on so far: the LR schedule's and the KD warm-up's position.
    public var samplesSeen: Int
    /// Data order, augmentation and width sampling generators (four 64-bit words in hex each).
    public var orderRNG: [String], augmentRNG: [String], widthRNG: [String]
    /// Running sums of the epoch in progress and the whole-run records.
    var acc: EpochAccumulator
    public var trainSeconds: Double
    public var cosines: [Double]
    public var runCounts: [Int]        // conflicts, any tensor, steps, teacher steps, weight steps
    public var runSums: [Double]       // entropy, KD weight
    public var lastEpoch: DistillEpochSummary?
    /// The epoch's student diagnostics and the collapse detector (absent in checkpoints
    /// written before Retort kept them: a resume then starts them afresh).
    var diagnostics: StudentDiagnostics?
    public var collapse: CollapseDetector?
    /// The teacher's calibration of the epoch in progress (absent before Retort had it).
    public var calibration: TeacherCalibration?
    /// The held-out student kept so far (its slice is in the tensors as kept/NAME; absent
    /// without one and in checkpoints written before Retort kept it).
    public var kept: KeptStudent?
    /// `--set-at` changes not applied yet (absent in checkpoints written before Retort kept them).
    public var schedule: [ScheduledSetting]?
    /// Per BatchNorm (by name): widths with their own statistics besides the full width.
    public var bnWidths: [String: [Int]]
    /// AdamW's step count t (0 for SGD).
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

/// Checkpoints of a `DistillJob`: all parameters (max-width allocation), every BatchNorm's
/// running statistics (per-width ones included), optimiser state, the three RNGs, the
/// epoch position and order, the epoch accumulators and whole-run records, the live
/// settings and the metrics files' lengths. Resuming with the same thread count continues
/// the run bit for bit.
extension DistillJob: CheckpointedJob {
    public func checkpointTensors() -> [(name: String, tensor: Tensor)] {
        var t = net.parameters.map { (name: "model/\($0.name)", tensor: $0.value) }
        for bn in net.batchNorms {
            t.append(("bn/\(bn.name)/mean", bn.layer.runningMean)); t.append(("bn/\(bn.name)/var", bn.layer.runningVar))
            for w in bn.layer.trackedWidths where w != bn.layer.features {
                let s = bn.layer.runningStatistics(width: w)
                t.append(("bn/\(bn.name)/\(w)/mean", s.mean)); t.append(("bn/\(bn.name)/\(w)/var", s.var))
            }
        }
        if kept != nil { t += keptTensors.map { (name: "kept/\($0.name)", tensor: $0.tensor) } }
        return t + OptimizerCheckpoint.tensors(optimizer)
    }

    /// The first parameter or BatchNorm running statistic (per-width ones included) holding
    /// NaN or Inf: the divergence guard's check after every update.
    func nonFiniteState() -> String? {
        if let p = net.parameters.first(where: { !$0.value.isAllFinite }) { return "weight \(p.name)" }
        for bn in net.batchNorms {
            if !bn.layer.runningMean.isAllFinite || !bn.layer.runningVar.isAllFinite { return "BatchNorm statistic \(bn.name)" }
            for w in bn.layer.trackedWidths where w != bn.layer.features {
                let s = bn.layer.runningStatistics(width: w)
                if !s.mean.isAllFinite || !s.var.isAllFinite { return "BatchNorm statistic \(bn.name) at width \(w)" }
            }
        }
        return nil
    }

    var state: DistillState {
        func hex(_ r: RNG) -> [String] { r.state.map { String($0, radix: 16) } }
        return DistillState(
            config: config, modelName: net.name, settings: settings, step: step, epoch: epoch, cursor: epochCursor.position,
            order: epochCursor.order, samplesSeen: epochCursor.samplesSeen, orderRNG: hex(orderRNG), augmentRNG: hex(augmentRNG), widthRNG: hex(widthRNG),
            acc: acc, trainSeconds: trainSeconds, cosines: cosines,
            runCounts: [runConflicts, runAnyTensor, runSteps, runTeacherSteps, runWeightSteps], runSums: [runEntropy, runWeight],
            lastEpoch: lastEpoch, diagnostics: diagnostics, collapse: collapse, calibration: calibration, kept: kept, schedule: schedule,
            bnWidths: Dictionary(net.batchNorms.map { bn in (bn.name, bn.layer.trackedWidths.filter { $0 != bn.layer.features }) },
                                 uniquingKeysWith: { a, _ in a }),
            optimizerSteps: (optimizer as? AdamW)?.stepCount ?? 0, checkpointEvery: checkpointEvery,
            keepCheckpoints: checkpoints?.keep ?? 3, logEvery: logEvery, metrics: log?.positions() ?? [:],
            saved: ISO8601DateFormatter().string(from: Date()))
    }

    public func encodedState() throws -> Data { try DistillState.encoder().encode(state) }
}

/// Resume and rollback (`RestorableJob`): a distillation checkpoint's state and how a job is
/// put back into it.
extension DistillJob: RestorableJob {
    public func restore(_ s: DistillState, _ tensors: [String: Tensor], file: String) throws {
        func bad(_ why: String) -> CheckpointError { CheckpointError("\(file): \(why)") }
        guard s.modelName == net.name else { throw CheckpointMismatch(file: file, "holds model \(s.modelName), this run trains \(net.name)") }
        func rng(_ h: [String]) throws -> RNG {
            guard let r = RNG(state: h.compactMap { UInt64($0, radix: 16) }) else { throw bad("malformed RNG state") }
            return r
        }
        let (r0, r1, r2) = (try rng(s.orderRNG), try rng(s.augmentRNG), try rng(s.widthRNG))
        let cursor = try EpochCursor(rows: data.train.count, order: s.order, position: s.cursor, epoch: s.epoch,
                                     samplesSeen: s.samplesSeen, bad: bad)
        guard s.acc.tensorConflicts.count == net.parameters.count, s.runCounts.count == 5, s.runSums.count == 2 else {
            throw bad("epoch accumulators do not fit the model")
        }
        var copies: [(Tensor, Tensor)] = []
        for p in net.parameters {
            let name = "model/\(p.name)"
            guard let src = tensors[name] else { throw bad("tensor \(name) is missing") }
            guard src.shape == p.value.shape else { throw bad("tensor \(name) has shape \(src.shape), expected \(p.value.shape)") }
            copies.append((p.value, src))
        }
        var stats: [(BatchNorm, Int, Tensor, Tensor)] = []
        for bn in net.batchNorms {
            for w in [bn.layer.features] + (s.bnWidths[bn.name] ?? []) {
                let key = w == bn.layer.features ? "bn/\(bn.name)" : "bn/\(bn.name)/\(w)"
                guard w > 0, w <= bn.layer.features, let m = tensors[key + "/mean"], let v = tensors[key + "/var"],
                      m.count == w, v.count == w else { throw bad("BatchNorm statistics \(key) are missing or malformed") }
                stats.append((bn.layer, w, m, v))
            }
        }
        var keptCopy: [(name: String, tensor: Tensor)] = []
        if s.kept != nil {
            for (name, shape) in net.studentTensors().map({ ($0.name, $0.tensor.shape) }) {
                guard let t = tensors["kept/\(name)"], t.shape == shape else { throw bad("kept student tensor kept/\(name) is missing or has the wrong shape") }
                keptCopy.append((name, t.copy()))
            }
        }
        let restoreOptimizer = try OptimizerCheckpoint.prepareRestore(optimizer, from: tensors, stepCount: s.optimizerSteps, bad: bad)
        // apply
        for (dst, src) in copies { dst.copy(from: src) }
        for bn in net.batchNorms { bn.layer.resetRunningStatistics() }
        for (layer, w, m, v) in stats { layer.setRunningStatistics(width: w, mean: m, variance: v) }
        restoreOptimizer()
        settings = s.settings
        step = s.step; epochCursor = cursor
        orderRNG = r0; augmentRNG = r1; widthRNG = r2
        acc = s.acc; trainSeconds = s.trainSeconds; cosines = s.cosines
        (runConflicts, runAnyTensor, runSteps, runTeacherSteps, runWeightSteps) = (s.runCounts[0], s.runCounts[1], s.runCounts[2], s.runCounts[3], s.runCounts[4])
        (runEntropy, runWeight) = (s.runSums[0], s.runSums[1])
        lastEpoch = s.lastEpoch
        if let d = s.diagnostics, d.tracked == diagnostics.tracked { diagnostics = d } else { diagnostics = StudentDiagnostics(layout: net.layout) }
        collapse = s.collapse ?? CollapseDetector(threshold: config.effectiveCollapseDrop)
        calibration = s.calibration ?? TeacherCalibration()
        kept = s.kept; keptTensors = keptCopy
        schedule = s.schedule ?? []
        checkpointEvery = s.checkpointEvery; logEvery = s.logEvery
        activeSeconds = trainSeconds   // the checkpoint's time in training steps
        model.setWidth(net.student)
        divergence = nil
    }

    public static func readCheckpoint(_ url: URL) throws -> (DistillState, [String: Tensor]) {
        try CheckpointFile.read(url, as: DistillState.self, decoder: DistillState.decoder(), engine: .distill)
    }

    public static func fresh(for s: DistillState, threads: Int?, dataDirectory: String, data: PreparedData?) throws -> DistillJob {
        var c = s.config
        if let threads { c.threads = threads }
        if let data { return try DistillJob(config: c, data: data, log: nil) }
        return try DistillJob(config: c, dataDirectory: dataDirectory, log: nil)
    }

    public static func recorded(_ s: DistillState) -> (metrics: [String: UInt64], keep: Int) { (s.metrics, s.keepCheckpoints) }

    public var baseLR: Float { settings.lr }
    public func checkLR(_ text: String) throws { var probe = settings; try probe.set("lr", text) }
    public func applyLR(_ text: String) throws { _ = try set("lr", to: text) }
}

import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine

/// Outcome of one joint step.
public struct DistillStepResult: Sendable {
    public let step: Int
    public let epoch: Int
    public let lr: Float
    public let samples: Int
    /// Student: label loss, distillation loss (already × λ_eff), batch accuracy (train mode).
    public let studentLoss: Float
    public let kdLoss: Float
    public let studentAccuracy: Float
    /// Teacher: label loss and batch accuracy (NaN without a teacher).
    public let teacherLoss: Float
    public let teacherAccuracy: Float
    /// λ after the warm-up ramp.
    public let lambda: Float
    /// Gradient alignment and surgery (nil when the teacher is not trained).
    public let surgery: SurgeryOutcome?
    /// ‖g_t‖ over all its elements, before surgery (NaN without a teacher).
    public let teacherNormFull: Double
    /// Per-sample teacher entropies H(softmax(z_t)) (empty without a teacher) and KD weights.
    public let entropies: [Float]
    public let kdWeights: [Float]
    public var meanEntropy: Double { entropies.isEmpty ? .nan : entropies.reduce(0) { $0 + Double($1) } / Double(entropies.count) }
    public var meanKDWeight: Double { kdWeights.isEmpty ? .nan : kdWeights.reduce(0) { $0 + Double($1) } / Double(kdWeights.count) }
    /// The teacher sub-network of this step.
    public let teacherWidth: WidthChoice?
    public let epochSummary: DistillEpochSummary?
    /// Checkpoints written after this step (epoch end, `checkpointEvery`).
    public var checkpoints: [CheckpointEvent] = []
    /// Set when a loss, the gradient or the weights stopped being finite at this step: the
    /// update was skipped (or its weights are garbage) and the job refuses to go on until
    /// `rollback`.
    public var divergence: Divergence? = nil
}

/// Evaluation and step statistics at the end of an epoch.
public struct DistillEpochSummary: Sendable, Equatable, Codable {
    public let epoch: Int
    public let step: Int
    /// Evaluation mode on the whole training split and the test split.
    public let studentTrainAccuracy: Float, studentTestAccuracy: Float, studentTestLoss: Float
    public let teacherTrainAccuracy: Float, teacherTestAccuracy: Float, teacherTestLoss: Float
    /// Mean batch loss / accuracy of the student during the epoch (train mode).
    public let studentStepLoss: Float, studentStepAccuracy: Float
    /// Fractions of the epoch's steps: whole-vector conflict; at least one tensor conflicting.
    public let conflictFraction: Double
    public let anyTensorConflictFraction: Double
    public let meanCosine: Double
    public let meanCosineAfter: Double
    public let meanEntropy: Double
    public let meanKDWeight: Double
    /// Per tensor: fraction of the epoch's steps with cos < τ.
    public let tensorConflictFractions: [Double]
    /// Student hidden units that got no gradient in the whole epoch, as a fraction (see
    /// `StudentDiagnostics`; nil in checkpoints written before Retort measured it).
    public var deadUnitFraction: Double? = nil
    /// Mean share of the KD term in the student's logit gradient over the epoch's KD steps
    /// (NaN without KD; nil in older checkpoints).
    public var kdGradientShare: Double? = nil
    /// The teacher's mean top-class probability on the training and the test split
    /// (evaluation mode; NaN without a teacher; nil in older checkpoints).
    public var teacherTrainConfidence: Double? = nil, teacherTestConfidence: Double? = nil
    /// The collapse detector's reading after this epoch: the student's best test accuracy
    /// so far and how far below it the latest is, in points (nil in older checkpoints).
    public var studentBestTestAccuracy: Double? = nil, studentDropFromBest: Double? = nil
    /// The student's accuracy and mean loss on the held-out rows and the epoch of the student
    /// kept so far (`keep-student held-out`; nil otherwise and in older checkpoints).
    public var studentHeldOutAccuracy: Double? = nil, studentHeldOutLoss: Double? = nil
    public var keptEpoch: Int? = nil
    public let lr: Float
    public let seconds: Double
    public let samplesPerSecond: Double
}

/// Final numbers of a finished run (what `compare` tabulates). The student's accuracies are
/// the kept student's (`keep-student`): with held-out keeping, the student of `keptEpoch`.
public struct DistillRunSummary: Sendable, Codable, Equatable {
    public var studentTestAccuracy: Double
    public var studentTrainAccuracy: Double
    /// Held-out keeping: the kept student's epoch and held-out accuracy (nil: the last student is kept).
    public var keptEpoch: Int? = nil
    public var keptHeldOutAccuracy: Double? = nil
    /// The student after the last epoch, and its best test accuracy over the run (a
    /// diagnostic the choice never sees; nil in summaries written before Retort kept them).
    public var lastStudentTestAccuracy: Double? = nil
    public var bestStudentTestAccuracy: Double? = nil
    public var teacherTestAccuracy: Double
    public var teacherTrainAccuracy: Double
    public var conflictFraction: Double
    public var anyTensorConflictFraction: Double
    public var meanCosine: Double
    public var cosineFirst10: Double
    public var cosineLast10: Double
    public var meanEntropy: Double
    public var meanKDWeight: Double
    public var steps: Int
    public var seconds: Double

    public init(studentTestAccuracy: Double, studentTrainAccuracy: Double, teacherTestAccuracy: Double, teacherTrainAccuracy: Double,
                conflictFraction: Double, anyTensorConflictFraction: Double, meanCosine: Double, cosineFirst10: Double,
                cosineLast10: Double, meanEntropy: Double, meanKDWeight: Double, steps: Int, seconds: Double) {
        self.studentTestAccuracy = studentTestAccuracy; self.studentTrainAccuracy = studentTrainAccuracy
        self.teacherTestAccuracy = teacherTestAccuracy; self.teacherTrainAccuracy = teacherTrainAccuracy
        self.conflictFraction = conflictFraction; self.anyTensorConflictFraction = anyTensorConflictFraction
        self.meanCosine = meanCosine; self.cosineFirst10 = cosineFirst10; self.cosineLast10 = cosineLast10
        self.meanEntropy = meanEntropy; self.meanKDWeight = meanKDWeight; self.steps = steps; self.seconds = seconds
    }
}

/// The NetDistiller engine (reconstruction, see docs/distill.md): a weight-sharing
/// teacher and its first-k student trained jointly, one mini-batch per `step()`.
///
/// Per step (spec §2.2 [R]):
/// 1. teacher forward/backward on its label loss into buffer G_t (zeroed, full size);
/// 2. student forward/backward on CE + λ·KD toward the detached teacher into G_s (zeroed,
///    full size, so exactly zero outside the student's slice);
/// 3. surgery on the shared elements; 4. g = G_s' + α·G_t'; 5. optimiser step, schedule.
public final class DistillJob {
    public let config: DistillConfig
    public let net: WeightSharingNet
    public let data: PreparedData
    public let optimizer: Optimizer
    public var log: MetricsLog?
    public internal(set) var settings: DistillSettings
    public internal(set) var step = 0
    /// Epochs completed.
    public var epoch: Int { epochCursor.epoch }
    /// Where checkpoints go (nil: none). One is written at every epoch end and, with
    /// `checkpointEvery` > 0, every that many steps.
    public var checkpoints: CheckpointStore?
    public var checkpointEvery = 0
    /// Step rows are written every this many steps (saved in checkpoints for a resume).
    public var logEvery = 1
    /// Setting changes planned for later steps (sorted by step; saved in checkpoints). The
    /// driver applies them (`retort distill --set-at`); see `dueSettings()`.
    public var schedule: [ScheduledSetting] = []
    public var lastCheckpoint: (url: URL, step: Int)?
    /// Why the run stopped being finite, until a rollback (see `step()`).
    public internal(set) var divergence: Divergence?
    /// Events worth telling the user (BatchNorm policy, sorting, setting changes).
    public private(set) var notes: [String] = []

    private let gs: [Tensor], gt: [Tensor], combined: [Tensor]
    var orderRNG: RNG, augmentRNG: RNG, widthRNG: RNG
    var epochCursor: EpochCursor
    private let augmentFill: [Float]
    /// Random horizontal flips of training images (on for RGB data unless switched off).
    public let flip: Bool
    /// Re-estimate BatchNorm statistics before evaluating the student / the teacher.
    public let recalibrateStudent: Bool
    private let recalibrateTeacherAlways: Bool
    /// Also true while ensemble KD runs: its sampled widths share the teacher's statistics.
    public var recalibrateTeacher: Bool {
        recalibrateTeacherAlways || (net.hasBatchNorm && config.teacherLoss && settings.lambda > 0 && settings.uncertainty == .ensemble)
    }
    private let ensembleWidths: [Float]
    private let ensembleExpands: [Float]

    // epoch accumulators
    /// Seconds inside the epoch's finished steps (an epoch's `seconds` leaves out the time
    /// between steps: a paused workbench run is not training).
    var activeSeconds = 0.0
    var trainSeconds = 0.0
    /// Uptime in nanoseconds (replaceable in tests).
    public var clock: @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    var acc = EpochAccumulator(tensors: 0)
    var diagnostics: StudentDiagnostics
    /// Training rows held out from the teacher's label loss to calibrate it and, when the run
    /// keeps the held-out student, from the student's losses (sorted; empty without a
    /// held-out split) and, per training row, whether it is one of them.
    public let calibrationRows: [Int]
    private let heldOut: [Bool]
    /// Whether the teacher is calibrated on `calibrationRows` every epoch.
    var calibratesTeacher: Bool { config.teacherLoss && !calibrationRows.isEmpty }
    /// Whether the student never trains on `calibrationRows` and the run keeps the student
    /// of its best held-out epoch (`keep-student held-out`).
    public var keepsHeldOutStudent: Bool { config.effectiveKeepStudent == .heldOut && !calibrationRows.isEmpty }
    /// The student kept so far (held-out keeping; nil before the first epoch ends) and its
    /// slice's tensors, as `WeightSharingNet.studentTensors()` gave them at that epoch.
    public internal(set) var kept: KeptStudent?
    var keptTensors: [(name: String, tensor: Tensor)] = []
    /// The teacher's calibration, refitted at the start of every epoch on `calibrationRows`.
    public internal(set) var calibration = TeacherCalibration()
    /// The student's test accuracy per epoch, watched for a collapse (`--collapse-drop`).
    public internal(set) var collapse: CollapseDetector
    // whole-run records
    var cosines: [Double] = []
    var runConflicts = 0, runAnyTensor = 0, runSteps = 0
    var runEntropy = 0.0, runWeight = 0.0, runTeacherSteps = 0, runWeightSteps = 0
    public internal(set) var lastEpoch: DistillEpochSummary?
    private let created = DispatchTime.now().uptimeNanoseconds

    public var isFinished: Bool { epoch >= config.epochs }
    public var stepsPerEpoch: Int { (data.train.count + config.batchSize - 1) / config.batchSize }
    public var totalSamples: Int { config.epochs * data.train.count }
    public var layout: SharedLayout { net.layout }
    /// The buffers of the last step: the student's gradient G_s' and the teacher's G_t'
    /// (after surgery), full size. Read-only inspection (tests, diagnostics).
    public var studentGradient: [Tensor] { gs }
    public var teacherGradient: [Tensor] { gt }

    /// Loads the data (split with `splitSeed`) and builds the model. Throws ConfigError /
    /// DataError with a one-line message.
    public convenience init(config: DistillConfig, dataDirectory: String, log: MetricsLog?) throws {
        try config.validate()
        let data = try PreparedData.load(config.data, settings: config.dataOptions, directory: dataDirectory,
                                         testCount: config.effectiveTestCount, seed: config.splitSeed)
        try self.init(config: config, data: data, log: log)
    }

    /// With data already loaded (e.g. shared by the runs of `compare`).
    public init(config: DistillConfig, data: PreparedData, log: MetricsLog?) throws {
        try config.validate()
        self.config = config
        self.data = data
        self.log = log
        Threads.set(config.threads)
        net = try WeightSharingNet(config: config, data: data.signature)
        settings = DistillSettings(config)
        let params = net.parameters
        gs = params.map { Tensor(shape: $0.shape) }
        gt = params.map { Tensor(shape: $0.shape) }
        combined = params.map(\.grad)
        switch config.optimizer {
        case .sgd: optimizer = SGD(parameters: params, lr: config.lr, momentum: config.momentum,
                                   nesterov: config.nesterov && config.momentum > 0, weightDecay: config.weightDecay)
        case .adamw: optimizer = AdamW(parameters: params, lr: config.lr, weightDecay: config.weightDecay)
        }
        orderRNG = RNG(seed: config.seed &+ 0x0DE7)
        augmentRNG = RNG(seed: config.seed &+ 0xA06)
        widthRNG = RNG(seed: config.seed &+ 0x71D7)
        epochCursor = EpochCursor(rows: data.train.count)
        augmentFill = data.train.blankValue()
        flip = data.readSettings.flip ?? (data.shape.channels == 3)
        acc = EpochAccumulator(tensors: params.count)
        diagnostics = StudentDiagnostics(layout: net.layout)
        collapse = CollapseDetector(threshold: config.effectiveCollapseDrop)
        calibrationRows = TeacherCalibration.rows(count: data.train.count, fraction: config.teacherLoss || config.effectiveKeepStudent == .heldOut ? config.effectiveCalibrationHoldout : 0,
                                                  seed: config.splitSeed)
        var mask = [Bool](repeating: false, count: data.train.count)
        for r in calibrationRows { mask[r] = true }
        heldOut = mask
        // Ensemble members: per group uniform over 3 evenly spaced factors in (1, teacher].
        func grid(_ f: Float) -> [Float] { f <= 1 ? [1] : [1 + (f - 1) / 3, 1 + 2 * (f - 1) / 3, f] }
        ensembleWidths = config.effectiveRandomWidths.filter { $0 > 1 }.isEmpty ? grid(net.teacher.output.max() ?? 1) : config.effectiveRandomWidths.filter { $0 > 1 }
        ensembleExpands = net.blockCount == 0 ? [] : ((net.teacher.expand.max() ?? 1) > 1 ? grid(net.teacher.expand.max()!) : [])

        // BatchNorm policy.
        var studentAtRisk = false
        if net.hasBatchNorm && config.teacherLoss && config.batchNorm == .perWidth {
            // A teacher pass that runs a BatchNorm at the student's own width, after a layer
            // where the two differ, would update the student's statistics with teacher data.
            var upstreamDiffers = false
            let index = Dictionary(net.parameters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
            let bnIndices = Set(net.batchNorms.compactMap { index[$0.name + ".weight"] })
            for i in 0..<params.count {
                let same = net.layout.extents[i] == net.teacherLayout.extents[i]
                if bnIndices.contains(i) && same && upstreamDiffers { studentAtRisk = true }
                if !same { upstreamDiffers = true }
            }
            let sampled = config.effectiveRandomWidths + config.effectiveRandomExpands
                + (config.stopWidthAugmentEpochs > 0 && !config.effectiveRandomWidths.isEmpty ? [1] : [])
            if config.randomSampling && (sampled.min() ?? 2) <= 1 { studentAtRisk = true }
        }
        recalibrateStudent = net.hasBatchNorm && (config.batchNorm == .recalibrate || studentAtRisk)
        recalibrateTeacherAlways = net.hasBatchNorm && config.teacherLoss
            && (config.batchNorm == .recalibrate || studentAtRisk || config.randomSampling)
        if net.hasBatchNorm {
            if config.batchNorm == .perWidth {
                note("BatchNorm: per-width running statistics" + (studentAtRisk
                    ? "; a teacher pass can run a BatchNorm at the student's width, so the student's statistics are re-estimated before evaluation"
                    : "; the student's statistics only ever see student batches")
                    + (recalibrateTeacher ? "; the teacher's are re-estimated before evaluation" : ""))
            } else {
                note("BatchNorm: shared statistics, re-estimated from \(config.recalibrationSamples) training images before every evaluation (NetAug reset_bn)")
            }
        }
        note("method [R] (reconstruction, not the paper's confirmed method): " + config.methodSummary)
        if let log { writeOpeningEvents(to: log) }
        model.setWidth(net.student)
    }

    public var model: Model { net.model }

    /// Starts writing metrics to `log` (a job built without one, e.g. the Distill tab's run
    /// before it first starts): the events a log given to `init` gets come first.
    public func attach(log: MetricsLog) {
        self.log = log
        writeOpeningEvents(to: log)
    }

    /// The run's opening events: its notes (BatchNorm policy, method) and its shared elements.
    private func writeOpeningEvents(to log: MetricsLog) {
        for text in notes { log.write(MetricRecord(kind: "event", step: 0, epoch: 0, values: [], note: text)) }
        log.write(MetricRecord(kind: "event", step: 0, epoch: 0, values: [
            ("shared_elements", Double(net.layout.totalShared)), ("all_elements", Double(net.layout.totalElements))],
            note: "student = first-k slice of \(net.name); teacher \(net.teacher); allocation \(net.allocation)"))
    }

    private func note(_ text: String) { notes.append(text) }

    /// Learning rate from the cosine schedule at the current progress (in samples).
    public var currentLR: Float {
        LRSchedule(baseLR: settings.lr, minLR: config.minLR, warmupEpochs: config.warmupEpochs, epochs: config.epochs,
                   rowsPerEpoch: data.train.count).lr(after: epochCursor.samplesSeen)
    }

    /// Applies the scheduled changes whose step has been reached (call between steps) and
    /// returns them with their old and new values; throws the first refused one.
    public func applyDueSettings() throws -> [(ScheduledSetting, from: String, to: String)] {
        var done: [(ScheduledSetting, from: String, to: String)] = []
        while let c = schedule.first, c.step <= step {
            let r = try set(c.name, to: c.value)
            schedule.removeFirst()
            done.append((c, r.from, r.to))
        }
        return done
    }

    /// Sets the base lr now (`retort resume RUN --lr X`) and drops the scheduled lr changes
    /// still ahead, which would override it (a run that diverged after `--set-at N:lr=10`
    /// must not diverge again); returns the dropped ones.
    public func replaceLR(_ text: String) throws -> [ScheduledSetting] {
        try set("lr", to: text)
        let dropped = schedule.filter { $0.name == "lr" }
        schedule.removeAll { $0.name == "lr" }
        return dropped
    }

    /// Changes the collapse detector's threshold (points; a diagnostic, the training is unchanged).
    public func setCollapseThreshold(_ points: Double) { collapse.threshold = points }

    /// λ after the linear KD warm-up.
    public var currentLambda: Float {
        guard config.teacherLoss else { return 0 }
        let ramp = config.kdWarmupEpochs > 0 ? min(1, Float(Double(epochCursor.samplesSeen) / (Double(config.kdWarmupEpochs) * Double(data.train.count)))) : 1
        return settings.lambda * ramp
    }

    /// Changes a live setting (see `DistillSettings.specs`) from the next step on and logs it.
    /// Returns the old and new value as text.
    @discardableResult
    public func set(_ name: String, to text: String) throws -> (from: String, to: String) {
        var s = settings
        let old = s.text(of: name) ?? "?"
        try s.set(name, text)
        if !config.teacherLoss && ["surgery", "lambda", "uncertainty"].contains(name) && s != settings {
            if (name == "surgery" && s.surgery != .none) || (name == "lambda" && s.lambda > 0) || name == "uncertainty" {
                throw ConfigError("\(name): this run trains the student alone (no teacher), so \(name) has no effect")
            }
        }
        if name == "uncertainty" && s.uncertainty == .calibrated && settings.uncertainty != .calibrated && calibrationRows.isEmpty {
            throw ConfigError("uncertainty: calibrated needs a held-out calibration split, which this run was started without (start it with --uncertainty calibrated or --calibration-holdout F)")
        }
        let before = DistillSettings.settings.value(name, of: settings) ?? .word(old)
        settings = s
        let new = s.text(of: name) ?? "?"
        guard new != old else { return (old, new) }   // no change: nothing to log
        log?.write(.settingChange(step: step, epoch: epoch, name: name, from: before,
                                  to: DistillSettings.settings.value(name, of: s) ?? .word(new), note: "\(name) \(old) → \(new)"))
        return (old, new)
    }

    // MARK: - the joint step

    /// One joint step. Divergence guard: a non-finite teacher, student or KD loss skips the
    /// backward pass, a non-finite gradient norm skips the update, and a non-finite weight or
    /// BatchNorm statistic after the update is reported; then `divergence` is set, a
    /// `diverged` event is logged, no accumulator moves and later calls return at once until
    /// `rollback`.
    /// A checkpoint is also written before the first step (so a run that diverges in its
    /// first epoch has one to roll back to), at every epoch end and every `checkpointEvery` steps.
    @discardableResult
    public func step(logEvery: Int? = nil) -> DistillStepResult {
        let first = checkpoints != nil && lastCheckpoint == nil && step == 0 && epochCursor.atEpochStart && divergence == nil ? [checkpointEvent()] : []
        var r = trainStep(logEvery: logEvery)
        r.checkpoints = first + r.checkpoints
        return r
    }

    private func trainStep(logEvery: Int?) -> DistillStepResult {
        precondition(!isFinished, "training already finished")
        if let d = divergence { return diverged(d, lr: currentLR, samples: 0) }
        if let logEvery { self.logEvery = logEvery }
        let logEvery = self.logEvery
        let stepStart = clock()
        if epochCursor.atEpochStart {
            if config.sortChannels && epoch > 0 {
                let sorted = net.sortChannels(optimizer: optimizer)
                log?.write(MetricRecord(kind: "event", step: step, epoch: epoch, values: [("groups_permuted", Double(sorted.count))],
                                        note: "channels sorted by L1 importance"))
            }
            if calibratesTeacher { calibrateTeacher() }
            _ = epochCursor.startEpochIfDue(rng: &orderRNG)
            acc = EpochAccumulator(tensors: net.parameters.count)
            diagnostics.startEpoch()
            trainSeconds = 0; activeSeconds = 0
        }
        let t0 = clock()
        var idx = epochCursor.take(config.batchSize)
        if idx.count < 2 { idx = epochCursor.order[(idx.endIndex - 2)..<idx.endIndex] }   // BatchNorm needs two samples
        let (x, labels) = data.train.batch(idx, sampleShape: model.inputShape)
        if config.shiftAugment > 0 && x.rank == 4 { Augment.shift(x, maxShift: config.shiftAugment, fill: augmentFill, rng: &augmentRNG) }
        if flip && x.rank == 4 { Augment.flip(x, rng: &augmentRNG) }
        let lr = currentLR
        optimizer.lr = lr
        let lambda = currentLambda
        let params = net.parameters
        let s = settings
        Divergence.testHook(params, next: step + 1)
        // the mean over the batch's rows the networks may learn from (held-out rows weigh 0)
        var rowWeights: [Float]?
        if !calibrationRows.isEmpty {
            let kept = idx.count(where: { !heldOut[$0] })
            let w = kept > 0 ? Float(idx.count) / Float(kept) : 0
            rowWeights = idx.map { heldOut[$0] ? 0 : w }
        }

        // 1. teacher
        var teacherLogits: Tensor?
        var teacherWidth: WidthChoice?
        var tLoss: Float = .nan, tAcc: Float = .nan
        if config.teacherLoss {
            let w = config.randomSampling
                ? net.sample(widths: config.randomWidths(atEpoch: epoch), expands: config.effectiveRandomExpands, rng: &widthRNG)
                : net.teacher
            teacherWidth = w
            model.setWidth(w)
            for (p, g) in zip(params, gt) { g.zero(); p.grad = g }
            let z = model.forward(x, training: true)
            let (l, dz) = crossEntropy(logits: z, labels: labels, labelSmoothing: config.labelSmoothing, sampleWeights: rowWeights)
            guard l.isFinite else { return diverge("teacher loss is \(Divergence.describe(Double(l)))", loss: l, lr: lr, samples: labels.count) }
            model.backwardParameters(dz)
            teacherLogits = z; tLoss = l; tAcc = accuracy(logits: z, labels: labels)
        }

        // uncertainty weights and the KD target
        var entropies: [Float] = [], weights: [Float] = []
        var target = teacherLogits
        if let z = teacherLogits {
            let (we, h) = UncertaintyWeights.entropy(teacherLogits: z)
            entropies = h
            if lambda > 0 {
                switch s.uncertainty {
                case .entropy: weights = we
                case .gate: weights = UncertaintyWeights.gate(teacherLogits: z, labels: labels)
                case .none: weights = [Float](repeating: 1, count: labels.count)
                case .calibrated: weights = UncertaintyWeights.calibrated(teacherLogits: z, heldOutError: calibration.errorRate)
                case .ensemble:
                    var members = [z]
                    for _ in 1..<config.ensembleK {
                        model.setWidth(net.sample(widths: ensembleWidths, expands: ensembleExpands, rng: &widthRNG))
                        members.append(model.forward(x, training: true))
                    }
                    let e = UncertaintyWeights.ensemble(members: members, temperature: s.temperature)
                    target = e.target; weights = e.weights
                }
            }
        }

        // 2. student
        model.setWidth(net.student)
        for (p, g) in zip(params, gs) { g.zero(); p.grad = g }
        let zs = model.forward(x, training: true)
        let studentRows = keepsHeldOutStudent ? rowWeights : nil
        let (sLoss, dzs) = crossEntropy(logits: zs, labels: labels, labelSmoothing: config.labelSmoothing, sampleWeights: studentRows)
        var kdLoss: Float = 0
        var kdShare = Double.nan
        if lambda > 0, let tz = target {
            let kdWeights = studentRows.map { r in zip(weights, r).map { $0 * $1 } } ?? weights
            let (l, g) = softTargetKL(studentLogits: zs, teacherLogits: tz, temperature: s.temperature, sampleWeights: kdWeights)
            kdLoss = lambda * l
            kdShare = StudentDiagnostics.share(ce: dzs, kd: g, lambda: lambda)
            Elementwise.axpy(lambda, g, dzs)
        }
        guard sLoss.isFinite else { return diverge("student loss is \(Divergence.describe(Double(sLoss)))", loss: sLoss, lr: lr, samples: labels.count) }
        guard kdLoss.isFinite else { return diverge("KD loss is \(Divergence.describe(Double(kdLoss)))", loss: kdLoss, lr: lr, samples: labels.count) }
        let sAcc = accuracy(logits: zs, labels: labels)
        model.backwardParameters(dzs)
        let liveUnits = diagnostics.liveUnits(studentGradient: gs)

        // 3–4. surgery and the combined update
        var outcome: SurgeryOutcome?
        var tNorm = Double.nan
        if config.teacherLoss {
            tNorm = gt.reduce(0.0) { a, t in var s2 = 0.0; for j in 0..<t.count { s2 += Double(t.data[j]) * Double(t.data[j]) }; return a + s2 }.squareRoot()
            outcome = GradientSurgery.apply(s.surgery, granularity: s.granularity, tau: s.tau, student: gs, teacher: gt, layout: net.layout)
            GradientSurgery.combine(student: gs, teacher: gt, alpha: config.alpha, into: combined)
            for (p, g) in zip(params, combined) { p.grad = g }
        } else {
            for (p, g) in zip(params, gs) { p.grad = g }
        }
        // 5. update, unless the gradient is not finite; then the weights and statistics are checked
        if config.teacherLoss && !tNorm.isFinite {
            return diverge("teacher gradient norm is \(Divergence.describe(tNorm))", loss: sLoss, gradNorm: tNorm, lr: lr, samples: labels.count)
        }
        let gradNorm = params.reduce(0.0) { $0 + $1.grad.sumOfSquares }.squareRoot()
        guard gradNorm.isFinite else {
            return diverge("gradient norm is \(Divergence.describe(gradNorm))", loss: sLoss, gradNorm: gradNorm, lr: lr, samples: labels.count)
        }
        optimizer.step()
        if let bad = nonFiniteState() {
            return diverge("\(bad) is not finite after the update", loss: sLoss, gradNorm: gradNorm, lr: lr, samples: labels.count)
        }
        for (p, g) in zip(params, combined) { p.grad = g }

        step += 1
        epochCursor.count(labels.count)
        trainSeconds += EpochTotals.seconds(from: t0, to: clock())
        acc.add(labels.count, sLoss, sAcc, outcome, entropies, weights, tau: s.tau)
        diagnostics.add(live: liveUnits, kdShare: kdShare)
        if let o = outcome {
            cosines.append(o.before.cosine)
            runSteps += 1
            if o.conflict { runConflicts += 1 }
            if o.tensorConflicts.contains(true) { runAnyTensor += 1 }
        }
        if !entropies.isEmpty {
            runTeacherSteps += 1
            runEntropy += entropies.reduce(0) { $0 + Double($1) } / Double(entropies.count)
        }
        if !weights.isEmpty {
            runWeightSteps += 1
            runWeight += weights.reduce(0) { $0 + Double($1) } / Double(weights.count)
        }
        let result0 = DistillStepResult(step: step, epoch: epoch, lr: lr, samples: labels.count, studentLoss: sLoss, kdLoss: kdLoss,
                                        studentAccuracy: sAcc, teacherLoss: tLoss, teacherAccuracy: tAcc, lambda: lambda,
                                        surgery: outcome, teacherNormFull: tNorm, entropies: entropies, kdWeights: weights,
                                        teacherWidth: teacherWidth, epochSummary: nil)
        if let log, step % max(1, logEvery) == 0 { writeStep(result0, to: log) }

        guard epochCursor.finishEpochIfDone() else {
            activeSeconds += EpochTotals.seconds(from: stepStart, to: clock())
            var r = result0
            if checkpoints != nil && checkpointEvery > 0 && step % checkpointEvery == 0 { r.checkpoints.append(checkpointEvent()) }
            return r
        }
        let summary = endEpoch(lr: lr, stepStart: stepStart)
        var r = DistillStepResult(step: step, epoch: epoch, lr: lr, samples: labels.count, studentLoss: sLoss, kdLoss: kdLoss,
                                 studentAccuracy: sAcc, teacherLoss: tLoss, teacherAccuracy: tAcc, lambda: lambda,
                                 surgery: outcome, teacherNormFull: tNorm, entropies: entropies, kdWeights: weights,
                                 teacherWidth: teacherWidth, epochSummary: summary)
        if checkpoints != nil { r.checkpoints.append(checkpointEvent()) }
        return r
    }

    /// Ends a step that stopped being finite: counts it, records the divergence (metrics and
    /// `divergence`) and leaves the model at the student's width with its own gradient buffers.
    private func diverge(_ what: String, loss: Float, gradNorm: Double = .nan, lr: Float, samples: Int) -> DistillStepResult {
        step += 1
        let d = Divergence(step: step, epoch: epoch, what: what, loss: loss, gradientNorm: gradNorm, lr: settings.lr)
        divergence = d
        log?.write(d.record)
        model.setWidth(net.student)
        for (p, g) in zip(net.parameters, combined) { p.grad = g }
        return diverged(d, lr: lr, samples: samples)
    }

    /// The result of a step that diverged (or was refused after a divergence); its student
    /// loss is the loss in the divergence record.
    private func diverged(_ d: Divergence, lr: Float, samples: Int) -> DistillStepResult {
        DistillStepResult(step: step, epoch: epoch, lr: lr, samples: samples, studentLoss: d.loss, kdLoss: .nan, studentAccuracy: .nan,
                          teacherLoss: .nan, teacherAccuracy: .nan, lambda: currentLambda, surgery: nil, teacherNormFull: .nan,
                          entropies: [], kdWeights: [], teacherWidth: nil, epochSummary: nil, divergence: d)
    }

    private func writeStep(_ r: DistillStepResult, to log: MetricsLog) {
        var v: [(String, Double)] = [
            ("lr", Double(r.lr)), ("loss_student", Double(r.studentLoss)), ("loss_kd", Double(r.kdLoss)),
            ("acc_student", Double(r.studentAccuracy)), ("loss_teacher", Double(r.teacherLoss)), ("acc_teacher", Double(r.teacherAccuracy)),
            ("lambda", Double(r.lambda)),
        ]
        let o = r.surgery
        v += [
            ("cos", o?.before.cosine ?? .nan), ("cos_after", o?.after.cosine ?? .nan),
            ("conflict", o.map { $0.conflict ? 1 : 0 } ?? .nan),
            ("tensors_conflicting", o.map { Double($0.tensorConflicts.filter { $0 }.count) } ?? .nan),
            ("projections", o.map { Double($0.projections) } ?? .nan),
            ("norm_student", o.map { $0.before.studentNorm2.squareRoot() } ?? .nan),
            ("norm_teacher_shared", o.map { $0.before.teacherNorm2.squareRoot() } ?? .nan),
            ("norm_teacher", r.teacherNormFull),
            ("entropy", r.meanEntropy), ("kd_weight", r.meanKDWeight),
        ]
        log.write(MetricRecord(kind: "step", step: r.step, epoch: r.epoch, values: v))
        if let o {
            var t: [(String, Double)] = []
            for (i, n) in net.layout.names.enumerated() { t.append((n, o.beforePerTensor[i].cosine)) }
            for (i, n) in net.layout.names.enumerated() { t.append((n + "@after", o.afterPerTensor[i].cosine)) }
            log.write(MetricRecord(kind: "tensor_cosine", step: r.step, epoch: r.epoch, values: t))
        }
    }

    private func endEpoch(lr: Float, stepStart: UInt64) -> DistillEpochSummary {
        var tTrain: Float = .nan, tTest: Float = .nan, tLoss: Float = .nan
        var tTrainConf = Double.nan, tTestConf = Double.nan
        if config.teacherLoss {
            if recalibrateTeacher { net.recalibrate(width: net.teacher, data: data.train, samples: config.recalibrationSamples) }
            let train = evaluateWithConfidence(data.train, width: net.teacher)
            tTrain = train.accuracy; tTrainConf = train.confidence
            (tLoss, tTest, tTestConf) = evaluateWithConfidence(data.test, width: net.teacher)
        }
        if recalibrateStudent { net.recalibrate(width: net.student, data: data.train, samples: config.recalibrationSamples) }
        let sTrain = evaluate(data.train, width: net.student).accuracy
        let (sLoss, sTest) = evaluate(data.test, width: net.student)
        let holdout = keepsHeldOutStudent ? keepStudentIfBest(testAccuracy: sTest, trainAccuracy: sTrain) : nil
        model.setWidth(net.student)
        let a = acc
        var summary = DistillEpochSummary(
            epoch: epoch, step: step,
            studentTrainAccuracy: sTrain, studentTestAccuracy: sTest, studentTestLoss: sLoss,
            teacherTrainAccuracy: tTrain, teacherTestAccuracy: tTest, teacherTestLoss: tLoss,
            studentStepLoss: Float(a.loss / Double(max(1, a.samples))), studentStepAccuracy: Float(a.correct / Double(max(1, a.samples))),
            conflictFraction: a.fraction(a.conflicts), anyTensorConflictFraction: a.fraction(a.anyTensor),
            meanCosine: a.cosSteps > 0 ? a.cosSum / Double(a.cosSteps) : .nan,
            meanCosineAfter: a.cosSteps > 0 ? a.cosAfterSum / Double(a.cosSteps) : .nan,
            meanEntropy: a.teacherSteps > 0 ? a.entropySum / Double(a.teacherSteps) : .nan,
            meanKDWeight: a.weightSteps > 0 ? a.weightSum / Double(a.weightSteps) : .nan,
            tensorConflictFractions: a.tensorConflicts.map { a.fraction($0) },
            lr: lr, seconds: activeSeconds + EpochTotals.seconds(from: stepStart, to: clock()),
            samplesPerSecond: Double(a.samples) / max(trainSeconds, 1e-9))
        let d = diagnostics
        let unitChanges = diagnostics.endEpoch()
        summary.deadUnitFraction = d.deadFraction
        summary.kdGradientShare = d.meanKDShare
        summary.teacherTrainConfidence = tTrainConf; summary.teacherTestConfidence = tTestConf
        let event = collapse.observe(epoch: epoch, accuracy: 100 * Double(sTest))
        summary.studentBestTestAccuracy = collapse.best; summary.studentDropFromBest = collapse.currentDrop
        summary.studentHeldOutAccuracy = holdout?.accuracy; summary.studentHeldOutLoss = holdout?.loss
        summary.keptEpoch = kept?.epoch
        lastEpoch = summary
        if let log {
            log.write(MetricRecord(kind: "epoch", step: step, epoch: epoch, values: [
                ("student_train_acc", Double(sTrain)), ("student_test_acc", Double(sTest)), ("student_test_loss", Double(sLoss)),
                ("teacher_train_acc", Double(tTrain)), ("teacher_test_acc", Double(tTest)), ("teacher_test_loss", Double(tLoss)),
                ("student_step_loss", Double(summary.studentStepLoss)), ("student_step_acc", Double(summary.studentStepAccuracy)),
                ("conflict_fraction", summary.conflictFraction), ("any_tensor_conflict_fraction", summary.anyTensorConflictFraction),
                ("mean_cos", summary.meanCosine), ("mean_cos_after", summary.meanCosineAfter),
                ("mean_entropy", summary.meanEntropy), ("mean_kd_weight", summary.meanKDWeight),
                ("lr", Double(lr)), ("seconds", summary.seconds), ("samples_per_second", summary.samplesPerSecond),
                ("dead_unit_fraction", d.deadFraction), ("kd_grad_share", d.meanKDShare),
                ("teacher_train_conf", tTrainConf), ("teacher_test_conf", tTestConf),
                ("student_best_test_acc", collapse.best / 100), ("student_drop_points", collapse.currentDrop),
                ("calibration_temperature", calibratesTeacher ? calibration.temperature : .nan),
                ("teacher_holdout_acc", calibratesTeacher ? calibration.accuracy : .nan),
                ("teacher_holdout_conf", calibratesTeacher ? calibration.confidence : .nan),
                ("student_holdout_acc", holdout?.accuracy ?? .nan), ("student_holdout_loss", holdout?.loss ?? .nan),
                ("kept_epoch", kept.map { Double($0.epoch) } ?? .nan), ("kept_test_acc", kept?.testAccuracy ?? .nan)]))
            if !unitChanges.died.isEmpty || !unitChanges.revived.isEmpty {
                let parts = [unitChanges.died.isEmpty ? nil : "dead (no student gradient in the whole epoch): " + unitChanges.died.joined(separator: ", "),
                             unitChanges.revived.isEmpty ? nil : "alive again: " + unitChanges.revived.joined(separator: ", ")]
                log.write(MetricRecord(kind: "event", step: step, epoch: epoch, values: [
                    ("units_died", Double(unitChanges.died.count)), ("units_revived", Double(unitChanges.revived.count)),
                    ("dead_unit_fraction", d.deadFraction)],
                    note: "student units " + parts.compactMap { $0 }.joined(separator: "; ")))
            }
            switch event {
            case .collapsed(let c)?:
                log.write(MetricRecord(kind: "event", step: step, epoch: epoch, values: [
                    ("collapse_best", c.best), ("collapse_best_epoch", Double(c.bestEpoch)), ("collapse_began_epoch", Double(c.beganEpoch)),
                    ("collapse_accuracy", c.lowest), ("collapse_threshold", collapse.threshold)],
                    note: CollapseDetector.describe(c, threshold: collapse.threshold)))
            case .recovered(let c)?:
                log.write(MetricRecord(kind: "event", step: step, epoch: epoch, values: [
                    ("collapse_recovered_epoch", Double(epoch)), ("collapse_lowest", c.lowest), ("collapse_lowest_epoch", Double(c.lowestEpoch))],
                    note: CollapseDetector.describe(c, threshold: collapse.threshold)))
            case nil: break
            }
            if config.teacherLoss {
                log.write(MetricRecord(kind: "tensor_conflict", step: step, epoch: epoch,
                                       values: zip(net.layout.names, summary.tensorConflictFractions).map { ($0, $1) }))
            }
            if isFinished { log.endSession(.success) }
        }
        return summary
    }

    /// Refits the teacher's calibration temperature on the held-out rows (evaluation mode, the
    /// teacher's width; the model is left at the student's width).
    func calibrateTeacher() {
        model.setWidth(net.teacher)
        var logits: [Float] = [], labels: [Int] = []
        var classes = data.classCount
        forEachHeldOutBatch { z, y in logits += z.array; classes = z.lastDim; labels += y }
        model.setWidth(net.student)
        let z = Tensor(shape: [labels.count, classes], values: logits)
        calibration = TeacherCalibration.fit(logits: z, labels: labels)
    }

    /// Mean loss, accuracy and top-class probability in evaluation mode at `width` (leaves the
    /// model at that width).
    public func evaluateWithConfidence(_ set: ImageData, width: WidthChoice, batchSize: Int = evaluationBatchSize)
        -> (loss: Float, accuracy: Float, confidence: Double) {
        model.setWidth(width)
        var confidence = 0.0
        let (l, a) = evaluateClassifier(set, sampleShape: model.inputShape, batchSize: batchSize) {
            let z = model.forward($0, training: false)
            confidence += UncertaintyWeights.softmaxRows(z).reduce(0) { $0 + ($1.max() ?? 0) }
            return z
        }
        return (l, a, confidence / Double(max(1, set.count)))
    }

    /// Mean loss and accuracy in evaluation mode at `width` (leaves the model at that width).
    public func evaluate(_ set: ImageData, width: WidthChoice, batchSize: Int = evaluationBatchSize) -> (loss: Float, accuracy: Float) {
        model.setWidth(width)
        return evaluateClassifier(set, sampleShape: model.inputShape, batchSize: batchSize) { model.forward($0, training: false) }
    }

    /// Runs every remaining step, or up to a divergence (see `divergence`); `onEpoch` sees
    /// each epoch's summary.
    @discardableResult
    public func run(onEpoch: (DistillEpochSummary) -> Void = { _ in }) -> DistillRunSummary {
        while !isFinished && divergence == nil { if let e = step().epochSummary { onEpoch(e) } }
        return summary
    }

    /// The run so far: last epoch's accuracies and whole-run step statistics.
    public var summary: DistillRunSummary {
        let n = cosines.count, k = max(1, n / 10)
        func mean(_ a: ArraySlice<Double>) -> Double { let f = a.filter(\.isFinite); return f.isEmpty ? .nan : f.reduce(0, +) / Double(f.count) }
        let e = lastEpoch
        let kept = keepsHeldOutStudent ? self.kept : nil
        var s = DistillRunSummary(
            studentTestAccuracy: kept?.testAccuracy ?? Double(e?.studentTestAccuracy ?? .nan),
            studentTrainAccuracy: kept?.trainAccuracy ?? Double(e?.studentTrainAccuracy ?? .nan),
            teacherTestAccuracy: Double(e?.teacherTestAccuracy ?? .nan), teacherTrainAccuracy: Double(e?.teacherTrainAccuracy ?? .nan),
            conflictFraction: runSteps > 0 ? Double(runConflicts) / Double(runSteps) : .nan,
            anyTensorConflictFraction: runSteps > 0 ? Double(runAnyTensor) / Double(runSteps) : .nan,
            meanCosine: mean(cosines[...]), cosineFirst10: n > 0 ? mean(cosines[0..<k]) : .nan,
            cosineLast10: n > 0 ? mean(cosines[(n - k)..<n]) : .nan,
            meanEntropy: runTeacherSteps > 0 ? runEntropy / Double(runTeacherSteps) : .nan,
            meanKDWeight: runWeightSteps > 0 ? runWeight / Double(runWeightSteps) : .nan,
            steps: step, seconds: Double(DispatchTime.now().uptimeNanoseconds - created) / 1e9)
        s.keptEpoch = kept?.epoch; s.keptHeldOutAccuracy = kept?.heldOutAccuracy
        s.lastStudentTestAccuracy = Double(e?.studentTestAccuracy ?? .nan)
        s.bestStudentTestAccuracy = collapse.best.isFinite ? collapse.best / 100 : .nan
        return s
    }

    /// The student slice (and its BatchNorm statistics) as safetensors: a standalone MLP or
    /// tiny CNN at the student's widths (names and layout as `ModelWeights`; `retort eval`
    /// rebuilds it from the shapes). With shared BatchNorm statistics they are re-estimated at
    /// the student's width first.
    public func saveStudent(to url: URL) throws {
        let k = keepsHeldOutStudent ? kept : nil
        if k == nil && recalibrateStudent { net.recalibrate(width: net.student, data: data.train, samples: config.recalibrationSamples) }
        let which = k.map { "kept at epoch \($0.epoch), best held-out accuracy" } ?? "step \(step)"
        var info = WeightsInfo(model: config.model.rawValue, data: config.data, splitSeed: config.splitSeed,
                               testCount: config.effectiveTestCount, source: "retort distill: student slice (\(which))")
        info.cnn = (net.model as? TinyCNN)?.config   // the student's (base) architecture
        try info.write(k == nil ? net.studentTensors() : keptTensors, extra: [
            "step": "\(step)", "kept_epoch": k.map { "\($0.epoch)" } ?? "last", "model": net.name, "slice": "student (first-k of every widened layer)",
            "method": config.method.rawValue + " [R] reconstruction",
        ], to: url)
    }
}

/// Running sums over one epoch's steps.
struct EpochAccumulator: Codable {
    var samples = 0
    var loss = 0.0, correct = 0.0
    var steps = 0, conflicts = 0, anyTensor = 0
    var cosSum = 0.0, cosAfterSum = 0.0, cosSteps = 0
    var entropySum = 0.0, teacherSteps = 0
    var weightSum = 0.0, weightSteps = 0
    var tensorConflicts: [Int]
    init(tensors: Int) { tensorConflicts = Array(repeating: 0, count: tensors) }

    mutating func add(_ n: Int, _ l: Float, _ a: Float, _ o: SurgeryOutcome?, _ h: [Float], _ w: [Float], tau: Double) {
        samples += n; loss += Double(l) * Double(n); correct += Double(a) * Double(n)
        if let o {
            steps += 1
            if o.conflict { conflicts += 1 }
            if o.tensorConflicts.contains(true) { anyTensor += 1 }
            for (i, c) in o.tensorConflicts.enumerated() where c { tensorConflicts[i] += 1 }
            let c0 = o.before.cosine, c1 = o.after.cosine
            if c0.isFinite && c1.isFinite { cosSum += c0; cosAfterSum += c1; cosSteps += 1 }
        }
        if !h.isEmpty { entropySum += h.reduce(0) { $0 + Double($1) } / Double(h.count); teacherSteps += 1 }
        if !w.isEmpty { weightSum += w.reduce(0) { $0 + Double($1) } / Double(w.count); weightSteps += 1 }
    }
    func fraction(_ k: Int) -> Double { steps > 0 ? Double(k) / Double(steps) : .nan }
}

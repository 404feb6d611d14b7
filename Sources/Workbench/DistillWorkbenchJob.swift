import Distill
import Foundation
import RunKit
import RetortCore
import RunKit
import TrainEngine

/// Adapts a `DistillJob` to the workbench: steps it, keeps downsampled curves, the per-tensor
/// cosine/conflict statistics and histogram sources, applies live setting changes, writes
/// a checkpoint at every epoch end (like `retort distill`) and, on request, a checkpoint
/// and the student slice (a checkpoint that cannot be written is a one-line error note);
/// pauses when the run diverges and rolls it back on request (`.rollback`).
///
/// `handle(.set(name:value:))` validates (throwing a one-line reason) and applies at once;
/// the runner calls it between steps, so the change takes effect from the next step. The
/// post-surgery cosine (`cosineAfter`, `tensorCosinesAfter`) shows what surgery did.
public final class DistillWorkbenchJob: SteppableJob {
    public let job: DistillJob
    /// The run's folder; for a job from `prepare` not started yet, where it is planned to be
    /// (`hasRunFolder` is false and nothing exists on disk).
    public private(set) var runFolder: URL
    /// Creates the folder of a prepared run when it first starts (nil once it exists).
    private var pendingFolder: (() throws -> URL)?
    /// False for a prepared run that has not started: it has no folder, metrics or checkpoint.
    public var hasRunFolder: Bool { pendingFolder == nil }
    /// Steps of per-tensor cosines kept for the histogram, and per-sample entropies kept.
    public let recentSteps: Int
    public let recentEntropyCount: Int

    private var studentLoss = DownsampledSeries(name: "student loss (step)")
    private var teacherLoss = DownsampledSeries(name: "teacher loss (step)")
    private var kdLoss = DownsampledSeries(name: "KD loss (step)")
    private var sTrain = DownsampledSeries(name: "student train acc")
    private var sTest = DownsampledSeries(name: "student test acc")
    private var tTrain = DownsampledSeries(name: "teacher train acc")
    private var tTest = DownsampledSeries(name: "teacher test acc")
    private var cos = DownsampledSeries(name: "cos(g_s, g_t)")
    private var cosAfter = DownsampledSeries(name: "cos after surgery")
    private var conflictPct = DownsampledSeries(name: "conflicting steps % (whole)")
    private var anyTensorPct = DownsampledSeries(name: "steps with ≥1 conflicting tensor %")
    private var entropy = DownsampledSeries(name: "teacher entropy")
    private var weight = DownsampledSeries(name: "KD weight")
    private var epochRows: [DistillEpochRow] = []
    private var latest: [Double] = [], latestAfter: [Double] = []
    private var cosineRing = Ring(capacity: 1), tensorRing = Ring(capacity: 1), entropyRing = Ring(capacity: 1)
    private var tensorConflictCount: [Int] = [], tensorCosSum: [Double] = [], tensorCosCount: [Int] = []
    private var lastEpochConflicts: [Double] = []
    private var teacherSteps = 0, conflicts = 0, anyTensor = 0
    private var latestWeight = Double.nan, latestEntropy = Double.nan
    private var changes: [DistillSettingChange] = []
    private var samplesPerSecond = 0.0
    private var lastLR = 0.0
    private var lastLambda = 0.0
    private var pauseRequest: String?
    private var notes: [(JobMessage.Level, String)] = []

    public init(job: DistillJob, runFolder: URL, recentSteps: Int = 256, recentEntropies: Int = 4096) {
        self.job = job; self.runFolder = runFolder
        self.recentSteps = recentSteps; recentEntropyCount = recentEntropies
        resetStatistics()
        lastLR = Double(job.currentLR); lastLambda = Double(job.currentLambda)
    }

    /// Empty curves, epoch rows and conflict statistics.
    private func resetStatistics() {
        let n = job.layout.count
        for c in curves { self[keyPath: c] = DownsampledSeries(name: self[keyPath: c].name) }
        epochRows = []
        latest = Array(repeating: .nan, count: n); latestAfter = latest
        cosineRing = Ring(capacity: max(1, recentSteps * 4))
        tensorRing = Ring(capacity: max(1, recentSteps * n))
        entropyRing = Ring(capacity: max(1, recentEntropyCount))
        tensorConflictCount = Array(repeating: 0, count: n); tensorCosSum = Array(repeating: 0, count: n)
        tensorCosCount = Array(repeating: 0, count: n); lastEpochConflicts = Array(repeating: .nan, count: n)
        teacherSteps = 0; conflicts = 0; anyTensor = 0
        latestWeight = .nan; latestEntropy = .nan
    }

    /// Wraps a run resumed from its checkpoint (`DistillJob.resume`). Its curves, epoch rows
    /// and conflict statistics start from the run folder's steps.csv, tensor_cosines.csv and
    /// metrics.csv, which the resume cut back to the checkpoint (per-tensor conflicts are
    /// recounted with the current τ; with `logEvery` > 1 the counts cover the logged steps).
    public convenience init(resumed job: DistillJob, runFolder: URL) {
        self.init(job: job, runFolder: runFolder)
        prefillFromRunFolder()
    }

    /// The statistics up to the job's step from the run folder's metrics files (a resume or
    /// a rollback has cut them back to the checkpoint).
    private func prefillFromRunFolder() {
        prefill(steps: RunTable.read(runFolder.appendingPathComponent("steps.csv")),
                tensors: RunTable.read(runFolder.appendingPathComponent("tensor_cosines.csv")),
                epochs: RunTable.read(runFolder.appendingPathComponent("metrics.csv")))
    }

    private func prefill(steps: RunTable?, tensors: RunTable?, epochs: RunTable?) {
        let last = Double(job.step)
        func fill(_ s: inout DownsampledSeries, _ table: RunTable?, _ column: String, scale: Double = 1) {
            for (x, y) in table?.series(column) ?? [] where x <= last { s.append(x: x, y * scale) }
        }
        fill(&studentLoss, steps, "loss_student"); fill(&kdLoss, steps, "loss_kd")
        fill(&cos, steps, "cos"); fill(&cosAfter, steps, "cos_after")
        fill(&entropy, steps, "entropy"); fill(&weight, steps, "kd_weight")
        fill(&sTrain, epochs, "student_train_acc"); fill(&sTest, epochs, "student_test_acc")
        if job.config.teacherLoss {
            fill(&teacherLoss, steps, "loss_teacher")
            fill(&tTrain, epochs, "teacher_train_acc"); fill(&tTest, epochs, "teacher_test_acc")
            fill(&conflictPct, epochs, "conflict_fraction", scale: 100); fill(&anyTensorPct, epochs, "any_tensor_conflict_fraction", scale: 100)
        }
        let conflict = steps?.series("conflict") ?? [], conflicting = steps?.series("tensors_conflicting") ?? []
        teacherSteps = conflict.count(where: { $0.0 <= last })
        conflicts = conflict.count(where: { $0.0 <= last && $0.1 > 0 })
        anyTensor = conflicting.count(where: { $0.0 <= last && $0.1 > 0 })
        for (_, c) in (steps?.series("cos") ?? []).filter({ $0.0 <= last }).suffix(cosineRing.capacity) { cosineRing.append(c) }
        let tau = job.settings.tau
        for (i, name) in job.layout.names.enumerated() {
            let before = (tensors?.series(name) ?? []).filter { $0.0 <= last }
            for (_, c) in before {
                tensorCosSum[i] += c; tensorCosCount[i] += 1
                if c < tau { tensorConflictCount[i] += 1 }
            }
            for (_, c) in before.suffix(recentSteps) { tensorRing.append(c) }
            if let l = before.last { latest[i] = l.1 }
            if let l = (tensors?.series(name + "@after") ?? []).last(where: { $0.0 <= last }) { latestAfter[i] = l.1 }
        }
        if let e = epochs {
            epochRows = e.rows.indices.compactMap { DistillEpochRow(e, row: $0) }.filter { Double($0.step) <= last }
        }
        if let s = job.lastEpoch, job.config.teacherLoss { lastEpochConflicts = s.tensorConflictFractions.map { 100 * $0 } }
        latestEntropy = (steps?.series("entropy") ?? []).last(where: { $0.0 <= last })?.1 ?? .nan
        latestWeight = (steps?.series("kd_weight") ?? []).last(where: { $0.0 <= last })?.1 ?? .nan
    }

    /// Builds a run from option text (keys as `retort distill`'s options without "--", e.g.
    /// [("method", "full"), ("model", "cnn")], applied in order over the defaults), creates
    /// its run folder `<runRoot>/<runName or timestamp-…>` with config.json and metrics, and
    /// wraps it; checkpoints go to the folder's checkpoints/ (the newest `keepCheckpoints`
    /// kept). Throws a one-line reason for a bad option, data or folder.
    public static func create(options: [(String, String)] = [], dataDirectory: String, runRoot: String = "runs",
                              runName: String? = nil, tensorBoard: Bool = true, keepCheckpoints: Int = 3) throws -> DistillWorkbenchJob {
        let wb = try prepare(options: options, dataDirectory: dataDirectory, runRoot: runRoot, runName: runName,
                             tensorBoard: tensorBoard, keepCheckpoints: keepCheckpoints)
        try wb.createRunFolder()
        return wb
    }

    /// `create` without the run folder: the data and model are ready, and the folder (with
    /// config.json, metrics and checkpoints) is created when the run first steps, saves or
    /// `createRunFolder()` is called. The Distill tab opens its run this way, so a tab merely
    /// opened and closed leaves nothing on disk.
    public static func prepare(options: [(String, String)] = [], dataDirectory: String, runRoot: String = "runs",
                               runName: String? = nil, tensorBoard: Bool = true, keepCheckpoints: Int = 3) throws -> DistillWorkbenchJob {
        var c = DistillConfig()
        for (k, v) in options { try c.set(k, v) }
        try c.validate()
        c.runRoot = runRoot; c.runName = runName
        let generated = ["distill", c.method.rawValue, c.model.rawValue, c.data.shortName, "s\(c.seed)"]
        let job = try DistillJob(config: c, dataDirectory: dataDirectory, log: nil)
        let planned = URL(fileURLWithPath: runRoot).appendingPathComponent(runName ?? RunFolder.defaultName(generated))
        let wb = DistillWorkbenchJob(job: job, runFolder: planned)
        let config = c
        wb.pendingFolder = {
            try RunFolder.create(root: runRoot, name: runName, generated: generated, config: config) { folder in
                job.attach(log: try MetricsLog(folder: folder, tensorBoard: tensorBoard))
                job.checkpoints = CheckpointStore(runFolder: folder, keep: keepCheckpoints)
                return folder
            }
        }
        return wb
    }

    /// Creates the run folder of a prepared run (nothing when it exists); the setting
    /// changes made before are written to its hparams.csv at step 0.
    public func createRunFolder() throws {
        guard let make = pendingFolder else { return }
        runFolder = try make()
        pendingFolder = nil
        for ch in changes {
            func value(_ t: String) -> SettingValue { Double(t).map(SettingValue.number) ?? .word(t) }
            job.log?.write(.settingChange(step: ch.step, epoch: job.epoch, name: ch.name, from: value(ch.from), to: value(ch.to),
                                          note: "\(ch.name) \(ch.from) → \(ch.to)"))
        }
    }

    public var isFinished: Bool { job.isFinished }
    public var progress: Int { job.step }

    public func advance() throws {
        try createRunFolder()
        // `--set-at` changes a resumed run had not reached yet
        for (c, from, to) in try job.applyDueSettings() {
            changes.append(DistillSettingChange(step: job.step, name: c.name, from: from, to: to))
            notes.append((.info, "\(c.name) \(from) → \(to) (scheduled at step \(c.step))"))
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = job.step()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        for case .failed(let m) in r.checkpoints { notes.append((.error, "checkpoint not written: \(m)")) }
        if let d = r.divergence { pauseRequest = divergenceMessage(d); return }
        let inst = Double(r.samples) / max(dt, 1e-9)
        samplesPerSecond = samplesPerSecond == 0 ? inst : 0.9 * samplesPerSecond + 0.1 * inst
        lastLR = Double(r.lr); lastLambda = Double(r.lambda)
        let x = Double(r.step)
        studentLoss.append(x: x, Double(r.studentLoss))
        if job.config.teacherLoss { teacherLoss.append(x: x, Double(r.teacherLoss)) }
        if r.lambda > 0 { kdLoss.append(x: x, Double(r.kdLoss)) }
        if let o = r.surgery {
            teacherSteps += 1
            if o.conflict { conflicts += 1 }
            if o.tensorConflicts.contains(true) { anyTensor += 1 }
            cos.append(x: x, o.before.cosine); cosAfter.append(x: x, o.after.cosine)
            cosineRing.append(o.before.cosine)
            for i in 0..<o.beforePerTensor.count {
                let c = o.beforePerTensor[i].cosine
                latest[i] = c; latestAfter[i] = o.afterPerTensor[i].cosine
                if c.isFinite { tensorRing.append(c); tensorCosSum[i] += c; tensorCosCount[i] += 1 }
                if o.tensorConflicts[i] { tensorConflictCount[i] += 1 }
            }
        }
        if !r.entropies.isEmpty {
            for h in r.entropies { entropyRing.append(Double(h)) }
            latestEntropy = r.meanEntropy
            entropy.append(x: x, latestEntropy)
        }
        if !r.kdWeights.isEmpty { latestWeight = r.meanKDWeight; weight.append(x: x, latestWeight) }
        if let s = r.epochSummary {
            let ex = Double(s.step)
            sTrain.append(x: ex, Double(s.studentTrainAccuracy)); sTest.append(x: ex, Double(s.studentTestAccuracy))
            if job.config.teacherLoss {
                tTrain.append(x: ex, Double(s.teacherTrainAccuracy)); tTest.append(x: ex, Double(s.teacherTestAccuracy))
                conflictPct.append(x: ex, 100 * s.conflictFraction); anyTensorPct.append(x: ex, 100 * s.anyTensorConflictFraction)
                lastEpochConflicts = s.tensorConflictFractions.map { 100 * $0 }
            }
            epochRows.append(DistillEpochRow(s))
            if let w = collapseWarning, !collapseWarned {
                collapseWarned = true
                // the engine's detector says where the fall began (same rule and threshold)
                notes.append((.warning, job.collapse.ongoing.map { CollapseDetector.describe($0, threshold: collapsePoints) } ?? w))
            }
            else if collapseWarning == nil { collapseWarned = false }
        }
    }

    /// Points of student test accuracy below its best that count as a collapse: the run's
    /// collapse detector's threshold (`--collapse-drop`); a diagnostic, the training is not changed by it.
    public var collapsePoints: Double { job.collapse.threshold }
    private var collapseWarned = false

    static func collapseRow(_ v: Double) -> SettingRow {
        SettingRow(name: "collapse", value: format(v), kind: .number(min: 0, max: 100, logScale: false),
                   help: "warn when the student's test accuracy falls this many points below its best")
    }

    /// The collapse warning: the student's latest test accuracy against its best (nil: none).
    var collapseWarning: String? {
        guard let best = sTest.yRange?.upperBound else { return nil }
        return Self.collapseWarning(best: best, last: sTest.last, points: collapsePoints)
    }

    /// The warning when `last` (a fraction) is more than `points` percentage points below `best`.
    public static func collapseWarning(best: Double, last: Double, points: Double) -> String? {
        guard best.isFinite, last.isFinite else { return nil }
        let drop = 100 * (best - last)
        guard drop > points else { return nil }
        return String(format: "student test accuracy %.2f%% is %.1f points below its best %.2f%% (collapse = %@)",
                      100 * last, drop, 100 * best, format(points))
    }

    public func handle(_ command: JobCommand) throws -> String {
        switch command {
        case .set("collapse", let value):
            if let err = Self.collapseRow(collapsePoints).check(value) { throw JobFailure(err) }
            let v = SettingValue.parseNumber(value.trimmingCharacters(in: .whitespaces)) ?? collapsePoints
            guard v != collapsePoints else { return "collapse is already \(format(v))" }
            defer { job.setCollapseThreshold(v); collapseWarned = false }
            return "collapse \(format(collapsePoints)) → \(format(v)) points (a warning, not a change to the run)"
        case .set(let name, let value):
            let r = try job.set(name, to: value)
            guard r.from != r.to else { return "\(name) is already \(r.to)" }
            changes.append(DistillSettingChange(step: job.step, name: name, from: r.from, to: r.to))
            return "\(name) \(r.from) → \(r.to) (from step \(job.step + 1))"
        case .save:
            try createRunFolder()
            if let d = job.divergence { throw JobFailure("not saving: the run diverged at step \(d.step) (\(d.what)); roll back first") }
            let url = runFolder.appendingPathComponent("student.safetensors")
            try job.saveStudent(to: url)
            let info: CheckpointInfo
            do { info = try job.saveCheckpoint() } catch {
                throw JobFailure("saved the student slice to \(url.path); checkpoint not written: \(error)")
            }
            return "saved \(info.path) (\(info.bytes / 1024) KiB) and the student slice \(url.path) at step \(job.step)"
        case .rollback(let lr):
            let before = job.settings.text(of: "lr") ?? "?"
            let m = try job.rollback(lr: lr)
            // curves, rows and conflict counts as of the restored step (the files were cut back)
            resetStatistics()
            prefillFromRunFolder()
            changes.removeAll { $0.step > job.step }
            changes.append(DistillSettingChange(step: job.step, name: "lr", from: before, to: job.settings.text(of: "lr") ?? "?"))
            lastLR = Double(job.currentLR)
            return m
        default:
            return ""
        }
    }

    public func takePauseRequest() -> String? { defer { pauseRequest = nil }; return pauseRequest }

    /// What the TUI says when the run diverges, with the way out.
    func divergenceMessage(_ d: Divergence) -> String { Rollback.pauseMessage(d, lastCheckpoint: job.lastCheckpoint) }

    /// Every curve, for a rollback to cut back.
    private var curves: [ReferenceWritableKeyPath<DistillWorkbenchJob, DownsampledSeries>] {
        [\.studentLoss, \.teacherLoss, \.kdLoss, \.sTrain, \.sTest, \.tTrain, \.tTest, \.cos, \.cosAfter,
        \.conflictPct, \.anyTensorPct, \.entropy, \.weight]
    }

    public func takeNotes() -> [(JobMessage.Level, String)] { defer { notes = [] }; return notes }

    public static let reconstructionNote = "[R] reconstruction: NetDistiller's surgery rule, uncertainty measure, loss weights and defaults are unknown; these are Retort's choices"

    public func snapshot(state: JobState, messages: [JobMessage], elapsed: Double) -> DistillSnapshot {
        let c = job.config
        let n = job.data.train.count
        let names = job.layout.names
        let table = names.indices.map { i in
            DistillTensorConflicts(
                name: names[i], sharedElements: job.layout.sharedCount(i), elements: job.layout.shapes[i].reduce(1, *),
                conflictPercent: teacherSteps > 0 ? 100 * Double(tensorConflictCount[i]) / Double(teacherSteps) : .nan,
                lastEpochConflictPercent: lastEpochConflicts[i],
                meanCosine: tensorCosCount[i] > 0 ? tensorCosSum[i] / Double(tensorCosCount[i]) : .nan,
                latestCosine: latest[i])
        }
        let fields = DistillSettings.settings.rows(of: job.settings) + [Self.collapseRow(collapsePoints)]
        return DistillSnapshot(
            runName: hasRunFolder ? runFolder.lastPathComponent : "", runFolder: hasRunFolder ? runFolder.path : "", modelName: job.net.name,
            parameterCount: job.model.parameterCount, sharedElements: job.layout.totalShared,
            method: c.method.rawValue, methodSummary: c.methodSummary, reconstructionNote: Self.reconstructionNote,
            studentWidth: "\(job.net.student)", teacherWidth: "\(job.net.teacher)" + (c.randomSampling ? " (sampled per step)" : ""),
            dataName: job.data.name, trainCount: n, testCount: job.data.test.count, notes: job.notes,
            state: state, epoch: job.epoch, totalEpochs: c.epochs, step: job.step, stepsPerEpoch: job.stepsPerEpoch,
            samplesPerSecond: state == .running ? samplesPerSecond : 0, elapsed: elapsed, lr: lastLR, lambda: lastLambda,
            hasTeacher: c.teacherLoss,
            studentStepLoss: studentLoss, teacherStepLoss: teacherLoss, kdStepLoss: kdLoss,
            studentTrainAccuracy: sTrain, studentTestAccuracy: sTest, teacherTrainAccuracy: tTrain, teacherTestAccuracy: tTest,
            cosine: cos, cosineAfter: cosAfter, conflictPercent: conflictPct, anyTensorConflictPercent: anyTensorPct,
            teacherEntropy: entropy, kdWeight: weight, epochRows: epochRows,
            tensorNames: names, tensorCosines: latest, tensorCosinesAfter: latestAfter, conflictTable: table,
            recentTensorCosines: tensorRing.values, recentCosines: cosineRing.values, recentEntropies: entropyRing.values,
            entropyMax: Foundation.log(Double(job.data.classCount)),
            meanKDWeight: latestWeight, meanEntropy: latestEntropy,
            conflictFraction: teacherSteps > 0 ? Double(conflicts) / Double(teacherSteps) : .nan,
            anyTensorConflictFraction: teacherSteps > 0 ? Double(anyTensor) / Double(teacherSteps) : .nan,
            settings: fields, changes: changes, messages: messages,
            diverged: job.divergence.map(divergenceMessage), blas: "\(BLASRuntime.coreName)×\(BLASRuntime.threads)",
            collapse: collapseWarning, kept: keptLine)
    }

    /// The side panel's line for the kept student (nil: none).
    var keptLine: String? {
        guard job.keepsHeldOutStudent, let k = job.kept else { return nil }
        return String(format: "kept: epoch %d, held-out %.1f%%, test %.2f%%", k.epoch, 100 * k.heldOutAccuracy, 100 * k.testAccuracy)
    }
}

/// A fixed-capacity ring of the most recent values.
struct Ring {
    private var storage: [Double]
    private var next = 0
    private var filled = false
    init(capacity: Int) { storage = []; storage.reserveCapacity(capacity); self.capacity = capacity }
    let capacity: Int
    mutating func append(_ v: Double) {
        if storage.count < capacity { storage.append(v); return }
        storage[next] = v
        next = (next + 1) % capacity
        filled = true
    }
    /// Oldest first.
    var values: [Double] { filled || storage.count == capacity ? Array(storage[next...] + storage[..<next]) : storage }
}

import Attention
import Dispatch
import Foundation
import RunKit
import RetortCore
import RetortData
import RunKit
import TrainEngine

/// Adapts the attention engine to the workbench: a queue of ViT runs on one data split and
/// seed (by default softmax, then Taylor, then Taylor-sparse) stepped one mini-batch at a
/// time, so their curves can be compared side by side while they train.
///
/// Besides the curves it keeps the Taylor-versus-softmax diagnostics of the running model,
/// measured on a fixed batch of test images when a run starts and after every epoch (not
/// every step), the op table of the model, and a kernel-scaling series timed once, at the
/// first step, on the job thread. Live settings (`handle(.set)`, between steps): `kind`
/// appends a run of that attention to the queue; `sparse_threshold` and `lr` apply to the
/// running model from the next step and to the runs still queued. Each change is logged in
/// the running run's metrics (hparams.csv) with its step. Every run writes a checkpoint
/// before its first step and at each epoch end in its own run folder's checkpoints/ (like
/// `retort attention train`); one that cannot be written is a one-line error note. A run
/// that diverges pauses the queue; `.rollback` restores its newest checkpoint with a lower
/// lr and runs on.
public final class AttentionWorkbenchJob: SteppableJob {
    /// The configuration the next run starts from (its kind is replaced per run).
    public private(set) var base: AttentionTrainConfig
    public let data: PreparedData
    public let runRoot: String
    public let diagnosticImages: Int
    /// Token counts of the kernel-scaling series.
    public let scalingSizes: [Int]
    /// At most this many runs may wait in the queue.
    public static let maxQueued = 8
    /// Checkpoints kept in each run folder.
    public let keepCheckpoints: Int

    private var kinds: [AttentionKind]
    /// 0-based index of the run training now (== kinds.count once all finished).
    private var current = 0
    public private(set) var job: AttentionJob?
    /// The last run that finished (what `save` writes when no run is training) and its folder.
    private var finished: (job: AttentionJob, folder: URL)?
    private var folders: [URL?] = []
    private var loss: [DownsampledSeries] = [], accuracy: [DownsampledSeries] = []
    private var steps: [Int] = [], epochs: [Int] = []
    private var lastAcc: [Double] = [], bestAcc: [Double] = [], withSparse: [Double] = []
    private var diag: AttentionDiagnosticsView?
    private var scaling: [AttentionScalingPoint] = []
    private var scaled = false
    private var changes: [AttentionSettingChange] = []
    private var samplesPerSecond = 0.0
    private var lastLR: Double
    private var lastDensity = Double.nan
    /// Runs (0-based) found ruined without NaN, with why.
    private var ruined: [Int: String] = [:]
    private var pauseRequest: String?
    private var notes: [(JobMessage.Level, String)] = []

    public init(config: AttentionTrainConfig, kinds: [AttentionKind], data: PreparedData, runRoot: String,
                diagnosticImages: Int = 64, scalingSizes: [Int] = [4, 8, 16, 32, 64, 128, 256, 512], keepCheckpoints: Int = 3) throws {
        guard !kinds.isEmpty else { throw JobFailure("attention: the queue needs at least one run") }
        try config.validate()
        base = config; self.kinds = kinds; self.data = data; self.runRoot = runRoot
        self.diagnosticImages = max(1, diagnosticImages); self.scalingSizes = scalingSizes
        self.keepCheckpoints = max(1, keepCheckpoints)
        lastLR = Double(config.lr)
        for _ in kinds { addRunSlots() }
    }

    /// Builds the queue from option text (keys as `retort attention train`'s options without
    /// "--", e.g. [("data", "digits"), ("kinds", "softmax,taylor")], applied in order over the
    /// defaults), loads and splits the data once for all runs, and wraps it. Run folders
    /// `<runRoot>/<timestamp>-vit-<kind>-<data>-s<seed>-run<i>` are created as runs start.
    public static func create(options: [(String, String)] = [], dataDirectory: String, runRoot: String = "runs",
                              diagnosticImages: Int = 64, scalingSizes: [Int] = [4, 8, 16, 32, 64, 128, 256, 512]) throws -> AttentionWorkbenchJob {
        var c = AttentionTrainConfig()
        let kinds = try AttentionQueueOptions.apply(options, to: &c)
        c.runRoot = runRoot
        let data: PreparedData
        do { data = try PreparedData.load(c.data, directory: dataDirectory, testCount: c.testCount, seed: c.seed) }
        catch { throw JobFailure("\(error)") }
        return try AttentionWorkbenchJob(config: c, kinds: kinds, data: data, runRoot: runRoot,
                                         diagnosticImages: diagnosticImages, scalingSizes: scalingSizes)
    }

    /// Wraps a run resumed from its checkpoint (`AttentionJob.resume`): the queue holds just
    /// that run, with its curves so far; `:set kind` queues more after it, in the same run root
    /// and with its live lr and τ (as `:set` gives the queued runs).
    public convenience init(resumed j: AttentionJob, runFolder: URL, diagnosticImages: Int = 64,
                            scalingSizes: [Int] = [4, 8, 16, 32, 64, 128, 256, 512]) throws {
        var c = j.config
        c.runRoot = runFolder.deletingLastPathComponent().path
        c.lr = j.hyper.lr; c.minLR = min(c.minLR, c.lr); c.sparse.threshold = j.sparseThreshold
        try self.init(config: c, kinds: [c.kind], data: j.data, runRoot: c.runRoot, diagnosticImages: diagnosticImages,
                      scalingSizes: scalingSizes, keepCheckpoints: j.checkpoints?.keep ?? 3)
        job = j; folders[0] = runFolder
        steps[0] = j.step; epochs[0] = j.epoch; lastLR = Double(j.currentLR)
        for (i, l) in j.curves.loss.enumerated() { loss[0].append(x: Double(i + 1), Double(l)) }
        for e in j.curves.epochs {
            let a = Double(e.testAccuracy)
            accuracy[0].append(x: Double(e.step), a)
            lastAcc[0] = a; bestAcc[0] = bestAcc[0].isNaN ? a : max(bestAcc[0], a)
            withSparse[0] = e.testAccuracyWithSparse.map(Double.init) ?? .nan
        }
        measureDiagnostics()
    }

    private func addRunSlots() {
        loss.append(DownsampledSeries(name: "train loss", capacity: 256))
        accuracy.append(DownsampledSeries(name: "test accuracy", capacity: 256))
        steps.append(0); epochs.append(0); lastAcc.append(.nan); bestAcc.append(.nan); withSparse.append(.nan)
        folders.append(nil)
    }

    public var isFinished: Bool { current >= kinds.count }
    public var progress: Int { job?.step ?? 0 }
    /// Kinds of every run in queue order.
    public var queue: [AttentionKind] { kinds }
    /// The run training now (nil between runs). For inspection between steps only: the
    /// runner's thread owns it.
    public var runningJob: AttentionJob? { job }

    public func advance() throws {
        if !scaled { measureScaling() }
        if job == nil { try startRun() }
        guard let j = job else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = j.step()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        for case .failed(let m) in r.checkpoints { notes.append((.error, "run \(current + 1): checkpoint not written: \(m)")) }
        if let d = r.divergence { pauseRequest = divergenceMessage(d, j); return }
        let inst = Double(r.samples) / max(dt, 1e-9)
        samplesPerSecond = samplesPerSecond == 0 ? inst : 0.9 * samplesPerSecond + 0.1 * inst
        lastLR = Double(r.lr); lastDensity = r.maskDensity ?? .nan
        loss[current].append(x: Double(r.step), Double(r.loss))
        steps[current] = r.step; epochs[current] = r.epoch
        if let s = r.epochSummary {
            let a = Double(s.testAccuracy)
            accuracy[current].append(x: Double(s.step), a)
            lastAcc[current] = a
            bestAcc[current] = bestAcc[current].isNaN ? a : max(bestAcc[current], a)
            withSparse[current] = s.testAccuracyWithSparse.map(Double.init) ?? .nan
            measureDiagnostics()
        }
        checkRuin(loss: Double(r.loss), epochSummary: r.epochSummary.map { Double($0.testAccuracy) })
        if j.isFinished { finished = (j, folders[current]!); job = nil; current += 1 }
    }

    /// Creates the run folder, metrics and model of the run at `current`; diagnoses the
    /// freshly initialised model.
    private func startRun() throws {
        guard current < kinds.count else { return }
        var c = base
        c.kind = kinds[current]
        let folder = try RunFolder.makeDirectory(root: runRoot, name: nil,
                                                 generated: ["vit", c.kind.rawValue, c.data.shortName, "s\(c.seed)", "run\(current + 1)"])
        c.runName = folder.lastPathComponent
        _ = try RunFolder.open(folder, config: c)
        let j = try AttentionJob(config: c, data: data, log: try MetricsLog(folder: folder))
        j.checkpoints = CheckpointStore(runFolder: folder, keep: keepCheckpoints)
        job = j
        folders[current] = folder
        samplesPerSecond = 0; lastDensity = .nan; lastLR = Double(c.lr)
        measureDiagnostics()
    }

    private func measureDiagnostics() {
        guard let j = job else { return }
        let d = j.diagnostics(images: diagnosticImages)
        let layers = d.layers
        var merged = layers[0].centredLogits
        for l in layers.dropFirst() { merged.merge(l.centredLogits) }
        let total = Double(max(1, layers.reduce(0) { $0 + $1.count }))
        func share(_ f: (LayerAttentionDiagnostics) -> Double) -> Double { layers.reduce(0) { $0 + f($1) * Double($1.count) } / total }
        diag = AttentionDiagnosticsView(
            run: current + 1, kind: j.config.kind.rawValue, step: j.step, epoch: j.epoch, images: d.images,
            layerErrors: layers.map(\.relativeError), headErrors: layers.map(\.headRelativeErrors),
            centredCounts: merged.counts.map(Double.init), lower: merged.lower, upper: merged.upper,
            below: merged.below, above: merged.above,
            centredShareOutside: share(\.centredShareOutside), rawShareOutside: share(\.rawShareOutside),
            negativeWeightShare: share(\.negativeWeightShare), layerNegativeShares: layers.map(\.negativeWeightShare))
    }

    /// Times one forward pass of softmax and Taylor attention at this model's d and heads,
    /// once, at a small budget (tens of ms per point).
    private func measureScaling() {
        scaled = true
        Threads.set(base.threads)
        let m = base.model
        scaling = scalingSizes.map { n in
            let s = AttentionBenchmark.time(.softmax, tokens: n, headDim: m.headDim, heads: m.heads, repeats: 3, minSeconds: 0.005)
            let t = AttentionBenchmark.time(.taylor, tokens: n, headDim: m.headDim, heads: m.heads, repeats: 3, minSeconds: 0.005)
            return AttentionScalingPoint(tokens: n, softmaxMs: s.seconds * 1e3, taylorMs: t.seconds * 1e3)
        }
    }

    public func takePauseRequest() -> String? { defer { pauseRequest = nil }; return pauseRequest }

    /// What the TUI says when the running run diverges, with the way out.
    func divergenceMessage(_ d: Divergence, _ j: AttentionJob) -> String {
        Rollback.pauseMessage(d, run: "run \(current + 1), \(j.config.kind.rawValue)", lastCheckpoint: j.lastCheckpoint)
    }

    /// Rolls the running run back to its newest checkpoint with a lower lr (queued runs keep
    /// theirs); its curves after the restored step are dropped.
    private func rollback(lr text: String?) throws -> String {
        guard let j = job else { throw JobFailure("rollback: no run is training") }
        let before = String(format: "%g", Double(j.hyper.lr))
        let m = try j.rollback(lr: text)
        let x = Double(j.step)
        loss[current].drop(after: x); accuracy[current].drop(after: x)
        steps[current] = j.step; epochs[current] = j.epoch
        let accs = j.curves.epochs.map { Double($0.testAccuracy) }
        lastAcc[current] = accs.last ?? .nan; bestAcc[current] = accs.max() ?? .nan
        withSparse[current] = j.curves.epochs.last?.testAccuracyWithSparse.map(Double.init) ?? .nan
        changes.removeAll { $0.run == current + 1 && $0.step > j.step }
        record("lr", before, String(format: "%g", Double(j.hyper.lr)), j.step)
        lastLR = Double(j.currentLR)
        return m
    }

    public func handle(_ command: JobCommand) throws -> String {
        if command == .save { return try save() }
        if case .rollback(let lr) = command { return try rollback(lr: lr) }
        guard case .set(let name, let text) = command else { return "" }
        if ["remove", "up", "down"].contains(name) { return try reorder(name, text) }
        var live = queueSettings
        try AttentionQueueSettings.settings.apply(name, text, to: &live)
        let step = job?.step ?? 0
        let from: String, to: String
        switch name {
        case "kind":
            let k = live.kind
            let waiting = kinds.count - current - (job == nil ? 0 : 1)
            guard waiting < Self.maxQueued else {
                throw JobFailure("kind: \(Self.maxQueued) runs are already waiting; let one start first")
            }
            from = kinds.last!.rawValue; to = k.rawValue
            kinds.append(k); addRunSlots()
            job?.log?.write(.settingChange(step: step, epoch: job!.epoch, name: "kind", from: .word(from), to: .word(to),
                                           note: "kind: run \(kinds.count) queued with \(k.rawValue)"))
            record(name, from, to, step)
            return "run \(kinds.count) queued: \(k.rawValue) (after \(kinds[current..<(kinds.count - 1)].map(\.rawValue).joined(separator: ", ")))"
        case "sparse_threshold":
            let v = live.sparseThreshold
            if let j = job { (from, to) = try j.set(name, to: text) } else { from = String(format: "%g", Double(base.sparse.threshold)); to = String(format: "%g", Double(v)) }
            base.sparse.threshold = v
        default:   // lr
            let v = live.lr
            if let j = job { (from, to) = try j.set(name, to: text) } else { from = String(format: "%g", Double(base.lr)); to = String(format: "%g", Double(v)) }
            base.lr = v; base.minLR = min(base.minLR, v)
        }
        record(name, from, to, step)
        return job == nil ? "\(name) \(from) → \(to) (from run \(current + 1))" : "\(name) \(from) → \(to) (from step \(step + 1) of run \(current + 1))"
    }

    /// Index of the first run that has not started (the running one, if any, is before it).
    private var firstWaiting: Int { job == nil ? current : current + 1 }

    /// `remove N` (or `remove last`), `up N`, `down N`: edits the runs that have not started.
    private func reorder(_ verb: String, _ text: String) throws -> String {
        let waiting = firstWaiting..<kinds.count
        guard !waiting.isEmpty else { throw JobFailure("\(verb): no queued run is waiting (runs that started stay)") }
        let n = text == "last" ? kinds.count : Int(text) ?? 0
        guard waiting.contains(n - 1) else {
            throw JobFailure("\(verb): run \(text) has started or does not exist; waiting: \(waiting.map { "\($0 + 1)" }.joined(separator: ", "))")
        }
        let i = n - 1
        switch verb {
        case "remove":
            guard kinds.count > 1 else { throw JobFailure("remove: the queue needs at least one run") }
            let k = kinds.remove(at: i)
            for a in [\AttentionWorkbenchJob.loss, \.accuracy] as [ReferenceWritableKeyPath<AttentionWorkbenchJob, [DownsampledSeries]>] { self[keyPath: a].remove(at: i) }
            steps.remove(at: i); epochs.remove(at: i); lastAcc.remove(at: i); bestAcc.remove(at: i); withSparse.remove(at: i); folders.remove(at: i)
            return "run \(n) (\(k.rawValue)) removed from the queue; \(kinds.count) runs"
        default:
            let j = verb == "up" ? i - 1 : i + 1
            guard waiting.contains(j) else { throw JobFailure("\(verb): run \(n) is already \(verb == "up" ? "the first" : "the last") waiting run") }
            kinds.swapAt(i, j); loss.swapAt(i, j); accuracy.swapAt(i, j); steps.swapAt(i, j); epochs.swapAt(i, j)
            lastAcc.swapAt(i, j); bestAcc.swapAt(i, j); withSparse.swapAt(i, j); folders.swapAt(i, j)
            return "run \(n) (\(kinds[j].rawValue)) is now run \(j + 1); queue: \(kinds.map(\.rawValue).joined(separator: ", "))"
        }
    }

    /// A run is ruined without going NaN when its loss passes this, or when its test accuracy
    /// is at chance (at most `chanceMargin` × 1/classes) after an epoch.
    public static let ruinedLoss = 1e3, chanceMargin = 1.2

    /// Why a run with this step loss (and, at an epoch end, test accuracy) is ruined; nil when it is not.
    public static func ruin(loss: Double, testAccuracy: Double?, classes: Int, epoch: Int) -> String? {
        let chance = 1 / Double(max(1, classes))
        if loss > ruinedLoss { return String(format: "loss %.3g > %g", loss, ruinedLoss) }
        if let a = testAccuracy, a <= chanceMargin * chance {
            return String(format: "test accuracy %.1f%% is at chance (%.1f%%) after epoch %d", 100 * a, 100 * chance, epoch)
        }
        return nil
    }

    /// Checks the running run for ruin after a step; warns once per run.
    private func checkRuin(loss: Double, epochSummary: Double?) {
        guard ruined[current] == nil else { return }
        guard let why = Self.ruin(loss: loss, testAccuracy: epochSummary, classes: data.classCount, epoch: epochs[current]) else { return }
        let text = "run \(current + 1) (\(kinds[current].rawValue)) looks ruined: \(why); consider :rollback or :remove of queued runs"
        ruined[current] = text
        notes.append((.warning, text))
    }

    /// The live settings now: the kind of the newest queued run, and the running run's τ and
    /// lr (the queue's before the first run starts).
    var queueSettings: AttentionQueueSettings {
        AttentionQueueSettings(kind: kinds.last!, sparseThreshold: job?.sparseThreshold ?? base.sparse.threshold, lr: job?.hyper.lr ?? base.lr)
    }

    /// Writes the training (else the last finished) run's ViT to `model.safetensors` in its
    /// folder (the export `retort eval` and PyTorch read) and a checkpoint (unless its newest is at this step).
    private func save() throws -> String {
        guard let (j, folder) = job.map({ ($0, folders[current]!) }) ?? finished else {
            throw JobFailure("save: no run has started yet (space starts the queue)")
        }
        if let d = j.divergence { throw JobFailure("not saving: the run diverged at step \(d.step) (\(d.what)); roll back first") }
        let url = folder.appendingPathComponent("model.safetensors")
        try ViTWeights.export(j, to: url)  // timm names and the metadata `retort eval` needs
        let what = "\(j.config.kind.rawValue) (run \(folders.firstIndex(of: folder).map { $0 + 1 } ?? 0))"
        let checkpoint: String
        if let last = j.lastCheckpoint, last.step == j.step { checkpoint = last.url.path } else {
            do { checkpoint = try j.saveCheckpoint().path } catch {
                throw JobFailure("saved \(what) to \(url.path); checkpoint not written: \(error)")
            }
        }
        return "saved \(what) to \(checkpoint) and model.safetensors at step \(j.step)"
    }

    public func takeNotes() -> [(JobMessage.Level, String)] { defer { notes = [] }; return notes }

    /// When a run is training: where it stopped and its checkpoint there (see
    /// `quitCheckpoint`); nothing otherwise. Call once the runner is done.
    public func checkpointOnQuit() -> [String] {
        guard let j = job, let folder = folders[current] else { return [] }
        return ["attention run \(current + 1) (\(j.config.kind.rawValue)) stopped at epoch \(j.epoch), step \(j.step); run folder \(folder.path)",
                quitCheckpoint(last: j.lastCheckpoint, step: j.step) { try j.saveCheckpoint() }]
    }

    private func record(_ name: String, _ from: String, _ to: String, _ step: Int) {
        guard from != to || name == "kind" else { return }   // no change: no marker (a queued run always is one)
        changes.append(AttentionSettingChange(run: job == nil ? current : current + 1, step: step, name: name, from: from, to: to))
    }

    public func snapshot(state: JobState, messages: [JobMessage], elapsed: Double) -> AttentionSnapshot {
        let m = base.model
        let runs = kinds.indices.map { i in
            AttentionRunView(index: i + 1, kind: kinds[i].rawValue,
                             status: i < current ? .finished : (i == current && job != nil ? (job!.divergence == nil ? .running : .diverged) : .queued),
                             runFolder: folders[i]?.path ?? "", step: steps[i], epoch: epochs[i], trainLoss: loss[i], testAccuracy: accuracy[i],
                             lastTestAccuracy: lastAcc[i], bestTestAccuracy: bestAcc[i], testAccuracyWithSparse: withSparse[i])
        }
        let ops = ModelOpCounts(m)
        let (s, t) = (ops.softmax, ops.taylor)
        let opRows = [
            AttentionOpRow(name: "MACs", softmax: s.macs, taylor: t.macs),
            AttentionOpRow(name: "mults", softmax: s.multiplications, taylor: t.multiplications),
            AttentionOpRow(name: "exps", softmax: s.exps, taylor: t.exps),
            AttentionOpRow(name: "divs", softmax: s.divisions, taylor: t.divisions),
            AttentionOpRow(name: "adds", softmax: s.additions, taylor: t.additions),
            AttentionOpRow(name: "cmps", softmax: s.compares, taylor: t.compares),
            AttentionOpRow(name: "storage", softmax: s.storageWords, taylor: t.storageWords),
        ]
        let threshold = Double(job?.sparseThreshold ?? base.sparse.threshold)
        let baseLR = Double(job?.hyper.lr ?? base.lr)
        let settings = AttentionQueueSettings.settings.rows(of: queueSettings)
        let i = min(current, kinds.count - 1), batch = job?.hyper.batchSize ?? base.batchSize
        var v = AttentionSnapshot()
        v.modelName = m.name; v.modelDescription = m.description; v.parameterCount = m.parameterCount
        v.tokens = m.tokens; v.heads = m.heads; v.headDim = m.headDim; v.layers = m.depth
        v.dataName = data.name; v.trainCount = data.train.count; v.testCount = data.test.count; v.seed = base.seed
        v.state = state; v.runs = runs; v.currentRun = current + 1; v.kind = kinds[i].rawValue
        v.epoch = epochs[i]; v.totalEpochs = base.epochs; v.step = steps[i]; v.stepsPerEpoch = (data.train.count + batch - 1) / batch
        v.samplesPerSecond = state == .running ? samplesPerSecond : 0; v.elapsed = elapsed
        v.lr = lastLR; v.baseLR = baseLR; v.sparseThreshold = threshold; v.maskDensity = lastDensity
        v.diagnostics = diag; v.diagnosticImages = diagnosticImages
        v.opRows = opRows; v.linearMACs = ops.linearMACs
        v.scaling = scaling; v.crossover = Self.crossover(scaling)
        v.settings = settings; v.changes = changes; v.messages = messages
        v.ruined = Dictionary(uniqueKeysWithValues: ruined.map { ($0.key + 1, $0.value) })
        v.diverged = job.flatMap { j in j.divergence.map { divergenceMessage($0, j) } }
        v.blas = "\(BLASRuntime.coreName)×\(BLASRuntime.threads)"
        return v
    }

    /// The smallest measured n from which on Taylor is faster at every larger measured n.
    public static func crossover(_ points: [AttentionScalingPoint]) -> Int? {
        var n: Int?
        for p in points.reversed() {
            guard p.taylorMs < p.softmaxMs else { break }
            n = p.tokens
        }
        return n
    }
}

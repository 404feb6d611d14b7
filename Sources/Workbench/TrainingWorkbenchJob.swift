import Foundation
import RunKit
import RetortCore
import RunKit
import TrainEngine

/// Adapts a `TrainingJob` to the workbench: steps it, keeps downsampled curves and
/// hyperparameter changes, saves checkpoints on request, pauses when the run diverges
/// and rolls it back on request.
public final class TrainingWorkbenchJob: SteppableJob {
    public let job: TrainingJob
    public let runFolder: URL
    private var stepLoss = DownsampledSeries(name: "loss (step)")
    private var trainLoss = DownsampledSeries(name: "train loss")
    private var testLoss = DownsampledSeries(name: "test loss")
    private var trainAcc = DownsampledSeries(name: "train acc")
    private var testAcc = DownsampledSeries(name: "test acc")
    private var changes: [HyperChange] = []
    private var samplesPerSecond = 0.0
    private var gradientNorm = DownsampledSeries(name: "gradient norm")
    private var lrCurve = DownsampledSeries(name: "lr")
    /// Recent seconds per step (evaluation included), for the ETA.
    private var secondsPerStep = 0.0
    private var lastLR = 0.0
    private var notes: [(JobMessage.Level, String)] = []
    private var pauseRequest: String?

    /// A job past step 0 (a resumed run) starts with the curves and hyperparameter changes
    /// its run folder holds up to the checkpoint, not with empty charts.
    public init(job: TrainingJob, runFolder: URL) {
        self.job = job; self.runFolder = runFolder
        lastLR = Double(job.currentLR)
        if job.step > 0 { loadHistory() }
    }

    /// Reads steps.csv, metrics.csv and hparams.csv of the run folder (already cut back to
    /// the checkpoint by the resume) into the curves; unreadable files are skipped.
    func loadHistory() {
        func table(_ file: String) -> RunTable? {
            guard let text = try? String(contentsOf: runFolder.appendingPathComponent(file), encoding: .utf8) else { return nil }
            return try? RunTable.parse(text, file: file).table
        }
        if let t = table("steps.csv") {
            for (x, y) in t.series("loss") { stepLoss.append(x: x, y) }
            for (x, y) in t.series("lr") { lrCurve.append(x: x, y) }
        }
        if let t = table("metrics.csv") {
            let curves: [(ReferenceWritableKeyPath<TrainingWorkbenchJob, DownsampledSeries>, String)] =
                [(\.trainLoss, "train_loss"), (\.testLoss, "test_loss"), (\.trainAcc, "train_accuracy"), (\.testAcc, "test_accuracy")]
            for (series, column) in curves {
                for (x, y) in t.series(column) { self[keyPath: series].append(x: x, y) }
            }
        }
        if let text = try? String(contentsOf: runFolder.appendingPathComponent("hparams.csv"), encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init)
            let cols = lines.first.map(RunTable.splitCSV) ?? []
            if let si = cols.firstIndex(of: "step"), let ni = cols.firstIndex(of: "name"), let fi = cols.firstIndex(of: "from"), let ti = cols.firstIndex(of: "to") {
                for line in lines.dropFirst() {
                    let f = RunTable.splitCSV(line)
                    guard f.count == cols.count, let step = Int(f[si]) else { continue }
                    changes.append(HyperChange(step: step, name: f[ni], from: Double(f[fi]) ?? .nan, to: Double(f[ti]) ?? .nan))
                }
            }
        }
    }

    public var isFinished: Bool { job.isFinished }
    public var progress: Int { job.step }

    public func advance() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = job.step()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        // periodic checkpoints are silent (the snapshot names the newest); failures are not
        for case .failed(let m) in r.checkpoints { notes.append((.error, "checkpoint not written: \(m)")) }
        if let f = r.logFailure { notes.append((.error, "metrics not written: \(f)")) }
        if let d = r.divergence { pauseRequest = divergenceMessage(d); return }
        let inst = Double(r.samples) / max(dt, 1e-9)
        samplesPerSecond = samplesPerSecond == 0 ? inst : 0.9 * samplesPerSecond + 0.1 * inst
        secondsPerStep = secondsPerStep == 0 ? dt : 0.98 * secondsPerStep + 0.02 * dt
        lastLR = Double(r.lr)
        stepLoss.append(x: Double(r.step), Double(r.loss))
        gradientNorm.append(x: Double(r.step), r.gradientNorm)
        lrCurve.append(x: Double(r.step), Double(r.lr))
        if let s = r.epochSummary {
            let x = Double(s.step)
            trainLoss.append(x: x, Double(s.trainLoss)); testLoss.append(x: x, Double(s.testLoss))
            trainAcc.append(x: x, Double(s.trainAccuracy)); testAcc.append(x: x, Double(s.testAccuracy))
        }
    }

    public func handle(_ command: JobCommand) throws -> String {
        switch command {
        case .set(let name, let value):
            let old = job.hyper.value(of: name)
            try job.set(name, to: value)
            let new = job.hyper.value(of: name) ?? .nan
            guard old != new else { return "\(name) is already \(format(new))" }
            changes.append(HyperChange(step: job.step, name: name, from: old ?? .nan, to: new))
            return "\(name) \(format(old ?? .nan)) → \(format(new))"
        case .save:
            let info = try job.saveCheckpoint()
            let url = runFolder.appendingPathComponent("model.safetensors")
            try TrainWeights.export(job, to: url)   // PyTorch names, BatchNorm statistics, metadata for `retort eval`
            return "saved \(info.path) (\(info.bytes / 1024) KiB) and model.safetensors at step \(job.step)"
        case .rollback(let lr):
            let before = Double(job.hyper.lr)
            let m = try job.rollback(lr: lr)
            let x = Double(job.step)
            stepLoss.drop(after: x); gradientNorm.drop(after: x); lrCurve.drop(after: x); trainLoss.drop(after: x); testLoss.drop(after: x); trainAcc.drop(after: x); testAcc.drop(after: x)
            changes.removeAll { $0.step > job.step }
            changes.append(HyperChange(step: job.step, name: "lr", from: before, to: Double(job.hyper.lr)))
            lastLR = Double(job.currentLR)
            return m
        default:
            return ""
        }
    }

    public func takeNotes() -> [(JobMessage.Level, String)] { defer { notes = [] }; return notes }
    public func takePauseRequest() -> String? { defer { pauseRequest = nil }; return pauseRequest }

    /// What the TUI says when the run diverges, with the way out.
    func divergenceMessage(_ d: Divergence) -> String { Rollback.pauseMessage(d, lastCheckpoint: job.lastCheckpoint) }

    public func snapshot(state: JobState, messages: [JobMessage], elapsed: Double) -> TrainingSnapshot {
        let n = job.data.train.count
        let stepsPerEpoch = (n + job.hyper.batchSize - 1) / job.hyper.batchSize
        let stepsLeft = max(0, job.config.epochs * stepsPerEpoch - job.step)
        return TrainingSnapshot(
            runName: runFolder.lastPathComponent, runFolder: runFolder.path,
            modelName: job.model.name, parameterCount: job.model.parameterCount,
            dataName: job.data.name, trainCount: n, testCount: job.data.test.count,
            state: state, epoch: job.epoch, totalEpochs: job.config.epochs, step: job.step,
            stepsPerEpoch: stepsPerEpoch,
            samplesPerSecond: state == .running ? samplesPerSecond : 0, elapsed: elapsed, lr: lastLR,
            stepLoss: stepLoss, trainLoss: trainLoss, testLoss: testLoss, trainAccuracy: trainAcc, testAccuracy: testAcc,
            hyper: Hyperparameters.settings.rows(of: job.hyper),
            changes: changes, messages: messages,
            diverged: job.divergence.map(divergenceMessage), lastCheckpoint: job.lastCheckpoint?.url.path,
            blas: "\(BLASRuntime.coreName)×\(BLASRuntime.threads)",
            gradientNorm: gradientNorm, lrCurve: lrCurve,
            eta: secondsPerStep > 0 && !job.isFinished ? Double(stepsLeft) * secondsPerStep : nil)
    }
}

public struct JobFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

func format(_ v: Double) -> String {
    if v.isNaN { return "?" }
    if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
    return String(format: "%g", v)
}

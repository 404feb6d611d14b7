import Foundation
import RetortCore
import RunKit
import TrainEngine

/// Runs a training job to its last epoch with progress output (`retort train` and
/// `retort resume`). A checkpoint that cannot be written is reported on one line and
/// training goes on; a divergence stops the run with exit status 3 and says how to go on.
func trainHeadless(_ job: TrainingJob, folder: URL, plain: Bool) {
    let tty = isatty(STDOUT_FILENO) == 1 && !plain
    let config = job.config
    print("\(job.model.name): \(job.model.parameterCount) parameters; data \(job.data.summary); BLAS \(BLASRuntime.coreName) × \(BLASRuntime.threads) threads")
    print(columns([("epoch", 5), ("step", 8), ("train_loss", 10), ("train_acc", 10), ("test_loss", 9), ("test_acc", 9), ("lr", 9), ("samples/s", 9), ("secs", 7)]))
    let stepsPerEpoch = (job.data.train.count + job.hyper.batchSize - 1) / job.hyper.batchSize
    let started = Date()
    while !job.isFinished {
        let r = job.step()
        reportStep(checkpoints: r.checkpoints, logFailure: r.logFailure, divergence: r.divergence, tty: tty,
                   lastCheckpoint: job.lastCheckpoint, folder: folder)
        if tty && r.epochSummary == nil {
            let done = (r.step - 1) % stepsPerEpoch + 1
            let bar = String(repeating: "█", count: 30 * done / stepsPerEpoch).padding(toLength: 30, withPad: "·", startingAt: 0)
            print(String(format: "\r  epoch %d/%d %@ %d/%d loss %.4f", r.epoch + 1, config.epochs, bar, done, stepsPerEpoch, r.loss), terminator: "")
            fflush(nil)
        }
        if let s = r.epochSummary {
            if tty { print("\r\u{1B}[2K", terminator: "") }
            print(String(format: "%5d %8d %10.4f %9.2f%% %9.4f %8.2f%% %9.4g %9.0f %7.1f", s.epoch, s.step, s.trainLoss, 100 * s.trainAccuracy,
                         s.testLoss, 100 * s.testAccuracy, s.lr, s.samplesPerSecond, s.seconds))
            fflush(nil)
        }
    }
    print(String(format: "done in %.1f s; metrics in %@/metrics.csv and metrics.jsonl", Date().timeIntervalSince(started), folder.path))
}

/// What one headless step could not do, on stderr (a line per checkpoint not written, one
/// for metrics not written; a progress line on a terminal is cleared first), and the end
/// of a run that diverged.
func reportStep(checkpoints: [CheckpointEvent], logFailure: String?, divergence: Divergence?, tty: Bool,
                lastCheckpoint: (url: URL, step: Int)?, folder: URL) {
    func line(_ text: String) {
        if tty { print("\r\u{1B}[2K", terminator: "") }
        writeStderr("retort: \(text)\n")
    }
    for case .failed(let m) in checkpoints { line("checkpoint not written: \(m)") }
    if let logFailure { line("metrics not written: \(logFailure)") }
    if let divergence {
        if tty { print("\r\u{1B}[2K", terminator: "") }
        exitDiverged(divergence, lastCheckpoint: lastCheckpoint, folder: folder)
    }
}

/// Ends a headless run that diverged: one line on stderr (what, the last good checkpoint,
/// the `retort resume RUN --lr X` that goes on) and exit status 3.
func exitDiverged(_ d: Divergence, run: String? = nil, lastCheckpoint: (url: URL, step: Int)?, folder: URL) -> Never {
    terminate(.diverged, Rollback.headlessLine(d, run: run, lastCheckpoint: lastCheckpoint, folder: folder))
}

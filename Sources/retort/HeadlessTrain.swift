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
    print("\(job.model.name): \(job.model.parameterCount) parameters; data \(job.data.sample.fileName): \(job.data.train.count) train / \(job.data.test.count) test; BLAS \(BLASRuntime.coreName) × \(BLASRuntime.threads) threads")
    print(columns([("epoch", 5), ("step", 8), ("train_loss", 10), ("train_acc", 10), ("test_loss", 9), ("test_acc", 9), ("lr", 9), ("samples/s", 9), ("secs", 7)]))
    let stepsPerEpoch = (job.data.train.count + job.hyper.batchSize - 1) / job.hyper.batchSize
    let started = Date()
    while !job.isFinished {
        let r = job.step()
        for case .failed(let m) in r.checkpoints {
            if tty { print("\r\u{1B}[2K", terminator: "") }
            FileHandle.standardError.write(Data("retort: checkpoint not written: \(m)\n".utf8))
        }
        if let f = r.logFailure {
            if tty { print("\r\u{1B}[2K", terminator: "") }
            FileHandle.standardError.write(Data("retort: metrics not written: \(f)\n".utf8))
        }
        if let d = r.divergence {
            if tty { print("\r\u{1B}[2K", terminator: "") }
            exitDiverged(d, lastCheckpoint: job.lastCheckpoint, folder: folder)
        }
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

/// Ends a headless run that diverged: one line on stderr (what, the last good checkpoint,
/// the `retort resume RUN --lr X` that goes on) and exit status 3.
func exitDiverged(_ d: Divergence, run: String? = nil, lastCheckpoint: (url: URL, step: Int)?, folder: URL) -> Never {
    fflush(nil)
    FileHandle.standardError.write(Data("retort: \(Rollback.headlessLine(d, run: run, lastCheckpoint: lastCheckpoint, folder: folder))\n".utf8))
    Foundation.exit(3)
}

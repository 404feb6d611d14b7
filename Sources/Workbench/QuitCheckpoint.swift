import Foundation
import RunKit
import TrainEngine

/// What a workbench job leaves when the TUI quits: its newest checkpoint when that is at
/// the current step, else a new one. One line either way, printed after the terminal is restored.
func quitCheckpoint(last: (url: URL, step: Int)?, step: Int, save: () throws -> CheckpointInfo) -> String {
    if let last, last.step == step { return "checkpoint \(last.url.path)" }
    do { return "checkpoint \(try save().path)" } catch { return "checkpoint not written: \(error)" }
}

extension TrainingWorkbenchJob {
    /// The checkpoint of where the run stopped (see `quitCheckpoint`); call once the runner is done.
    public func checkpointOnQuit() -> String {
        quitCheckpoint(last: job.lastCheckpoint, step: job.step) { try job.saveCheckpoint() }
    }
}

extension DistillWorkbenchJob {
    /// The checkpoint of where the run stopped (see `quitCheckpoint`); call once the runner is done.
    public func checkpointOnQuit() -> String {
        quitCheckpoint(last: job.lastCheckpoint, step: job.step) { try job.saveCheckpoint() }
    }
}
